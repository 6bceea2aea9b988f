"""One entity (/nkru/entities/ID): its timeline, whether it is rising, the entities and stories it appears with,
and every spelling seen for it.

"Rising" is the measure of `nkru rising` (rising_entities.sql): the last 7 days against the 28 before, scored
log2((recent + 1) / (usual + 1)) with the baseline scaled to a week; rising means a score of 1 or more (twice
the usual level, smoothed) with at least 3 articles this week.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from nkru.edge.web import pages
from nkru.store import Connection
from nkru.store import trends as trend_store
from nkru.store import workspace as ws_store

TIMELINE_DAYS = 90
RECENT_DAYS = 7
BASELINE_DAYS = 28
RISING_SCORE = 1.0
RISING_MIN_ARTICLES = 3


def rising(daily: list[int]) -> dict[str, Any]:
    """Recent week against the usual level from the daily counts (the last RECENT_DAYS + BASELINE_DAYS days)."""
    recent = sum(daily[-RECENT_DAYS:])
    baseline = sum(daily[-(RECENT_DAYS + BASELINE_DAYS) : -RECENT_DAYS])
    usual = baseline * RECENT_DAYS / BASELINE_DAYS
    score = math.log2((recent + 1) / (usual + 1))
    return {
        "recent": recent,
        "usual": round(usual, 1),
        "score": round(score, 2),
        "rising": score >= RISING_SCORE and recent >= RISING_MIN_ARTICLES,
    }


def render_entity(conn: Connection, entity_id: int, now: datetime, base: str = pages.DEFAULT_BASE) -> str | None:
    """The entity's page, or None when there is no such entity."""
    entity = ws_store.entity(conn, entity_id)
    if entity is None:
        return None
    today = now.astimezone(UTC).date()
    since = today - timedelta(days=TIMELINE_DAYS - 1)
    daily = trend_store.entity_trend(conn, entity_id, since, today, "day")
    weekly = trend_store.entity_trend(conn, entity_id, since, today, "week")
    chart = None
    if any(r["articles"] for r in weekly):
        from nkru.trends import charts

        chart = pages.chart_uri(charts.trend_chart(weekly, entity["entity"], "week"))
    return pages.render(
        "entity.html",
        base=base,
        now=now,
        entity=entity,
        chart=chart,
        days=TIMELINE_DAYS,
        total=sum(r["articles"] for r in daily),
        rising=rising([r["articles"] for r in daily]),
        named_with=ws_store.named_with(conn, entity_id, since, today),
        stories=ws_store.entity_stories(conn, entity_id),
        spellings=ws_store.entity_spellings(conn, entity_id),
    )
