"""SQL for the alert outbox (instant rows and daily digests); the story SQL is in `nkru.store.stories`.

Every write is idempotent: re-running a step after a crash or a retried task changes nothing twice.
The outbox is claimed with `FOR UPDATE SKIP LOCKED`, so two senders never send one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from nkru.store import Cursor, dict_rows
from nkru.store.stories import StoryReport, story_reports, story_times  # noqa: F401  (alerts/outbox.py)

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


# ----------------------------------------------------------------------------------------------- outbox


def queue_alert(
    cur: Cursor,
    *,
    rule: str,
    story_id: int,
    recipient: str,
    mode: str,
    article_id: int,
    message_id: str,
    now: datetime,
    kind: str = "first",
) -> bool:
    """Add one outbox row unless (rule, story, recipient, kind) already has one; True when added."""
    cur.execute(
        "INSERT INTO alert_outbox (rule, story_id, recipient, mode, article_id, message_id, created_at, kind)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
        (rule, story_id, recipient, mode, article_id, message_id, now, kind),
    )
    return cur.fetchone() is not None


@dataclass(frozen=True)
class OutboxRow:
    id: int
    rule: str
    story_id: int
    recipient: str
    article_id: int
    message_id: str
    attempts: int


def claim_next_instant(cur: Cursor, after_id: int) -> OutboxRow | None:
    """Lock the next pending instant row after `after_id`; rows another sender holds are skipped."""
    cur.execute(
        "SELECT id, rule, story_id, recipient, article_id, message_id, attempts FROM alert_outbox"
        " WHERE status = 'pending' AND mode = 'instant' AND id > %s"
        " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
        (after_id,),
    )
    row = cur.fetchone()
    return OutboxRow(*row) if row else None


def mark_sent(cur: Cursor, outbox_id: int, now: datetime) -> None:
    cur.execute(
        "UPDATE alert_outbox SET status = 'sent', sent_at = %s, attempts = attempts + 1, last_attempt_at = %s,"
        " last_error = NULL WHERE id = %s",
        (now, now, outbox_id),
    )


def record_failure(cur: Cursor, outbox_id: int, error: str, now: datetime, max_attempts: int) -> str:
    """Count a failed attempt; the row becomes 'failed' at `max_attempts`. Returns the new status."""
    cur.execute(
        "UPDATE alert_outbox SET attempts = attempts + 1, last_error = %s, last_attempt_at = %s,"
        " status = CASE WHEN attempts + 1 >= %s THEN 'failed' ELSE 'pending' END"
        " WHERE id = %s RETURNING status",
        (error[:2000], now, max_attempts, outbox_id),
    )
    return cur.fetchone()[0]


def note_error(cur: Cursor, outbox_id: int, error: str, now: datetime) -> None:
    """Record why a row could not be tried (mail server unreachable) without counting an attempt."""
    cur.execute(
        "UPDATE alert_outbox SET last_error = %s, last_attempt_at = %s WHERE id = %s",
        (error[:2000], now, outbox_id),
    )


def count_pending(cur: Cursor, mode: str) -> int:
    cur.execute("SELECT count(*) FROM alert_outbox WHERE status = 'pending' AND mode = %s", (mode,))
    return cur.fetchone()[0]


def count_failed(cur: Cursor) -> int:
    cur.execute("SELECT count(*) FROM alert_outbox WHERE status = 'failed'")
    return cur.fetchone()[0]


def list_outbox(cur: Cursor, statuses: list[str] | None, since: datetime | None, limit: int) -> list[dict]:
    """Outbox rows for `nkru alerts`, newest first, with the story's headline."""
    cur.execute(
        "SELECT o.id, o.status, o.mode, o.rule, o.recipient, o.story_id, s.title AS story_title,"
        " o.attempts, o.last_error, o.message_id, o.created_at, o.last_attempt_at, o.sent_at"
        " FROM alert_outbox o JOIN stories s ON s.id = o.story_id"
        " WHERE (%(statuses)s::text[] IS NULL OR o.status = ANY(%(statuses)s::text[]))"
        " AND (%(since)s::timestamptz IS NULL OR o.created_at >= %(since)s::timestamptz)"
        " ORDER BY o.created_at DESC, o.id DESC LIMIT %(limit)s",
        {"statuses": statuses, "since": since, "limit": limit},
    )
    return dict_rows(cur)


# ------------------------------------------------------------------------------------ what e-mails show


@dataclass(frozen=True)
class StoryItem:
    """One story as an e-mail shows it: the matching article plus what the database knows around it."""

    story_id: int
    article_id: int
    title: str
    url: str
    summary: str
    source: str
    published_at: datetime
    score: float
    reason: str
    matched_terms: tuple[str, ...]
    entities: tuple[str, ...]
    other_outlets: tuple[str, ...]
    update: bool = False  # an update alert: a later report changed the picture (issue 16)
    coverage: str = ""  # "First reported by … at …, then N more reports …" (filled by nkru.alerts)


_ITEM_SQL = """
SELECT a.story_id, a.id, a.title, a.url, a.summary, f.name, a.published_at, a.score, a.reason, a.matched_terms,
       coalesce((SELECT array_agg(e.name ORDER BY m.count DESC, e.name)
                 FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE m.article_id = a.id), '{}'),
       coalesce((SELECT array_agg(f2.name ORDER BY f2.name) FROM feeds f2
                 WHERE f2.id IN (SELECT s.feed_id FROM articles s WHERE s.story_id = o.story_id AND s.id <> a.id
                                 UNION SELECT af.feed_id FROM article_feeds af JOIN articles s ON s.id = af.article_id
                                       WHERE s.story_id = o.story_id AND s.id <> a.id)
                   AND f2.id NOT IN (SELECT a.feed_id
                                     UNION SELECT feed_id FROM article_feeds WHERE article_id = a.id)), '{}'),
       o.kind = 'update'
FROM alert_outbox o JOIN articles a ON a.id = o.article_id JOIN feeds f ON f.id = a.feed_id
"""


def _item(row: tuple) -> StoryItem:
    return StoryItem(*row[:9], tuple(row[9]), tuple(row[10]), tuple(row[11]), bool(row[12]))


def story_item(cur: Cursor, outbox_id: int) -> StoryItem:
    cur.execute(_ITEM_SQL + " WHERE o.id = %s", (outbox_id,))
    return _item(cur.fetchone())


# ---------------------------------------------------------------------------------------------- digests


@dataclass(frozen=True)
class DigestRow:
    id: int
    rule: str
    recipient: str
    day: date
    message_id: str
    attempts: int


def open_digest(cur: Cursor, rule: str, recipient: str, day: date, message_id: str, now: datetime) -> None:
    """Create the day's digest for (rule, recipient) when stories are waiting for one."""
    cur.execute(
        "INSERT INTO alert_digests (rule, recipient, day, message_id, created_at)"
        " SELECT %(rule)s, %(recipient)s, %(day)s, %(message_id)s, %(now)s WHERE EXISTS ("
        "  SELECT 1 FROM alert_outbox WHERE rule = %(rule)s AND recipient = %(recipient)s AND mode = 'digest'"
        "  AND status = 'pending' AND digest_id IS NULL)"
        " ON CONFLICT DO NOTHING",
        {"rule": rule, "recipient": recipient, "day": day, "message_id": message_id, "now": now},
    )


def pending_digest_ids(cur: Cursor, rule: str, recipient: str) -> list[int]:
    cur.execute(
        "SELECT id FROM alert_digests WHERE rule = %s AND recipient = %s AND status = 'pending' ORDER BY day, id",
        (rule, recipient),
    )
    return [r[0] for r in cur.fetchall()]


def claim_digest(cur: Cursor, digest_id: int) -> DigestRow | None:
    """Lock a pending digest, or None when it is sent, failed or held by another sender."""
    cur.execute(
        "SELECT id, rule, recipient, day, message_id, attempts FROM alert_digests"
        " WHERE id = %s AND status = 'pending' FOR UPDATE SKIP LOCKED",
        (digest_id,),
    )
    row = cur.fetchone()
    return DigestRow(*row) if row else None


def attach_to_digest(cur: Cursor, digest: DigestRow) -> None:
    """Move the stories waiting for (rule, recipient) into this digest; they go out with it."""
    cur.execute(
        "UPDATE alert_outbox SET digest_id = %s WHERE rule = %s AND recipient = %s AND mode = 'digest'"
        " AND status = 'pending' AND digest_id IS NULL",
        (digest.id, digest.rule, digest.recipient),
    )


def digest_items(cur: Cursor, digest_id: int) -> list[StoryItem]:
    """The stories a digest lists, newest first."""
    cur.execute(_ITEM_SQL + " WHERE o.digest_id = %s ORDER BY a.published_at DESC, o.id", (digest_id,))
    return [_item(r) for r in cur.fetchall()]


def waiting_digest_items(cur: Cursor, rule: str, recipient: str) -> list[StoryItem]:
    """The stories the next digest of (rule, recipient) would list, newest first: everything pending for it."""
    cur.execute(
        _ITEM_SQL + " WHERE o.rule = %s AND o.recipient = %s AND o.mode = 'digest' AND o.status = 'pending'"
        " ORDER BY a.published_at DESC, o.id",
        (rule, recipient),
    )
    return [_item(r) for r in cur.fetchall()]


def delete_digest(cur: Cursor, digest_id: int) -> None:
    cur.execute("DELETE FROM alert_digests WHERE id = %s AND status = 'pending'", (digest_id,))


def mark_digest_sent(cur: Cursor, digest_id: int, now: datetime) -> None:
    cur.execute(
        "UPDATE alert_digests SET status = 'sent', sent_at = %(now)s, attempts = attempts + 1,"
        " last_attempt_at = %(now)s, last_error = NULL WHERE id = %(id)s",
        {"id": digest_id, "now": now},
    )
    cur.execute(
        "UPDATE alert_outbox SET status = 'sent', sent_at = %(now)s, attempts = attempts + 1,"
        " last_attempt_at = %(now)s, last_error = NULL WHERE digest_id = %(id)s AND status = 'pending'",
        {"id": digest_id, "now": now},
    )


def record_digest_failure(cur: Cursor, digest_id: int, error: str, now: datetime, max_attempts: int) -> str:
    """Count a failed attempt on the digest and on the stories it lists; 'failed' at `max_attempts`."""
    params = {"id": digest_id, "error": error[:2000], "now": now, "max": max_attempts}
    cur.execute(
        "UPDATE alert_digests SET attempts = attempts + 1, last_error = %(error)s, last_attempt_at = %(now)s,"
        " status = CASE WHEN attempts + 1 >= %(max)s THEN 'failed' ELSE 'pending' END"
        " WHERE id = %(id)s RETURNING status, attempts",
        params,
    )
    status, attempts = cur.fetchone()
    cur.execute(
        "UPDATE alert_outbox SET attempts = %(attempts)s, last_error = %(error)s, last_attempt_at = %(now)s,"
        " status = %(status)s WHERE digest_id = %(id)s AND status = 'pending'",
        {**params, "attempts": attempts, "status": status},
    )
    return status


def note_digest_error(cur: Cursor, digest_id: int, error: str, now: datetime) -> None:
    """Record why a digest could not be tried (mail server unreachable) without counting an attempt."""
    cur.execute(
        "UPDATE alert_digests SET last_error = %s, last_attempt_at = %s WHERE id = %s",
        (error[:2000], now, digest_id),
    )
