"""The Feeds page: failures summed up by reason ("21 failing: cannot resolve host"), the health table, and the
sources that have gone quiet although their fetches succeed.

Twenty feeds failing for one reason (no DNS on this machine, say) are one problem, not twenty paragraphs: the
reason is the error without what varies between feeds (host names, addresses, details after a colon); the
grouping is in nkru.trends.tables, which `nkru feeds` uses too.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from nkru.edge.web import pages
from nkru.store import Connection
from nkru.store import trends as trend_store
from nkru.trends import tables
from nkru.trends.tables import failure_groups, failure_reason

RECENT_DAYS = 7
BASELINE_DAYS = 28


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by status, failure groups and the quiet sources, for the Feeds page and the overview."""
    by_status: dict[str, int] = defaultdict(int)
    for row in rows:
        by_status[row["status"]] += 1
    quiet = [r for r in rows if r["status"] in ("silent", "quiet")]
    return {
        "total": sum(1 for r in rows if r["enabled"]),
        "by_status": dict(by_status),
        "failures": failure_groups(rows),
        "quiet": quiet,
    }


def coverage(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    """Each feed's health and its items over the last week against its usual rate (feed_coverage.sql)."""
    today = now.astimezone(UTC).date()
    since = today - timedelta(days=RECENT_DAYS - 1)
    rows = trend_store.feed_coverage(conn, since, today, since - timedelta(days=BASELINE_DAYS))
    return [{**r, "spark": tables.spark(r["daily"]), "failure": _failure(r)} for r in rows]


def _failure(row: dict[str, Any]) -> str | None:
    return failure_reason(row["last_error"], row["last_status"]) if row["status"] == "failing" else None


def render_feeds(conn: Connection, now: datetime, base: str = pages.DEFAULT_BASE) -> str:
    rows = coverage(conn, now)
    return pages.render(
        "feeds.html",
        base=base,
        now=now,
        feeds=rows,
        summary=summary(rows),
        recent_days=RECENT_DAYS,
        quiet_notes=tables.feed_notes([r for r in rows if r["status"] in ("silent", "quiet")], RECENT_DAYS),
    )
