"""SQL for the trend layer: runs the named queries in `sql/queries/` and keeps the daily aggregates current.

Every query is a file a `psql` user can read and run; this module only binds parameters (always as psycopg2
parameters, never by formatting SQL) and returns rows as dicts, ready for a table, a chart or JSON.
Days are UTC calendar days; windows are inclusive [since, until].
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any, Literal

import psycopg2.extras

from nkru.paths import sql_dir
from nkru.store import Connection

Row = dict[str, Any]
Bucket = Literal["day", "week"]


@cache
def query_text(name: str) -> str:
    """The SQL of `sql/queries/NAME.sql`, exactly as a psql user would read it."""
    path = sql_dir() / "queries" / f"{name}.sql"
    return path.read_text(encoding="utf-8")


def query_names() -> list[str]:
    """Names of every query file in `sql/queries/`."""
    return sorted(p.stem for p in (sql_dir() / "queries").glob("*.sql"))


def run(conn: Connection, name: str, **params: Any) -> list[Row]:
    """Run a named query with named parameters in its own transaction; rows as dicts.

    JIT is off for these: they read a few thousand aggregate rows in milliseconds, and PostgreSQL's JIT
    compiler, triggered by pessimistic cost estimates, would spend a few hundred milliseconds compiling.
    """
    with conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute("SET LOCAL jit = off")
        cur.execute("SET LOCAL work_mem = '32MB'")
        cur.execute(query_text(name), params)
        return [dict(row) for row in cur.fetchall()]


def is_ready(conn: Connection) -> bool:
    """Whether the trend tables exist (the 003 migration is applied)."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass('entity_daily') IS NOT NULL")
        return bool(cur.fetchone()[0])


def has_articles(conn: Connection) -> bool:
    """Whether anything was ever stored, to tell 'empty database' from 'empty window'."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM articles)")
        return bool(cur.fetchone()[0])


def refresh_daily(conn: Connection, since_day: date | None = None, until_day: date | None = None) -> int:
    """Bring the daily aggregates up to date; return how many days were recomputed.

    Recomputes every day from `since_day` to `until_day` (default today, UTC), plus every day whose articles,
    mentions or stories changed since the last refresh (triggers record them), so `refresh_daily(conn)` alone
    is enough after storing. Idempotent and safe to run concurrently; commits its own transaction.
    """
    with conn, conn.cursor() as cur:
        cur.execute("SELECT nkru_refresh_daily(%s, %s)", (since_day, until_day))
        return int(cur.fetchone()[0])


def volume(conn: Connection, since: date, until: date, bucket: Bucket = "day") -> list[Row]:
    """Articles, relevant articles and new stories per day or week, zero-filled."""
    return run(conn, "volume", since=since, until=until, bucket=bucket)


def volume_by_feed(conn: Connection, since: date, until: date, bucket: Bucket = "day") -> list[Row]:
    """Articles and relevant articles per feed per day or week, zero-filled."""
    return run(conn, "volume_by_feed", since=since, until=until, bucket=bucket)


def top_entities(conn: Connection, since: date, until: date, label: str | None = None, limit: int = 10) -> list[Row]:
    """The entities in the most relevant articles of the window, ranked within each label."""
    return run(conn, "top_entities", since=since, until=until, label=label, limit=limit)


def find_entities(conn: Connection, keys: list[str], ids: list[int] | None = None) -> list[Row]:
    """Entities any of these alias keys (or ids) lead to, most-covered first."""
    return run(conn, "find_entity", keys=keys, ids=ids or [])


def entity_names(conn: Connection) -> list[Row]:
    """Every alias and canonical name, for 'did you mean' suggestions."""
    return run(conn, "entity_names")


def entity_trend(conn: Connection, entity_id: int, since: date, until: date, bucket: Bucket = "day") -> list[Row]:
    """One entity's relevant articles and mentions per day or week, zero-filled."""
    return run(conn, "entity_trend", entity_id=entity_id, since=since, until=until, bucket=bucket)


def rising_entities(
    conn: Connection,
    since: date,
    until: date,
    baseline_since: date,
    min_count: int = 3,
    label: str | None = None,
    limit: int = 20,
) -> list[Row]:
    """Entities above their usual level: recent window [since, until] against [baseline_since, since)."""
    return run(
        conn,
        "rising_entities",
        since=since,
        until=until,
        baseline_since=baseline_since,
        min_count=min_count,
        label=label,
        limit=limit,
    )


def rising_pairs(
    conn: Connection, since: date, until: date, baseline_since: date, min_count: int = 3, limit: int = 20
) -> list[Row]:
    """Pairs named together more than usual, same windows and score as `rising_entities`."""
    return run(
        conn, "rising_pairs", since=since, until=until, baseline_since=baseline_since, min_count=min_count, limit=limit
    )


def cooccurring(conn: Connection, entity_id: int, since: date, until: date, limit: int = 20) -> list[Row]:
    """The entities named in the same relevant articles as `entity_id`, with counts."""
    return run(conn, "cooccur", entity_id=entity_id, since=since, until=until, limit=limit)


def top_pairs(conn: Connection, since: date, until: date, limit: int = 10) -> list[Row]:
    """The pairs named together in the most relevant articles of the window."""
    return run(conn, "top_pairs", since=since, until=until, limit=limit)


def feed_coverage(conn: Connection, since: date, until: date, baseline_since: date) -> list[Row]:
    """Each feed's health and recent items per day against its usual rate, with a status."""
    return run(conn, "feed_coverage", since=since, until=until, baseline_since=baseline_since)


def latest_stories(conn: Connection, limit: int = 20) -> list[Row]:
    """The newest stories with their first link, source, outlet count and entities."""
    return run(conn, "latest_stories", limit=limit)
