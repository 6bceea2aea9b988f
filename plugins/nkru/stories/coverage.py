"""The coverage line of a story, in its alert, the digest and `nkru stories`: who reported the event first and
who followed ("First reported by Yonhap (ko) at 2026-03-25 07:30 UTC, then 2 more reports from 2 other outlets in
3 languages (en, ko, ru): TASS (ru) 08:00, Reuters (en) 09:00."). One alert per event: later reports do not alert
again (except once as an update, `alerts`), they are listed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from nkru.store.stories import StoryReport

COVERAGE_LISTED = 10  # later reports named one by one in a story's coverage line


def coverage(reports: Iterable[StoryReport | dict], listed: int = COVERAGE_LISTED) -> str:
    """'First reported by Yonhap (ko) at 2026-03-25 07:30 UTC, then 2 more reports from 2 other outlets in
    3 languages (en, ko, ru): TASS (ru) 08:00, Reuters (en) 09:00.' Reports are `StoryReport`s or dicts with
    outlet, language and published_at, first published first; at most `listed` later ones are named."""
    rows = [
        r if isinstance(r, dict) else {"outlet": r.outlet, "language": r.language, "published_at": r.published_at}
        for r in reports
    ]
    if not rows:
        return ""
    for row in rows:
        when = row["published_at"]
        row["when"] = (datetime.fromisoformat(when) if isinstance(when, str) else when).astimezone(UTC)
    first, later = rows[0], rows[1:]
    text = f"First reported by {_outlet(first)} at {first['when']:%Y-%m-%d %H:%M} UTC"
    outlets = {r["outlet"] for r in later} - {first["outlet"]}
    languages = sorted({r["language"] for r in rows if r.get("language")})
    if later:
        text += (
            f", then {len(later)} more report{'s' if len(later) != 1 else ''}"
            f" from {len(outlets)} other outlet{'s' if len(outlets) != 1 else ''}"
        )
    if len(languages) > 1:
        text += f" in {len(languages)} languages ({', '.join(languages)})"
    if later:
        named = [
            f"{_outlet(r)} {r['when']:%H:%M}"
            if r["when"].date() == first["when"].date()
            else f"{_outlet(r)} {r['when']:%Y-%m-%d %H:%M}"
            for r in later[:listed]
        ]
        more = f" and {len(later) - listed} more" if len(later) > listed else ""
        text += ": " + ", ".join(named) + more
    return text + "."


def _outlet(row: dict) -> str:
    return f"{row['outlet']} ({row['language']})" if row.get("language") else str(row["outlet"])
