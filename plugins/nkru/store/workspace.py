"""SQL for the analyst's workspace in the UI: searching stories, one story in full, one entity, failing feeds.

Read-only. The story search is the named query `sql/queries/search_stories.sql` (indexes in migration 013);
the rest are small statements over one story or one entity. Every value is a psycopg2 parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg2.errors
import psycopg2.extras

from nkru.store import Connection
from nkru.store import trends as trend_store

Row = dict[str, Any]


@dataclass(frozen=True)
class StorySearch:
    """What the Stories page asks for; None (or empty) means "any"."""

    query: str | None = None
    entity_ids: tuple[int, ...] = ()
    source: str | None = None
    language: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    min_score: float | None = None
    rule: str | None = None
    limit: int = 50
    offset: int = 0


def like_pattern(text: str) -> str:
    """An ILIKE pattern matching `text` anywhere, with its own %, _ and \\ taken literally."""
    return f"%{_like_escape(text)}%"


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_stories(conn: Connection, search: StorySearch, query_key: str | None) -> tuple[list[Row], int]:
    """One page of matching stories, newest first, and how many match in all.

    `query_key` is the query folded with `alias_key`, so that a spelling of an entity finds its stories in
    every language; the caller computes it (the store does not fold text).
    """
    query = (search.query or "").strip() or None
    rows = trend_store.run(
        conn,
        "search_stories",
        query=query,
        tsquery=text_search_query(conn, query) if query else None,
        pattern=like_pattern(query) if query else None,
        query_key=query_key if query else None,
        query_key_words=f"% {_like_escape(query_key)} %" if query and query_key else None,
        entity_ids=list(search.entity_ids),
        source=search.source,
        language=search.language,
        since=search.since,
        until=search.until,
        min_score=search.min_score,
        rule=search.rule,
        limit=search.limit,
        offset=search.offset,
    )
    total = rows[0]["total"] if rows else 0
    return rows, total


def text_search_query(conn: Connection, query: str) -> str:
    """The words as a tsquery in every language's configuration (nkru_search_query, migration 013), as text.

    Computed before the search and passed to it as a constant, so the planner can estimate from the index's
    statistics how many articles match, and fetch a few hits by id instead of scanning every article.
    """
    with conn, conn.cursor() as cur:
        cur.execute("SELECT nkru_search_query(%s)::text", (query,))
        return cur.fetchone()[0] or ""


def _rows(conn: Connection, sql: str, params: dict[str, Any]) -> list[Row]:
    with conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute(sql, params)
        return [dict(r) for r in cur.fetchall()]


def filter_choices(conn: Connection) -> Row:
    """Values for the Stories page's drop-downs: feeds, languages and alert rules in use."""
    feeds = _rows(conn, "SELECT name FROM feeds ORDER BY enabled DESC, name", {})
    languages = _rows(
        conn,
        "SELECT language, count(*)::integer AS articles FROM articles WHERE relevant AND language IS NOT NULL"
        " GROUP BY language ORDER BY count(*) DESC, language",
        {},
    )
    rules = _rows(conn, "SELECT DISTINCT rule FROM alert_outbox ORDER BY rule", {})
    return {
        "sources": [r["name"] for r in feeds],
        "languages": [r["language"] for r in languages],
        "rules": [r["rule"] for r in rules],
    }


# ------------------------------------------------------------------------------------------- one story


def story(conn: Connection, story_id: int) -> Row | None:
    rows = _rows(
        conn,
        "SELECT id AS story_id, title, published_at, first_seen_at FROM stories WHERE id = %(id)s",
        {"id": story_id},
    )
    return rows[0] if rows else None


def story_articles(conn: Connection, story_id: int) -> list[Row]:
    """Every article of a story, earliest first, with the feed that first carried it and every other feed."""
    return stories_articles(conn, [story_id]).get(story_id, [])


def stories_articles(conn: Connection, story_ids: list[int]) -> dict[int, list[Row]]:
    """`story_articles` of several stories in one query ({story_id: articles}), for a listing of them."""
    rows = _rows(
        conn,
        """SELECT a.story_id, a.id AS article_id, a.title, a.url, a.summary, a.language, a.published_at,
                  a.fetched_at, a.score::float8 AS score, a.relevant, a.reason, a.matched_terms,
                  f.name AS source, f.outlet,
                  ARRAY(SELECT f2.name FROM article_feeds af JOIN feeds f2 ON f2.id = af.feed_id
                        WHERE af.article_id = a.id AND af.feed_id <> a.feed_id ORDER BY f2.name) AS also_in
           FROM articles a JOIN feeds f ON f.id = a.feed_id
           WHERE a.story_id = ANY (%(ids)s::bigint[])
           ORDER BY a.story_id, a.published_at, a.id""",
        {"ids": story_ids},
    )
    by_story: dict[int, list[Row]] = {}
    for row in rows:
        by_story.setdefault(row["story_id"], []).append(row)
    return by_story


def story_joins(conn: Connection, article_ids: list[int]) -> dict[int, Row]:
    """Why each article joined its story ({article_id: {rule, reason}}), when the story grouping records it
    (table story_members, added with event stories in migration 011); empty when it does not."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass('story_members') IS NOT NULL")
        if not cur.fetchone()[0] or not article_ids:
            return {}
    try:
        rows = _rows(
            conn,
            "SELECT article_id, rule, reason FROM story_members WHERE article_id = ANY (%(ids)s::bigint[])",
            {"ids": article_ids},
        )
    except psycopg2.errors.UndefinedColumn:  # another shape of the table: the page shows no reasons
        return {}
    return {r["article_id"]: r for r in rows}


def story_entities(conn: Connection, story_id: int) -> list[Row]:
    """The canonical entities a story's relevant articles name, most articles first."""
    return stories_entities(conn, [story_id]).get(story_id, [])


def stories_entities(conn: Connection, story_ids: list[int]) -> dict[int, list[Row]]:
    """`story_entities` of several stories in one query ({story_id: entities})."""
    rows = _rows(
        conn,
        """SELECT a.story_id, e.id AS entity_id, e.name AS entity, e.label, count(*)::integer AS articles,
                  sum(m.count)::integer AS mentions
           FROM articles a JOIN mentions m ON m.article_id = a.id JOIN entities e ON e.id = m.entity_id
           WHERE a.story_id = ANY (%(ids)s::bigint[]) AND a.relevant
           GROUP BY a.story_id, e.id, e.name, e.label
           ORDER BY a.story_id, count(*) DESC, sum(m.count) DESC, e.name""",
        {"ids": story_ids},
    )
    by_story: dict[int, list[Row]] = {}
    for row in rows:
        by_story.setdefault(row["story_id"], []).append(row)
    return by_story


def story_alerts(conn: Connection, story_id: int) -> list[Row]:
    """The alert e-mails queued for a story: rule, recipient, mode, status, when."""
    return _rows(
        conn,
        """SELECT rule, recipient, mode, status, attempts, created_at, sent_at, last_error
           FROM alert_outbox WHERE story_id = %(id)s ORDER BY created_at, rule, recipient""",
        {"id": story_id},
    )


# ------------------------------------------------------------------------------------------ one entity


def entity(conn: Connection, entity_id: int) -> Row | None:
    rows = _rows(
        conn, "SELECT id AS entity_id, name AS entity, label FROM entities WHERE id = %(id)s", {"id": entity_id}
    )
    return rows[0] if rows else None


def entity_spellings(conn: Connection, entity_id: int) -> list[Row]:
    """Every spelling stored for an entity (what extraction and the gazetteer saw), in alphabetical order."""
    return _rows(
        conn,
        "SELECT alias FROM entity_aliases WHERE entity_id = %(id)s ORDER BY alias_key, alias",
        {"id": entity_id},
    )


def entity_stories(conn: Connection, entity_id: int, limit: int = 20) -> list[Row]:
    """The newest stories naming an entity, with how many outlets carried each."""
    return _rows(
        conn,
        """SELECT s.id AS story_id, s.title, s.published_at, count(DISTINCT a.id)::integer AS articles
           FROM mentions m JOIN articles a ON a.id = m.article_id JOIN stories s ON s.id = a.story_id
           WHERE m.entity_id = %(id)s AND a.relevant
           GROUP BY s.id, s.title, s.published_at
           ORDER BY s.published_at DESC, s.id DESC
           LIMIT %(limit)s""",
        {"id": entity_id, "limit": limit},
    )


def named_with(conn: Connection, entity_id: int, since: date, until: date, limit: int = 15) -> list[Row]:
    """The entities named in the same relevant articles as `entity_id` in [since, until], with their ids."""
    return _rows(
        conn,
        """WITH target AS (
               SELECT m.article_id
               FROM mentions m JOIN articles a ON a.id = m.article_id
               WHERE m.entity_id = %(id)s AND a.relevant
                 AND a.published_at >= nkru_day_start(%(since)s::date)
                 AND a.published_at < nkru_day_start(%(until)s::date + 1)
           )
           SELECT e.id AS entity_id, e.name AS entity, e.label, count(*)::integer AS articles
           FROM target t JOIN mentions m ON m.article_id = t.article_id JOIN entities e ON e.id = m.entity_id
           WHERE m.entity_id <> %(id)s
           GROUP BY e.id, e.name, e.label
           ORDER BY count(*) DESC, e.name
           LIMIT %(limit)s""",
        {"id": entity_id, "since": since, "until": until, "limit": limit},
    )


def entity_id_by_name(conn: Connection, name: str) -> int | None:
    """The id of the entity with this canonical name (the most-covered one when labels differ)."""
    rows = _rows(
        conn,
        """SELECT e.id FROM entities e
           WHERE e.name = %(name)s
           ORDER BY (SELECT count(*) FROM mentions m WHERE m.entity_id = e.id) DESC, e.id LIMIT 1""",
        {"name": name},
    )
    return rows[0]["id"] if rows else None
