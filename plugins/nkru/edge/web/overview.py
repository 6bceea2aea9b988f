"""The overview page (/nkru/): last 30 days' coverage chart, rising entities, latest stories, feeds in one line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nkru.edge.web import feeds as feeds_page
from nkru.edge.web import pages
from nkru.store import Connection
from nkru.store import trends as trend_store
from nkru.trends import tables


def render_page(conn: Connection, now: datetime, base: str = pages.DEFAULT_BASE) -> str:
    """The overview's HTML for `now`: last 30 days' volume, rising entities, latest stories, feed health."""
    if not trend_store.is_ready(conn):
        return pages.render(
            "overview.html", base=base, error="The news database has no trend tables yet: run `nkru migrate`."
        )
    today = now.astimezone(UTC).date()
    week = today - timedelta(days=6)
    volume = trend_store.volume(conn, today - timedelta(days=29), today)
    feeds = feeds_page.coverage(conn, now)
    rising = trend_store.rising_entities(conn, week, today, week - timedelta(days=28), limit=15)
    return pages.render(
        "overview.html",
        base=base,
        now=now,
        empty=not trend_store.has_articles(conn),
        volume_chart=_volume_chart(volume),
        relevant_30d=sum(r["relevant_articles"] for r in volume),
        rising=[{**r, "spark": tables.spark(r["daily"])} for r in rising],
        stories=trend_store.latest_stories(conn, 20),
        feeds=feeds_page.summary(feeds),
    )


def _volume_chart(rows: list[dict]) -> str | None:
    if not any(r["relevant_articles"] for r in rows):
        return None
    from nkru.trends import charts

    return pages.chart_uri(charts.volume_chart(rows, title="Relevant coverage, last 30 days"))
