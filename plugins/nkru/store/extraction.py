"""SQL for what the process step writes per article: claiming it, its mentions with their entities and spellings,
the gazetteer's spellings, the nationality links, and marking it extracted. Batched: one statement per batch of
articles, whatever its size (issue 15)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import psycopg2.extras

from nkru.store import Cursor

# No entity name or spelling longer than this is stored (extraction keeps names far shorter; this is the backstop).
MAX_NAME_CHARS = 200


def claim_pending_many(cur: Cursor, article_ids: list[int]) -> set[int]:
    """Lock a batch of articles for its extract/group/alert transaction; the ids locked. An article is left out when
    it is no longer pending (another process finished it since it was read) or another transaction holds it now
    (that one will finish it)."""
    cur.execute(
        """SELECT id FROM articles WHERE id = ANY(%s::bigint[]) AND relevant AND extracted_at IS NULL
           ORDER BY id FOR UPDATE SKIP LOCKED""",
        (article_ids,),
    )
    return {row[0] for row in cur.fetchall()}


Mention = tuple[str, str, int, tuple[str, ...]]  # (canonical name, label, count, surface forms)


def save_mentions(cur: Cursor, article_id: int, mentions: list[Mention], alias_key: Callable[[str], str]) -> None:
    """Replace an article's mentions: (canonical name, label, count, surface forms) each.

    Entities and their aliases are upserted; the article's old mentions are replaced, so re-extraction
    (after a gazetteer change) never double counts.
    """
    save_mentions_many(cur, [(article_id, mentions)], alias_key)


def save_mentions_many(cur: Cursor, articles: list[tuple[int, list[Mention]]], alias_key: Callable[[str], str]) -> None:
    """`save_mentions` for a batch of (article id, mentions), in four statements whatever the batch's size."""
    if not articles:
        return
    cur.execute("DELETE FROM mentions WHERE article_id = ANY(%s::bigint[])", ([i for i, _ in articles],))
    kept = [
        (article_id, name, label, count, tuple(f for f in forms if len(f) <= MAX_NAME_CHARS))
        for article_id, mentions in articles
        for name, label, count, forms in mentions
        if len(name) <= MAX_NAME_CHARS
    ]
    if not kept:
        return
    ids = entity_ids(cur, [(name, label) for _, name, label, _, _ in kept])
    psycopg2.extras.execute_values(
        cur,
        "INSERT INTO mentions (article_id, entity_id, count) VALUES %s "
        "ON CONFLICT (article_id, entity_id) DO UPDATE SET count = EXCLUDED.count",
        [(article_id, ids[(name, label)], count) for article_id, name, label, count, _ in kept],
        page_size=len(kept),
    )
    aliases = {
        (alias_key(form), form, ids[(name, label)])
        for _, name, label, _, forms in kept
        for form in (name, *forms)
        if alias_key(form)
    }
    save_aliases(cur, sorted(aliases))


def entity_ids(cur: Cursor, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    rows = psycopg2.extras.execute_values(
        cur,
        "INSERT INTO entities (name, label) VALUES %s "
        "ON CONFLICT (name, label) DO UPDATE SET name = EXCLUDED.name RETURNING id, name, label",
        sorted(set(keys)),
        fetch=True,
        page_size=max(len(keys), 1),
    )
    return {(name, label): entity_id for entity_id, name, label in rows}


def save_aliases(cur: Cursor, aliases: list[tuple[str, str, int]]) -> None:
    """(alias_key, alias, entity_id) rows; existing ones are kept."""
    if aliases:
        psycopg2.extras.execute_values(
            cur,
            "INSERT INTO entity_aliases (alias_key, alias, entity_id) VALUES %s ON CONFLICT DO NOTHING",
            aliases,
            page_size=len(aliases),
        )


def seed_gazetteer(cur: Cursor, entries: list[tuple[str, str, str]], alias_key: Callable[[str], str]) -> None:
    """Make every gazetteer spelling findable (`nkru trend "Ким Чен Ын"`) before any article mentions it."""
    if not entries:
        return
    ids = entity_ids(cur, [(name, label) for name, label, _ in entries])
    save_aliases(cur, sorted({(alias_key(a), a, ids[(n, lb)]) for n, lb, a in entries if alias_key(a)}))


def mark_extracted(cur: Cursor, article_id: int, now: datetime, notes: list[str] | None = None) -> None:
    """The article's entities are extracted; `notes` say why anything was cut or skipped (stored, bounded)."""
    mark_extracted_many(cur, [(article_id, notes or [])], now)


def mark_extracted_many(cur: Cursor, articles: list[tuple[int, list[str]]], now: datetime) -> None:
    """`mark_extracted` for a batch of (article id, notes) in one statement."""
    if not articles:
        return
    psycopg2.extras.execute_values(
        cur,
        """UPDATE articles a SET extracted_at = v.now, extract_notes = v.notes
           FROM (VALUES %s) AS v(id, notes, now) WHERE a.id = v.id""",
        [(article_id, _bounded_notes(notes), now) for article_id, notes in articles],
        template="(%s::bigint, %s::text[], %s::timestamptz)",
        page_size=len(articles),
    )


def note_pending_failure(cur: Cursor, article_id: int, reason: str) -> None:
    """Keep why an article could not be processed in its notes; it stays pending (a later run tries again)."""
    cur.execute("UPDATE articles SET extract_notes = %s WHERE id = %s", (_bounded_notes([reason]), article_id))


def _bounded_notes(notes: list[str]) -> list[str]:
    return [n[:300] for n in notes][:20]


def link_nationalities(cur: Cursor, links: list[tuple[str, str]]) -> int:
    """Point each nationality (NORP) at its country: (nationality, country) canonical names.

    The days of articles mentioning a nationality whose link changed are marked for the trend refresh, so
    entity_daily counts them for the country from then on. Returns the number of links changed.
    """
    if not links:
        return 0
    cur.execute(
        """WITH v(norp, country) AS (SELECT * FROM unnest(%s::text[], %s::text[])),
                changed AS (
                    UPDATE entities n SET country_id = c.id
                    FROM v JOIN entities c ON c.name = v.country AND c.label = 'GPE'
                    WHERE n.name = v.norp AND n.label = 'NORP' AND n.country_id IS DISTINCT FROM c.id
                    RETURNING n.id),
                dirty AS (
                    INSERT INTO trend_dirty_days
                    SELECT DISTINCT nkru_day(a.published_at)
                    FROM mentions m JOIN articles a ON a.id = m.article_id
                    WHERE m.entity_id IN (SELECT id FROM changed))
           SELECT count(*) FROM changed""",
        ([n for n, _ in links], [c for _, c in links]),
    )
    return cur.fetchone()[0]
