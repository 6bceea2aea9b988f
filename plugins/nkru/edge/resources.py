"""Where the news database and the mail server are: the one rule every entry point follows.

The first of these that says, wins:

1. **Inside Airflow** (task callables, the failure callback, the UI page; pass ``airflow=True``), the Airflow
   connection: ``nkru_db``, ``nkru_smtp``. So a connection defined in Airflow's UI or secrets backend is what
   the tasks use, whatever the environment says.
2. **The variable**, ``NKRU_DATABASE_URL`` or ``NKRU_SMTP_URL``: one exported variable serves both the tasks
   and the ``nkru`` command. Outside Airflow (the ``nkru`` command, ``nkru doctor``, the launcher, the demo:
   the default) the rule starts here, and Airflow is never imported (the import alone costs ~2 s per command).
3. **The running ``make run``**: the launcher writes what it started (the embedded PostgreSQL, the mail
   catcher) to ``.data/run.json`` once everything is up and removes it when it stops; the file counts only
   while the process that wrote it is alive. So ``nkru``, ``nkru doctor`` and ``make demo`` typed in another
   shell find them with nothing exported. (A URL with a password in it is never written there.)

The connection's extras are honoured: a database connection's libpq parameters (``sslmode``,
``application_name``, ``sslrootcert``...) go into the URI, and an SMTP connection is read by the SMTP
provider's ``SmtpHook``, so ``disable_ssl``, ``disable_tls``, ``ssl_context`` and ``timeout`` mean what they
mean elsewhere in Airflow. This is the edge of the system: the library below takes the URL and the
`SmtpTarget` these functions return as arguments.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import psutil

from nkru.mail.smtp import Security, SmtpTarget, smtp_target_from_url
from nkru.paths import run_state_file

log = logging.getLogger(__name__)

DATABASE_CONN_ID = "nkru_db"
DATABASE_URL_ENV = "NKRU_DATABASE_URL"
SMTP_CONN_ID = "nkru_smtp"
SMTP_URL_ENV = "NKRU_SMTP_URL"
# The keys of `.data/run.json` (written by nkru.edge.launcher) that this module reads.
STATE_DATABASE_URL = "database_url"
STATE_SMTP_URL = "smtp_url"

# The connection parameters libpq accepts in a URI (PostgreSQL 15, "Parameter Key Words"). Other extras of an
# Airflow Postgres connection (`cursor`, `iam`, `aws_conn_id`...) are for PostgresHook, and libpq would refuse them.
LIBPQ_PARAMETERS = frozenset(
    {
        "application_name",
        "channel_binding",
        "client_encoding",
        "connect_timeout",
        "fallback_application_name",
        "gssencmode",
        "gsslib",
        "hostaddr",
        "keepalives",
        "keepalives_count",
        "keepalives_idle",
        "keepalives_interval",
        "krbsrvname",
        "load_balance_hosts",
        "options",
        "passfile",
        "replication",
        "requirepeer",
        "requiressl",
        "sslcert",
        "sslcompression",
        "sslcrl",
        "sslcrldir",
        "sslkey",
        "sslmode",
        "sslpassword",
        "sslrootcert",
        "sslsni",
        "ssl_max_protocol_version",
        "ssl_min_protocol_version",
        "target_session_attrs",
        "tcp_user_timeout",
    }
)


class DatabaseNotConfigured(RuntimeError):
    """Nothing says where the news database is (no NKRU_DATABASE_URL, and inside Airflow no `nkru_db`)."""


class SmtpNotConfigured(RuntimeError):
    """Nothing says where to send mail (no NKRU_SMTP_URL, and inside Airflow no `nkru_smtp`)."""


@dataclass(frozen=True)
class Found:
    """What a look-up found and where, in words for messages: 'NKRU_DATABASE_URL' or 'the Airflow connection ...'."""

    value: Any
    source: str


# ================================================================================================ database


def find_database(*, airflow: bool = False) -> Found:
    """The news database's libpq URI, by the rule above; `DatabaseNotConfigured` when nothing says."""
    found = _find(
        DATABASE_CONN_ID, DATABASE_URL_ENV, STATE_DATABASE_URL, database_url_from_connection, str, airflow=airflow
    )
    if found:
        return found
    inside = f" and there is no Airflow connection {DATABASE_CONN_ID}" if airflow else ""
    raise DatabaseNotConfigured(
        f"{DATABASE_URL_ENV} is not set{inside}. Set it to a libpq URI, e.g. "
        f"postgresql://user@127.0.0.1:5432/nkru (or start `make run`, which sets one up and is then found "
        "by itself)."
    )


def database_url(*, airflow: bool = False) -> str:
    """`find_database(...)`'s URI: what task callables (``airflow=True``) and the ``nkru`` command connect to."""
    return find_database(airflow=airflow).value


def database_url_from_connection(conn: Any) -> str:
    """A libpq URI from an Airflow connection's fields and its libpq extras (sslmode, application_name...).

    We open psycopg2 connections ourselves (PostgresHook in provider 7.x uses psycopg 3), so the URI is built
    here rather than by the hook.
    """
    userinfo = ""
    if conn.login:
        userinfo = quote(conn.login, safe="")
        if conn.password:
            userinfo += ":" + quote(conn.password, safe="")
        userinfo += "@"
    host = conn.host or "127.0.0.1"
    if host.startswith("/"):  # a Unix socket directory (the embedded server of `make run`)
        host = quote(host, safe="")
    port = f":{conn.port}" if conn.port else ""
    dbname = quote(conn.schema or "postgres", safe="")
    extras = {key: str(value) for key, value in conn.extra_dejson.items() if key in LIBPQ_PARAMETERS}
    ignored = sorted(set(conn.extra_dejson) - set(extras))
    if ignored:
        log.debug("connection %s: extras %s are not libpq parameters; not passed to libpq", conn.conn_id, ignored)
    query = f"?{urlencode(extras, quote_via=quote)}" if extras else ""  # libpq reads %20, not +
    return f"postgresql://{userinfo}{host}{port}/{dbname}{query}"


# ============================================================================================= mail server


def find_smtp(*, airflow: bool = False) -> Found:
    """The mail server as an `SmtpTarget`, by the rule above; `SmtpNotConfigured` when nothing says.

    A malformed NKRU_SMTP_URL raises ValueError, whose message quotes the URL with its password masked.
    """
    found = _find(
        SMTP_CONN_ID, SMTP_URL_ENV, STATE_SMTP_URL, smtp_target_from_connection, smtp_target_from_url, airflow=airflow
    )
    if found:
        return found
    inside = f" and there is no Airflow connection {SMTP_CONN_ID!r}" if airflow else ""
    raise SmtpNotConfigured(
        f"no mail server configured: {SMTP_URL_ENV} is not set{inside}. "
        f"Set {SMTP_URL_ENV}=smtp://host:port (smtps:// for TLS, ?starttls=true). "
        "`make run` starts a local mail catcher that stores messages under .data/mail/."
    )


def smtp_target(*, airflow: bool = False) -> SmtpTarget:
    """`find_smtp(...)`'s target: where task callables (``airflow=True``) and the ``nkru`` command send mail."""
    return find_smtp(airflow=airflow).value


def smtp_target_from_airflow(conn_id: str = SMTP_CONN_ID) -> SmtpTarget:
    """The Airflow connection `conn_id` as an `SmtpTarget` (it must exist)."""
    conn = _airflow_connection(conn_id)
    if conn is None:
        raise SmtpNotConfigured(f"there is no Airflow connection {conn_id!r}")
    return smtp_target_from_connection(conn)


def smtp_target_from_connection(conn: Any) -> SmtpTarget:
    """An Airflow SMTP connection read by the SMTP provider's hook, so its TLS extras mean what they mean there."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook  # edge only: Airflow is imported inside Airflow

    hook = SmtpHook(smtp_conn_id=conn.conn_id)
    hook.smtp_connection = conn
    security: Security = "ssl" if hook.use_ssl else ("starttls" if hook.smtp_starttls else "none")
    return SmtpTarget(
        host=hook.host or "localhost",
        port=hook.port or (465 if security == "ssl" else 25),
        username=hook.smtp_user or None,
        password=hook.smtp_password or None,
        security=security,
        timeout=float(hook.timeout),
        verify_tls=hook.ssl_context != "none",
    )


def _find(
    conn_id: str,
    env: str,
    state_key: str,
    from_connection: Callable[[Any], Any],
    from_url: Callable[[str], Any],
    *,
    airflow: bool,
) -> Found | None:
    """The rule, once: inside Airflow the connection `conn_id`; then the variable `env`; then the running
    launcher's state file."""
    if airflow:
        conn = _airflow_connection(conn_id)
        if conn is not None:
            return Found(from_connection(conn), f"the Airflow connection {conn_id}")
    url = os.environ.get(env)
    if url:
        return Found(from_url(url), env)
    url = (running_launcher() or {}).get(state_key)
    if url:
        return Found(from_url(url), f"{run_state_file()}, written by the running `make run`")
    return None


def running_launcher() -> dict[str, Any] | None:
    """What the running `make run` wrote to `.data/run.json`, or None when there is no such file, it cannot be
    read, or the process that wrote it is gone (a launcher killed with SIGKILL leaves the file behind)."""
    try:
        state = json.loads(run_state_file().read_text(encoding="utf-8"))
        pid, started = int(state["pid"]), float(state["pid_started"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    with contextlib.suppress(psutil.Error):
        # The start time tells a live launcher from a later process that happens to get the same pid.
        if abs(psutil.Process(pid).create_time() - started) < 1.0:
            return state
    return None


def _airflow_connection(conn_id: str) -> Any | None:
    """The Airflow connection `conn_id`, or None when it is not defined."""
    from airflow.exceptions import AirflowNotFoundException  # edge only: Airflow is imported inside Airflow
    from airflow.sdk import BaseHook

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None
