"""SQL for outgoing mail: the three queues (instant alerts, daily digests, operator notices), one claim/mark.

Every queued e-mail is a row with a unique, deterministic `message_id`, a recipient, a status (pending, sent,
failed; notices also cancelled), an attempt count and the last error. `nkru.mail.delivery` walks a queue with
the same four statements for all three: `claim` (lock one pending row, `FOR UPDATE SKIP LOCKED`, so two senders
never send one row), `mark_sent`, `record_failure` (an attempt counted; 'failed' at the limit) and `note_error`
(the server could not be reached: no attempt counted). A digest's stories (`alert_outbox` rows pointing at it)
follow the digest's status. Every write is idempotent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from psycopg2 import sql

from nkru.store import Cursor, dict_rows

MAX_ERROR_CHARS = 2000


def message_id(*parts: object) -> str:
    """A Message-ID that depends only on `parts`: a row sent again after a crash carries the same id, so mail
    clients drop the duplicate. It is the row's idempotency key, hence stored with it when it is queued."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@nkru>"


# ------------------------------------------------------------------------------------- claim and mark


@dataclass(frozen=True)
class Queue:
    """One table of queued e-mails. `label` is the SQL that names a row for people (errors, logs)."""

    table: str
    label: str


ALERTS = Queue("alert_outbox", "'rule ' || rule || ', story ' || story_id")
DIGESTS = Queue("alert_digests", "'rule ' || rule || ', ' || day")
NOTICES = Queue("ops_notices", "event || ' notice of episode ' || episode_id")


@dataclass(frozen=True)
class Claimed:
    """A pending row locked for sending (until the caller's transaction ends)."""

    message_id: str
    recipient: str
    attempts: int
    label: str


def _sql(query: str, queue: Queue) -> sql.Composed:
    """`query` with {table} and {label} of one of the three queues above (never anything else)."""
    return sql.SQL(query).format(table=sql.Identifier(queue.table), label=sql.SQL(queue.label))


def claim(cur: Cursor, queue: Queue, message_id: str) -> Claimed | None:
    """Lock the pending row; None when it was sent, failed or cancelled meanwhile, or another sender holds it."""
    cur.execute(
        _sql(
            "SELECT message_id, recipient, attempts, {label} FROM {table}"
            " WHERE message_id = %s AND status = 'pending' FOR UPDATE SKIP LOCKED",
            queue,
        ),
        (message_id,),
    )
    row = cur.fetchone()
    return Claimed(*row) if row else None


def mark_sent(cur: Cursor, queue: Queue, message_id: str, now: datetime) -> None:
    """The server accepted the message: the row (and a digest's stories) is sent."""
    cur.execute(
        _sql(
            "UPDATE {table} SET status = 'sent', sent_at = %(now)s, attempts = attempts + 1,"
            " last_attempt_at = %(now)s, last_error = NULL WHERE message_id = %(id)s RETURNING attempts",
            queue,
        ),
        {"id": message_id, "now": now},
    )
    if queue is DIGESTS:
        _digest_stories_follow(cur, message_id, "sent", cur.fetchone()[0], None, now)


def record_failure(cur: Cursor, queue: Queue, message_id: str, error: str, now: datetime, max_attempts: int) -> str:
    """Count a failed attempt; the row becomes 'failed' at `max_attempts`. Returns the new status."""
    cur.execute(
        _sql(
            "UPDATE {table} SET attempts = attempts + 1, last_error = %(error)s, last_attempt_at = %(now)s,"
            " status = CASE WHEN attempts + 1 >= %(max)s THEN 'failed' ELSE 'pending' END"
            " WHERE message_id = %(id)s RETURNING status, attempts",
            queue,
        ),
        {"id": message_id, "error": error[:MAX_ERROR_CHARS], "now": now, "max": max_attempts},
    )
    status, attempts = cur.fetchone()
    if queue is DIGESTS:
        _digest_stories_follow(cur, message_id, status, attempts, error, now)
    return status


def note_error(cur: Cursor, queue: Queue, message_id: str, error: str, now: datetime) -> None:
    """Record why a row could not be tried (the mail server is unreachable) without counting an attempt."""
    cur.execute(
        _sql("UPDATE {table} SET last_error = %s, last_attempt_at = %s WHERE message_id = %s", queue),
        (error[:MAX_ERROR_CHARS], now, message_id),
    )


def _digest_stories_follow(
    cur: Cursor, digest_message_id: str, status: str, attempts: int, error: str | None, now: datetime
) -> None:
    """The stories a digest lists take its status and attempt count."""
    cur.execute(
        "UPDATE alert_outbox o SET status = %(status)s, attempts = %(attempts)s, last_error = %(error)s,"
        " last_attempt_at = %(now)s, sent_at = CASE WHEN %(status)s = 'sent' THEN %(now)s ELSE o.sent_at END"
        " FROM alert_digests d WHERE d.message_id = %(id)s AND o.digest_id = d.id AND o.status = 'pending'",
        {
            "id": digest_message_id,
            "status": status,
            "attempts": attempts,
            "error": error[:MAX_ERROR_CHARS] if error else None,
            "now": now,
        },
    )


# ------------------------------------------------------------------------------------- instant alerts


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


def waiting_instant(cur: Cursor) -> list[str]:
    """Message-IDs of the pending instant alerts, oldest first."""
    cur.execute("SELECT message_id FROM alert_outbox WHERE status = 'pending' AND mode = 'instant' ORDER BY id")
    return [r[0] for r in cur.fetchall()]


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
    """One story as an e-mail shows it: the matching article plus what the database knows around it.

    `source` and `other_outlets` are the feeds' display names: the title a feed gives itself, else its name.
    """

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
    coverage: str = ""  # "First reported by … at …, then N more reports …" (filled by nkru.mail)
    language: str | None = None


_ITEM_SQL = """
SELECT a.story_id, a.id, a.title, a.url, a.summary, f.outlet, a.published_at, a.score,
       a.reason, a.matched_terms,
       coalesce((SELECT array_agg(e.name ORDER BY m.count DESC, e.name)
                 FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE m.article_id = a.id), '{}'),
       coalesce((SELECT array_agg(coalesce(nullif(f2.title, ''), f2.name) ORDER BY coalesce(nullif(f2.title, ''),
                                                                                             f2.name))
                 FROM feeds f2
                 WHERE f2.id IN (SELECT s.feed_id FROM articles s WHERE s.story_id = o.story_id AND s.id <> a.id
                                 UNION SELECT af.feed_id FROM article_feeds af JOIN articles s ON s.id = af.article_id
                                       WHERE s.story_id = o.story_id AND s.id <> a.id)
                   AND f2.id NOT IN (SELECT a.feed_id
                                     UNION SELECT feed_id FROM article_feeds WHERE article_id = a.id)), '{}'),
       o.kind = 'update', a.language, o.rule
FROM alert_outbox o JOIN articles a ON a.id = o.article_id JOIN feeds f ON f.id = a.feed_id
"""


def _item(row: tuple) -> StoryItem:
    return StoryItem(*row[:9], tuple(row[9]), tuple(row[10]), tuple(row[11]), bool(row[12]), language=row[13])


def instant_alert(cur: Cursor, message_id: str) -> tuple[str, StoryItem]:
    """(rule, story) of one instant alert."""
    cur.execute(_ITEM_SQL + " WHERE o.message_id = %s", (message_id,))
    row = cur.fetchone()
    return row[14], _item(row)


@dataclass(frozen=True)
class DigestExtras:
    """Extra digest content from another room (the trends charts, `nkru.trends.digest`), added after the stories.

    `text` goes into the plain-text part, `html` into the HTML part as is (the producer escapes what it
    shows), and `images` maps a content id to PNG bytes; the HTML refers to each as `<img src="cid:ID">`.
    Defined here, below both, so that trends and mail need not import each other.
    """

    text: str = ""
    html: str = ""
    images: dict[str, bytes] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- digests


@dataclass(frozen=True)
class DigestRow:
    id: int
    rule: str
    recipient: str
    day: date


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


def waiting_digests(cur: Cursor, rule: str, recipient: str) -> list[str]:
    """Message-IDs of the pending digests of (rule, recipient), oldest day first."""
    cur.execute(
        "SELECT message_id FROM alert_digests WHERE rule = %s AND recipient = %s AND status = 'pending'"
        " ORDER BY day, id",
        (rule, recipient),
    )
    return [r[0] for r in cur.fetchall()]


def digest(cur: Cursor, message_id: str) -> DigestRow:
    cur.execute("SELECT id, rule, recipient, day FROM alert_digests WHERE message_id = %s", (message_id,))
    return DigestRow(*cur.fetchone())


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
