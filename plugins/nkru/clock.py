"""The time helpers every room uses: nkru keeps and shows every moment in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, tz-aware in UTC (what every stored timestamp is compared with)."""
    return datetime.now(UTC)


def utc_text(moment: datetime | None) -> str:
    """`moment` to the minute in UTC for people ('2026-03-01 06:00 UTC'); '?' when it is unknown."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "?"
