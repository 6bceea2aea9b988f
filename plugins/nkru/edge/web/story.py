"""One story (/nkru/stories/ID): every article with outlet, language, link and time; who reported it first and
how long the others took; why it is relevant; the entities; the alert e-mails sent for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from nkru.edge.web import pages
from nkru.store import Connection
from nkru.store import workspace as ws_store


@dataclass(frozen=True)
class Outlet:
    """A feed that carried the story: when it first did, how long after the first report, in which languages."""

    name: str
    first_at: datetime
    behind: timedelta
    languages: tuple[str, ...]
    articles: int


def outlets(articles: list[dict[str, Any]]) -> list[Outlet]:
    """Each outlet that carried any of the story's articles, the first reporter first.

    An article carried by several feeds (a syndicated wire copy) counts for each of them at its publication time.
    """
    seen: dict[str, dict[str, Any]] = {}
    for article in articles:
        for name in (article["source"], *article["also_in"]):
            entry = seen.setdefault(name, {"first_at": article["published_at"], "languages": set(), "articles": 0})
            entry["first_at"] = min(entry["first_at"], article["published_at"])
            entry["articles"] += 1
            if article["language"]:
                entry["languages"].add(article["language"])
    if not seen:
        return []
    first = min(e["first_at"] for e in seen.values())
    # stable: at the same minute, the feed an article came from stays before the feeds that also carried it
    ordered = sorted(seen.items(), key=lambda item: item[1]["first_at"])
    return [
        Outlet(name, e["first_at"], e["first_at"] - first, tuple(sorted(e["languages"])), e["articles"])
        for name, e in ordered
    ]


def _joined(join: dict[str, Any] | None) -> str | None:
    """Why an article joined its story, in one line: the grouping rule, then the reason's facts."""
    if not join:
        return None
    facts = []
    for key, value in (join.get("reason") or {}).items():
        if value in (None, "", [], {}):
            continue
        shown = ", ".join(str(v) for v in value[:6]) if isinstance(value, list) else str(value)
        facts.append(f"{key.replace('_', ' ')} {shown}")
    return "; ".join([join.get("rule") or "grouped", *facts])[:400]


def render_story(conn: Connection, story_id: int, base: str = pages.DEFAULT_BASE) -> str | None:
    """The story's page, or None when there is no such story."""
    story = ws_store.story(conn, story_id)
    if story is None:
        return None
    articles = ws_store.story_articles(conn, story_id)
    joins = ws_store.story_joins(conn, [a["article_id"] for a in articles])
    articles = [{**a, "joined": _joined(joins.get(a["article_id"]))} for a in articles]
    relevant = [a for a in articles if a["relevant"]] or articles
    best = max(relevant, key=lambda a: a["score"]) if relevant else None
    carried = outlets(relevant)
    return pages.render(
        "story.html",
        base=base,
        story=story,
        articles=articles,
        outlets=carried,
        first=carried[0] if carried else None,
        best=best,
        languages=sorted({a["language"] for a in relevant if a["language"]}),
        entities=ws_store.story_entities(conn, story_id),
        alerts=ws_store.story_alerts(conn, story_id),
    )
