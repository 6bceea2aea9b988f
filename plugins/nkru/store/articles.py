"""SQL for feed items: storing them with their relevance, finding those still to extract, analysts' aliases
and the queries over them. What extraction writes (mentions, entities, spellings) is in `store.extraction`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg2.extras

from nkru.store import Cursor, dict_rows
from nkru.store.extraction import entity_ids, save_aliases


@dataclass(frozen=True)
class StoredArticle:
    """A relevant article as the extract/alert step sees it (one row of `articles` plus its source's name)."""

    id: int
    url: str
    title: str
    summary: str
    language: str | None
    published_at: datetime
    fetched_at: datetime
    feed_name: str
    score: float
    matched_terms: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class NewArticle:
    """A parsed, scored feed item ready to store."""

    url: str
    guid: str
    title: str
    summary: str
    language: str | None  # detected from the text (nkru.language)
    published_at: datetime
    score: float
    relevant: bool
    matched_terms: tuple[str, ...]
    reason: str
    declared_language: str | None = None  # what the feed said


def save_articles(cur: Cursor, feed_id: int, articles: list[NewArticle], fetched_at: datetime) -> int:
    """Store a feed's items; return how many articles are new to the database (see `save_articles_many`)."""
    return save_articles_many(cur, [(feed_id, articles, fetched_at)]).get(feed_id, 0)


def save_articles_many(cur: Cursor, feeds: list[tuple[int, list[NewArticle], datetime]]) -> dict[int, int]:
    """Store the items of several feeds, each given as (feed id, items, fetch time), with one statement per
    table for all of them; return {feed id: articles new to the database}.

    One row per canonical URL however many feeds carry it (`ON CONFLICT (url) DO NOTHING`: the first feed in
    `feeds` that carries a new URL is its feed), and a row in `article_feeds` for each feed that carried it. An
    item whose guid its feed already delivered under another link is the same item, not a new article. A
    headline the outlet edited since is stored (`save_edited_titles`). Running this twice changes nothing the
    second time, and storing feeds together gives what storing them one after another in the same order gives.
    """
    feeds = [(feed_id, articles, fetched_at) for feed_id, articles, fetched_at in feeds if articles]
    if not feeds:
        return {}
    save_edited_titles_many(cur, [(feed_id, articles) for feed_id, articles, _ in feeds])
    known = _known_guids(cur, [(feed_id, a.guid) for feed_id, articles, _ in feeds for a in articles])
    fresh = [(f, a, at) for f, articles, at in feeds for a in articles if (f, a.guid) not in known]
    if not fresh:
        return {}
    inserted = psycopg2.extras.execute_values(
        cur,
        """INSERT INTO articles (url, guid, title, summary, language, published_at, fetched_at, feed_id,
                                 score, relevant, matched_terms, reason, declared_language, first_title)
           VALUES %s ON CONFLICT (url) DO NOTHING RETURNING feed_id""",
        [
            (
                a.url,
                a.guid,
                a.title,
                a.summary,
                a.language,
                a.published_at,
                fetched_at,
                feed_id,
                a.score,
                a.relevant,
                list(a.matched_terms),
                a.reason,
                a.declared_language,
                a.title,
            )
            for feed_id, a, fetched_at in fresh
        ],
        fetch=True,
        page_size=len(fresh),
    )
    psycopg2.extras.execute_values(
        cur,
        """INSERT INTO article_feeds (article_id, feed_id, guid, first_seen_at)
           SELECT a.id, v.feed_id, v.guid, v.seen FROM (VALUES %s) AS v(url, guid, feed_id, seen)
           JOIN articles a ON a.url = v.url
           ON CONFLICT (article_id, feed_id) DO NOTHING""",
        [(a.url, a.guid, feed_id, fetched_at) for feed_id, a, fetched_at in fresh],
        template="(%s, %s, %s::integer, %s::timestamptz)",
        page_size=len(fresh),
    )
    new: dict[int, int] = {}
    for (feed_id,) in inserted:
        new[feed_id] = new.get(feed_id, 0) + 1
    return new


def save_edited_titles(cur: Cursor, feed_id: int, articles: list[NewArticle]) -> None:
    """Store the headlines an outlet edited after publication (see `save_edited_titles_many`)."""
    save_edited_titles_many(cur, [(feed_id, articles)])


def save_edited_titles_many(cur: Cursor, feeds: list[tuple[int, list[NewArticle]]]) -> None:
    """Store the headline an outlet edited after publication: `title` becomes the feed's latest, `first_title`
    keeps the first. Only the feed that first carried an article edits it (a copy elsewhere under another
    headline would make the title flip between them on every run); the item is found by its link or by the
    guid this feed gave it. Relevance and stories stay as decided on the first headline.
    """
    latest: dict[tuple[int, str], tuple[str, str | None, str, int]] = {}
    for feed_id, articles in feeds:
        for a in articles:
            if a.title:  # the feed's first copy of a link wins
                latest.setdefault((feed_id, a.url), (a.url, a.guid, a.title, feed_id))
    if not latest:
        return
    psycopg2.extras.execute_values(
        cur,
        """WITH v (url, guid, title, feed_id) AS (VALUES %s),
           found AS (
             SELECT a.id, v.title FROM v JOIN articles a ON a.url = v.url AND a.feed_id = v.feed_id
             UNION ALL
             SELECT af.article_id, v.title
             FROM v JOIN article_feeds af ON af.feed_id = v.feed_id AND af.guid = v.guid
             JOIN articles a ON a.id = af.article_id AND a.feed_id = v.feed_id),
           edited AS (SELECT DISTINCT ON (id) id, title FROM found ORDER BY id)
           UPDATE articles a SET title = e.title, first_title = coalesce(a.first_title, a.title)
           FROM edited e
           WHERE a.id = e.id AND a.title <> e.title""",
        list(latest.values()),
        template="(%s, %s, %s, %s::integer)",
        page_size=len(latest),
    )


def _known_guids(cur: Cursor, pairs: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """The (feed id, guid) pairs among `pairs` that feed already delivered."""
    cur.execute(
        """SELECT af.feed_id, af.guid FROM article_feeds af
           JOIN unnest(%s::integer[], %s::text[]) AS v(feed_id, guid) ON af.feed_id = v.feed_id AND af.guid = v.guid""",
        ([f for f, _ in pairs], [g for _, g in pairs]),
    )
    return set(cur.fetchall())


def pending_extraction(cur: Cursor, limit: int, exclude: list[int] | None = None) -> list[StoredArticle]:
    """Relevant articles whose entities are not extracted yet (and so whose alerts are not queued), first published
    first (then by URL): stories are grouped in publication order, and the same pending articles are grouped
    the same way whatever order the feeds were fetched and stored in. `exclude`: ids already tried this run."""
    cur.execute(
        """SELECT a.id, a.url, a.title, a.summary, a.language, a.published_at, a.fetched_at, f.name,
                  a.score, a.matched_terms, a.reason
           FROM articles a JOIN feeds f ON f.id = a.feed_id
           WHERE a.relevant AND a.extracted_at IS NULL AND NOT (a.id = ANY(%s::bigint[]))
           ORDER BY a.published_at, a.url LIMIT %s""",
        (exclude or [], limit),
    )
    return [StoredArticle(*row[:9], tuple(row[9]), row[10]) for row in cur.fetchall()]


# --- Analysts' aliases ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnalystAlias:
    alias: str
    name: str
    label: str
    created_at: datetime


def add_alias(cur: Cursor, alias: str, key: str, name: str, label: str) -> None:
    """Store an analyst's alias (replacing an earlier one for the same spelling) and make the spelling findable
    at once (`nkru trend "Kim Čong-un"`); extraction uses it from the next run."""
    cur.execute(
        """INSERT INTO analyst_aliases (alias_key, alias, name, label) VALUES (%s, %s, %s, %s)
           ON CONFLICT (alias_key) DO UPDATE SET alias = EXCLUDED.alias, name = EXCLUDED.name,
                                                label = EXCLUDED.label, created_at = now()""",
        (key, alias, name, label),
    )
    ids = entity_ids(cur, [(name, label)])
    save_aliases(cur, [(key, alias, ids[(name, label)])])


def remove_alias(cur: Cursor, key: str) -> AnalystAlias | None:
    """Forget an analyst's alias; the spellings already stored with past mentions stay until re-extraction."""
    cur.execute("DELETE FROM analyst_aliases WHERE alias_key = %s RETURNING alias, name, label, created_at", (key,))
    row = cur.fetchone()
    return AnalystAlias(*row) if row else None


def list_aliases(cur: Cursor) -> list[AnalystAlias]:
    cur.execute("SELECT alias, name, label, created_at FROM analyst_aliases ORDER BY name, alias")
    return [AnalystAlias(*row) for row in cur.fetchall()]


def analyst_aliases(cur: Cursor) -> list[tuple[str, str, str]]:
    """(alias, canonical name, label) for the extractor."""
    return [(a.alias, a.name, a.label) for a in list_aliases(cur)]


def entity_labels(cur: Cursor, name: str, key: str) -> list[tuple[str, str]]:
    """The (canonical name, label) pairs a name or spelling leads to: to check an alias's target."""
    cur.execute(
        """SELECT e.name, e.label FROM entities e WHERE e.name = %s
           UNION
           SELECT e.name, e.label FROM entity_aliases a JOIN entities e ON e.id = a.entity_id
           WHERE a.alias_key = %s
           ORDER BY 1, 2""",
        (name, key),
    )
    return cur.fetchall()


def unlinked_entities(cur: Cursor, since: datetime, known: list[str], min_articles: int, limit: int) -> list[dict]:
    """Frequent names with no canonical link yet: not gazetteer names, not analysts' alias targets, by articles.

    `known` are the gazetteer's canonical names. Each row has the languages the name was seen in and its
    spellings, for the analyst to decide which alias to add.
    """
    cur.execute(
        """SELECT e.name, e.label, count(DISTINCT a.id) AS articles,
                  array_agg(DISTINCT coalesce(a.language, '?') ORDER BY coalesce(a.language, '?')) AS languages,
                  (SELECT array_agg(x.alias ORDER BY x.alias) FROM (
                       SELECT ea.alias FROM entity_aliases ea WHERE ea.entity_id = e.id ORDER BY ea.alias LIMIT 5
                   ) x) AS spellings
           FROM mentions m
           JOIN articles a ON a.id = m.article_id
           JOIN entities e ON e.id = m.entity_id
           WHERE a.relevant AND a.published_at >= %(since)s
             AND e.country_id IS NULL
             AND NOT (e.name = ANY (%(known)s::text[]))
             AND NOT EXISTS (SELECT 1 FROM analyst_aliases aa WHERE aa.name = e.name)
           GROUP BY e.id, e.name, e.label
           HAVING count(DISTINCT a.id) >= %(min)s
           ORDER BY articles DESC, e.name
           LIMIT %(limit)s""",
        {"since": since, "known": known, "min": min_articles, "limit": limit},
    )
    columns = [c.name for c in cur.description]
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def articles_for_reextract(cur: Cursor, after_id: int, limit: int) -> list[tuple[int, str, str, str | None]]:
    """(id, title, summary, language) of relevant, already extracted articles after `after_id`, in id order:
    history for `nkru reextract`."""
    cur.execute(
        """SELECT id, title, summary, language FROM articles
           WHERE relevant AND extracted_at IS NOT NULL AND id > %s ORDER BY id LIMIT %s""",
        (after_id, limit),
    )
    return cur.fetchall()


def articles_for_rescore(cur: Cursor, after_id: int, limit: int) -> list[tuple[int, str, str, str | None, bool]]:
    """(id, title, summary, declared language, relevant) in id order after `after_id`: history for
    `nkru rescore`."""
    cur.execute(
        """SELECT id, title, summary, declared_language, relevant FROM articles
           WHERE id > %s ORDER BY id LIMIT %s""",
        (after_id, limit),
    )
    return cur.fetchall()


def article_by_url(cur: Cursor, url: str) -> dict | None:
    """A stored article's text and verdict, by its URL (for `nkru explain URL`), or None."""
    cur.execute(
        """SELECT a.id, a.url, a.title, a.summary, a.language, a.declared_language, a.score, a.relevant,
                  a.reason, f.name AS source
           FROM articles a JOIN feeds f ON f.id = a.feed_id
           WHERE a.url = %s""",
        (url,),
    )
    rows = dict_rows(cur)
    return rows[0] if rows else None


def update_relevance(
    cur: Cursor, rows: list[tuple[int, float, bool, list[str], str, str | None]], now: datetime
) -> None:
    """Store new scores and detected languages (id, score, relevant, terms, reason, language); an article that
    became relevant goes back in the extraction queue."""
    psycopg2.extras.execute_values(
        cur,
        """UPDATE articles a SET score = v.score, relevant = v.relevant, matched_terms = v.terms,
                  reason = v.reason, language = v.language, scored_at = v.now,
                  extracted_at = CASE WHEN v.relevant AND NOT a.relevant THEN NULL ELSE a.extracted_at END
           FROM (VALUES %s) AS v(id, score, relevant, terms, reason, language, now) WHERE a.id = v.id""",
        [(*row, now) for row in rows],
        template="(%s::bigint, %s::real, %s::boolean, %s::text[], %s::text, %s::text, %s::timestamptz)",
    )


def count_pending_extraction(cur: Cursor) -> int:
    cur.execute("SELECT count(*) FROM articles WHERE relevant AND extracted_at IS NULL")
    return cur.fetchone()[0]


def entities_named_since(cur: Cursor, since: datetime, top: int, label: str | None) -> list[dict]:
    """Canonical entities by the number of relevant articles mentioning them since `since` (a nationality counts
    for its country, as in the trend tables)."""
    cur.execute(
        """SELECT e.name, e.label, count(DISTINCT a.id) AS articles, sum(m.count) AS mentions
           FROM mentions m
           JOIN articles a ON a.id = m.article_id
           JOIN entities n ON n.id = m.entity_id
           JOIN entities e ON e.id = coalesce(n.country_id, n.id)
           WHERE a.relevant AND a.published_at >= %(since)s
             AND (%(label)s::text IS NULL OR e.label = %(label)s)
           GROUP BY e.id, e.name, e.label
           ORDER BY articles DESC, mentions DESC, e.name
           LIMIT %(top)s""",
        {"since": since, "top": top, "label": label},
    )
    return dict_rows(cur)
