"""Eight weeks of demo coverage from `config/demo_history.yaml`, written out as RSS feeds for `nkru demo`.

The data file holds the outlets, the events (one report in several languages, each carried first by one outlet
and later by others) and the routine coverage behind the trends; this module only dates them back from `now`
and writes one RSS 2.0 file per outlet. The pipeline then reads the feeds like any other: nothing here touches
the database.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml

from nkru.paths import project_root

LINK_BASE = "https://demo.nkru.invalid"
HISTORY_DAYS = 56  # eight weeks


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    language: str


@dataclass(frozen=True)
class DemoItem:
    source: str
    title: str
    summary: str
    published_at: datetime
    link: str


def history_file() -> Path:
    return project_root() / "config" / "demo_history.yaml"


def load(path: Path | None = None) -> dict[str, Any]:
    with (path or history_file()).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def sources(data: dict[str, Any]) -> list[Source]:
    return [Source(s["name"], s["title"], s["language"]) for s in data["sources"]]


def items(data: dict[str, Any], now: datetime) -> list[DemoItem]:
    """Every report and routine item dated back from `now` (UTC), oldest first; nothing later than `now`."""
    out = [*_event_items(data.get("events", []), now), *_routine_items(data.get("routine", []), now)]
    return sorted((i for i in out if i.published_at <= now), key=lambda i: (i.published_at, i.source))


def _day(now: datetime, days_ago: int, hour: int) -> datetime:
    return datetime.combine(now.astimezone(UTC).date() - timedelta(days=days_ago), time(hour), UTC)


def _event_items(events: list[dict[str, Any]], now: datetime) -> list[DemoItem]:
    out = []
    for number, event in enumerate(events):
        start = _day(now, event["days_ago"], event.get("hour", 8))
        for report in event["reports"]:
            first = start + timedelta(minutes=report.get("after_minutes", 0))
            out.append(_item(report["source"], report["title"], report["summary"], first, f"e{number}"))
            for copy in report.get("copies", []):
                at = first + timedelta(minutes=copy["after_minutes"])
                title = copy.get("title", report["title"])
                out.append(_item(copy["source"], title, report["summary"], at, f"e{number}"))
    return out


def _routine_items(routines: list[dict[str, Any]], now: datetime) -> list[DemoItem]:
    out = []
    for routine in routines:
        templates = routine["items"]
        days = range(routine.get("offset", 0), HISTORY_DAYS, routine["every_days"])
        for count, days_ago in enumerate(sorted(days, reverse=True)):
            title, summary = templates[count % len(templates)]
            n = str(3 + count * 7 % 97)  # varies from item to item, so two uses of a template are two reports
            at = _day(now, days_ago, routine.get("hour", 8)) + _jitter(routine["source"], count)
            out.append(_item(routine["source"], title.replace("{n}", n), summary.replace("{n}", n), at, f"r{count}"))
    return out


def _jitter(source: str, count: int) -> timedelta:
    """Up to a day and a half either way, the same on every run: real outlets do not publish like a metronome."""
    spread = zlib.crc32(f"{source}:{count}".encode()) % 37 - 18
    return timedelta(hours=spread)


def _item(source: str, title: str, summary: str, at: datetime, key: str) -> DemoItem:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "item"
    return DemoItem(source, title, summary, at, f"{LINK_BASE}/{source}/{key}-{slug}")


def write_feeds(all_sources: list[Source], all_items: list[DemoItem], directory: Path) -> dict[str, str]:
    """One RSS file per source in `directory`; returns {source name: file name}."""
    by_source: dict[str, list[DemoItem]] = defaultdict(list)
    for item in all_items:
        by_source[item.source].append(item)
    files = {}
    for source in all_sources:
        name = f"{source.name}.xml"
        (directory / name).write_text(_rss(source, by_source[source.name]), encoding="utf-8")
        files[source.name] = name
    return files


def _rss(source: Source, feed_items: list[DemoItem]) -> str:
    entries = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link><guid>{escape(i.link)}</guid>"
        f"<pubDate>{format_datetime(i.published_at)}</pubDate><description>{escape(i.summary)}</description></item>\n"
        for i in sorted(feed_items, key=lambda i: i.published_at, reverse=True)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(source.title)}</title><link>{LINK_BASE}/{source.name}</link>"
        f"<description>Sample coverage written for nkru's demo. Not real news.</description>"
        f"<language>{escape(source.language)}</language>\n{entries}</channel></rss>\n"
    )
