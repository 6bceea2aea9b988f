"""PostgreSQL access: connections and migrations. Every SQL statement the code runs lives in this package.

The caller says which database (a libpq URI): where it is configured is decided at the edge (`nkru.edge.resources`).

We use psycopg2 directly (not Airflow's PostgresHook, which uses psycopg 3 in provider 7.x) so the same code
runs inside Airflow, in the `nkru` command and in tests. Submodules group the statements by concern:
`feeds` (feed list and health), `articles` (items, relevance, entities), `alerts` (stories and the outbox),
`trends` (the named queries in `sql/queries/`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import psycopg2.extensions
import psycopg2.extras
import psycopg2.sql

from nkru.paths import sql_dir

Connection = psycopg2.extensions.connection
Cursor = psycopg2.extensions.cursor

# Advisory lock ids: any constants work; each only has to be the same for every process using the same database.
_MIGRATION_LOCK_ID = 0x6E6B7275
# Held while a process extracts entities, groups articles into stories and queues alerts
# (pipeline_process.process_pending).
PROCESS_LOCK_ID = 0x6E6B7276


def describe_error(exc: psycopg2.Error) -> str:
    """A database failure in words a user can act on.

    A connection the server closed mid-run (a restart, an administrator, a crash) first fails one statement,
    then every later use says only "connection already closed": name what happened, with the server's own
    words from the first failure, and what to check.
    """
    first = _first_database_error(exc)
    detail = (str(first).strip().splitlines() or [type(first).__name__])[0]
    if _connection_lost(first) or _connection_lost(exc):
        return f"the database closed the connection; is it running? ({detail})"
    return f"database error: {str(exc).strip() or type(exc).__name__}"


def _first_database_error(exc: BaseException) -> BaseException:
    """The earliest psycopg2 error in the chain (a rollback on a dead connection hides the real failure)."""
    first = exc
    cause = exc.__context__
    while cause is not None:
        if isinstance(cause, psycopg2.Error):
            first = cause
        cause = cause.__context__
    return first


# SQLSTATE classes for a session the server ended: connection exceptions, and shutdowns by an administrator,
# a crash or a server still starting.
_CONNECTION_LOST = ("08", "57P01", "57P02", "57P03")


def _connection_lost(exc: BaseException) -> bool:
    if isinstance(exc, psycopg2.InterfaceError):
        return True  # "connection already closed": libpq no longer has a session
    if not isinstance(exc, psycopg2.OperationalError):
        return False
    code = exc.pgcode or ""
    return not code or code.startswith(_CONNECTION_LOST)


def connect(url: str, *, application_name: str = "nkru") -> Connection:
    """Open a psycopg2 connection to the libpq URI `url`; timestamps come back tz-aware in UTC.

    Parameters the URI sets itself (`application_name`, `connect_timeout`, `sslmode`...) win over our defaults.
    """
    params = psycopg2.extensions.parse_dsn(url)
    params.setdefault("application_name", application_name)
    params.setdefault("connect_timeout", "10")
    conn = psycopg2.connect(**params)
    with conn.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
    conn.commit()
    return conn


@contextmanager
def connection(url: str) -> Iterator[Connection]:
    """A connection that is closed on exit (psycopg2's own `with conn` only ends the transaction)."""
    conn = connect(url)
    try:
        yield conn
    finally:
        conn.close()


def ensure_database(admin_url: str, name: str) -> None:
    """Create database `name` on the server of `admin_url` unless it exists (`make run`'s embedded server)."""
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if not cur.fetchone():
                cur.execute(psycopg2.sql.SQL("CREATE DATABASE {}").format(psycopg2.sql.Identifier(name)))
    finally:
        conn.close()


@contextmanager
def advisory_lock(conn: Connection, lock_id: int) -> Iterator[None]:
    """Hold a session-level advisory lock on `lock_id` for the `with` block, waiting for it if another session
    holds it.

    Unlike a row lock it outlives the transactions inside the block (each may commit on its own), and it dies
    with the session, so a process that crashes or loses its connection never leaves it held.
    """
    with conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", (lock_id,))
    try:
        yield
    except BaseException:
        # The block's own error is the one to report; an unlock that fails (connection gone) changes nothing.
        with contextlib.suppress(psycopg2.Error):
            _advisory_unlock(conn, lock_id)
        raise
    _advisory_unlock(conn, lock_id)


def _advisory_unlock(conn: Connection, lock_id: int) -> None:
    if conn.closed:
        return  # the session and its locks are gone
    with conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_unlock(%s)", (lock_id,))


def migrate(conn: Connection) -> list[str]:
    """Apply the numbered files in `sql/migrations/` not yet applied, each in its own transaction.

    Safe to run twice and from two processes at once: an advisory lock serialises migrators and the
    `schema_migrations` table records what is applied. Returns the names applied now.
    """
    applied_now: list[str] = []
    with advisory_lock(conn, _MIGRATION_LOCK_ID):
        with conn, conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
        for version, path in migration_files():
            with conn, conn.cursor() as cur:
                cur.execute("SELECT 1 FROM schema_migrations WHERE version = %s", (version,))
                if cur.fetchone():
                    continue
                cur.execute(path.read_text(encoding="utf-8"))
                cur.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, path.name))
                applied_now.append(path.name)
    return applied_now


def applied_migrations(conn: Connection) -> list[str]:
    """Names of the migrations recorded in the database (empty when none were ever applied)."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")
        if not cur.fetchone()[0]:
            return []
        cur.execute("SELECT name FROM schema_migrations ORDER BY version")
        return [r[0] for r in cur.fetchall()]


def migration_files() -> list[tuple[int, Path]]:
    """The numbered files in `sql/migrations/`, (number, path) in order: what `migrate` applies."""
    files = []
    for path in sorted((sql_dir() / "migrations").glob("*.sql")):
        number = path.name.split("_", 1)[0]
        if number.isdigit():
            files.append((int(number), path))
    return sorted(files)


def dict_rows(cur: Cursor) -> list[dict]:
    """The rows left in `cur`, each as a dict keyed by column name."""
    columns = [c.name for c in cur.description]
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
