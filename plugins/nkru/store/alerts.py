"""What the alert rules read when they queue an article: the feeds that carried it, its entities' spellings, and
whether a story's first alert already went out. Queueing, claiming and marking e-mails is `nkru.store.outbox`; the
story SQL is `nkru.store.stories`."""

from __future__ import annotations

from nkru.store import Cursor

# ---------------------------------------------------------------------------------------------- stories


def story_alerted(cur: Cursor, story_id: int, rule: str, recipient: str) -> bool:
    """Whether the story's first alert for (rule, recipient) has gone out."""
    cur.execute(
        "SELECT 1 FROM alert_outbox WHERE story_id = %s AND rule = %s AND recipient = %s AND kind = 'first'"
        " AND status = 'sent'",
        (story_id, rule, recipient),
    )
    return cur.fetchone() is not None


# ------------------------------------------------------------------------------------------- rule facts


def article_sources(cur: Cursor, article_id: int) -> list[str]:
    """Names of every feed that carried the article (its first feed and any later ones)."""
    cur.execute(
        "SELECT f.name FROM feeds f WHERE f.id IN ("
        " SELECT feed_id FROM articles WHERE id = %(id)s"
        " UNION SELECT feed_id FROM article_feeds WHERE article_id = %(id)s) ORDER BY f.name",
        {"id": article_id},
    )
    return [r[0] for r in cur.fetchall()]


def article_entity_keys(cur: Cursor, article_id: int) -> list[str]:
    """Alias keys of every spelling of the entities mentioned in the article (for rule matching)."""
    cur.execute(
        "SELECT DISTINCT ea.alias_key FROM mentions m JOIN entity_aliases ea ON ea.entity_id = m.entity_id"
        " WHERE m.article_id = %s",
        (article_id,),
    )
    return [r[0] for r in cur.fetchall()]
