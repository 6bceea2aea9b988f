"""Operator notices: failure episodes, and the e-mails that tell the operators about them.

A failure *episode* runs from the first failure seen to the recovery. Two kinds:

* ``task``: an Airflow task failed for good (after its retries). The task's ``on_failure_callback`` opens the
  episode at once; the last task of the ingest DAG (``operator_notices``) looks at the whole run and opens the
  episodes of tasks that failed and closes those of tasks that succeeded.
* ``feed``: a feed has been failing, without one success, for ``operations.feed_failing_alert_hours``; it closes
  when the feed fetches fine again (or is removed from the settings).

Each episode e-mails every address in ``operations.operators`` once when it opens ("failing") and once when it
closes ("recovered", only to those who were told it was failing); a failure seen again in later runs adds to
the episode's count and sends nothing. Notices are rows in ``ops_notices``, sent through the same mail server by
the same delivery loop as the alerts (``nkru.mail.delivery``: claimed, marked sent only after the server accepted
them, the same outage policy). A notice the server did not take stays pending for the next run. Where the mail
server is comes from the caller (the task callables, through ``nkru.edge.resources``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from nkru import store
from nkru.clock import utc_text, utcnow
from nkru.config import Settings
from nkru.mail.delivery import SendReport, deliver
from nkru.mail.message import check_intact, set_header, set_headers
from nkru.mail.smtp import SmtpTarget
from nkru.redact import scrub
from nkru.store import ops as ops_store
from nkru.store import outbox as outbox_store
from nkru.store.outbox import message_id
from nkru.untrusted import strip_controls

log = logging.getLogger(__name__)

KIND_TASK = "task"
KIND_FEED = "feed"
SUBJECT_PREFIX = "[nkru ops]"
# Task states that count as "this task broke" and as "this task is fine" at the end of a DAG run.
# (upstream_failed and skipped say nothing about the task itself.)
_FAILED_STATES = {"failed"}
_OK_STATES = {"success"}


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
                f"failing since {utc_text(since)} ({failures} failed fetches in a row)\n"
                f"last error: {error or 'unknown'}"
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


# ========================================================================================== notices


@dataclass
class NoticeReport(SendReport):
    """What one `notify` did: notices queued, and the delivery run's counts (`pending`: left for the next run)."""

    queued: int = 0

    def summary(self) -> str:
        text = f"{self.sent} operator notices sent, {self.pending} pending, {self.failed} given up"
        return text + (f" ({self.errors[0]})" if self.errors else "")


def notice_message_id(episode_id: int, event: str, recipient: str) -> str:
    return message_id("ops", episode_id, event, recipient.casefold())


@dataclass(frozen=True)
class OperatorNotices:
    """The pending rows of `ops_notices`, for the delivery loop (`nkru.mail.delivery.deliver`)."""

    settings: Settings
    queue = outbox_store.NOTICES
    noun = "operator notice"
    failed_hint = "see the ops_notices table"

    def waiting(self, conn: store.Connection) -> list[str]:
        with conn, conn.cursor() as cur:
            return ops_store.waiting_notices(cur)

    def build(self, cur: store.Cursor, row: outbox_store.Claimed, now: datetime) -> EmailMessage:
        notice = ops_store.notice(cur, row.message_id)
        return render_notice(ops_store.episode(cur, notice.episode_id), notice, self.settings, now)

    def pending(self, cur: store.Cursor) -> int:
        return ops_store.count_pending_notices(cur)


def notify(conn: store.Connection, settings: Settings, target: SmtpTarget, now: datetime | None = None) -> NoticeReport:
    """Queue and send the operator notices due: 'failing' for open episodes, 'recovered' for closed ones.

    `target` is the same mail server the alerts use, and the delivery loop the same: each notice is sent in its
    own transaction holding its row lock and marked sent only once the server accepted it; a server that
    cannot be reached stops the run and leaves every notice pending.
    """
    now = now or utcnow()
    report = NoticeReport()
    recipients = [str(r) for r in settings.operations.operators]
    with conn, conn.cursor() as cur:
        if recipients:
            report.queued += ops_store.queue_failing_notices(cur, recipients, now, notice_message_id)
        report.queued += ops_store.queue_recovered_notices(cur, now, notice_message_id)
    deliver(
        conn,
        target,
        OperatorNotices(settings),
        sender=str(settings.alerts.sender),
        max_attempts=settings.alerts.max_attempts,
        now=now,
        report=report,
    )
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
            f"First failure seen: {utc_text(episode.opened_at)}",
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
            f"Failing from {utc_text(episode.opened_at)} to {utc_text(episode.closed_at or now)}, "
            f"{episode.occurrences} failure(s) seen.",
            f"Last error: {episode.detail.splitlines()[-1] if episode.detail else 'unknown'}",
        ]
    msg = EmailMessage()
    set_headers(
        msg,
        subject=subject,
        sender=str(settings.alerts.sender),
        recipient=notice.recipient,
        message_id=notice.message_id,
        now=now,
    )
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
