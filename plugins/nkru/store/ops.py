"""SQL for operations: failure episodes, operator notices, retention, and what `nkru doctor` asks the database.

Every write is idempotent: reporting the same failure twice in one run, or closing an episode already closed,
changes nothing. Notices are claimed and marked like every queued e-mail, by `nkru.store.outbox`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nkru.store import Cursor, dict_rows

# ------------------------------------------------------------------------------------------------ episodes


@dataclass(frozen=True)
class Episode:
    id: int
    kind: str
    subject: str
    opened_at: datetime
    last_seen_at: datetime
    occurrences: int
    detail: str
    closed_at: datetime | None
    closed_why: str | None


def open_episode(
    cur: Cursor, kind: str, subject: str, detail: str, now: datetime, run_id: str | None = None
) -> tuple[int, bool]:
    """Open an episode for (kind, subject), or note one more failure in the open one. (episode id, opened now).

    A failure reported twice for the same run (the task's callback and the end-of-run check) counts once.
    """
    cur.execute(
        """INSERT INTO ops_episodes (kind, subject, opened_at, last_seen_at, last_run_id, detail)
           VALUES (%(kind)s, %(subject)s, %(now)s, %(now)s, %(run_id)s, %(detail)s)
           ON CONFLICT (kind, subject) WHERE closed_at IS NULL DO UPDATE SET
             last_seen_at = greatest(ops_episodes.last_seen_at, EXCLUDED.last_seen_at),
             occurrences = ops_episodes.occurrences
                           + CASE WHEN EXCLUDED.last_run_id IS NOT DISTINCT FROM ops_episodes.last_run_id
                                  THEN 0 ELSE 1 END,
             last_run_id = EXCLUDED.last_run_id,
             detail = CASE WHEN EXCLUDED.detail <> '' THEN EXCLUDED.detail ELSE ops_episodes.detail END
           RETURNING id, (xmax = 0) AS inserted""",
        {"kind": kind, "subject": subject, "now": now, "run_id": run_id, "detail": detail[:4000]},
    )
    episode_id, inserted = cur.fetchone()
    return episode_id, bool(inserted)


def close_episode(cur: Cursor, kind: str, subject: str, why: str, now: datetime) -> int | None:
    """Close the open episode for (kind, subject), if any; cancel its failure notices not sent yet."""
    cur.execute(
        "UPDATE ops_episodes SET closed_at = %s, closed_why = %s"
        " WHERE kind = %s AND subject = %s AND closed_at IS NULL RETURNING id",
        (now, why, kind, subject),
    )
    row = cur.fetchone()
    if row is None:
        return None
    cur.execute(
        "UPDATE ops_notices SET status = 'cancelled' WHERE episode_id = %s AND event = 'failing'"
        " AND status = 'pending'",
        (row[0],),
    )
    return row[0]


def open_episodes(cur: Cursor, kind: str | None = None) -> list[Episode]:
    cur.execute(
        "SELECT id, kind, subject, opened_at, last_seen_at, occurrences, detail, closed_at, closed_why"
        " FROM ops_episodes WHERE closed_at IS NULL AND (%(kind)s::text IS NULL OR kind = %(kind)s)"
        " ORDER BY opened_at, id",
        {"kind": kind},
    )
    return [Episode(*row) for row in cur.fetchall()]


def episode(cur: Cursor, episode_id: int) -> Episode:
    cur.execute(
        "SELECT id, kind, subject, opened_at, last_seen_at, occurrences, detail, closed_at, closed_why"
        " FROM ops_episodes WHERE id = %s",
        (episode_id,),
    )
    return Episode(*cur.fetchone())


# ------------------------------------------------------------------------------------------------- feeds


def feeds_failing_since(cur: Cursor, before: datetime) -> list[tuple[str, datetime, int, str | None]]:
    """Enabled feeds failing without a success since before `before`: (name, failing_since, failures, error)."""
    cur.execute(
        "SELECT name, failing_since, consecutive_failures, last_error FROM feeds"
        " WHERE enabled AND failing_since IS NOT NULL AND failing_since <= %s ORDER BY name",
        (before,),
    )
    return cur.fetchall()


def feed_states(cur: Cursor, names: list[str]) -> dict[str, tuple[bool, datetime | None]]:
    """{name: (enabled, failing_since)} for the feeds named (missing names are absent)."""
    cur.execute("SELECT name, enabled, failing_since FROM feeds WHERE name = ANY(%s)", (names,))
    return {name: (enabled, since) for name, enabled, since in cur.fetchall()}


# ------------------------------------------------------------------------------------------------ notices


def queue_failing_notices(cur: Cursor, recipients: list[str], now: datetime, message_id) -> int:
    """A 'failing' notice for every open episode and every operator who has none yet; returns how many."""
    added = 0
    for ep in open_episodes(cur):
        for recipient in recipients:
            cur.execute(
                "INSERT INTO ops_notices (episode_id, event, recipient, message_id, created_at)"
                " VALUES (%s, 'failing', %s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1",
                (ep.id, recipient, message_id(ep.id, "failing", recipient), now),
            )
            added += cur.fetchone() is not None
    return added


def queue_recovered_notices(cur: Cursor, now: datetime, message_id) -> int:
    """A 'recovered' notice for every closed episode, to each operator who was told it was failing."""
    cur.execute(
        "SELECT n.episode_id, n.recipient FROM ops_notices n JOIN ops_episodes e ON e.id = n.episode_id"
        " WHERE e.closed_at IS NOT NULL AND n.event = 'failing' AND n.status = 'sent'"
        " AND NOT EXISTS (SELECT 1 FROM ops_notices r WHERE r.episode_id = n.episode_id"
        "                 AND r.event = 'recovered' AND r.recipient = n.recipient)"
    )
    rows = cur.fetchall()
    for episode_id, recipient in rows:
        cur.execute(
            "INSERT INTO ops_notices (episode_id, event, recipient, message_id, created_at)"
            " VALUES (%s, 'recovered', %s, %s, %s) ON CONFLICT DO NOTHING",
            (episode_id, recipient, message_id(episode_id, "recovered", recipient), now),
        )
    return len(rows)


@dataclass(frozen=True)
class Notice:
    episode_id: int
    event: str
    recipient: str
    message_id: str
    attempts: int


def waiting_notices(cur: Cursor) -> list[str]:
    """Message-IDs of the pending notices, oldest first (claimed and marked through `nkru.store.outbox`)."""
    cur.execute(
        "SELECT message_id FROM ops_notices WHERE status = 'pending' ORDER BY created_at, episode_id, event, recipient"
    )
    return [r[0] for r in cur.fetchall()]


def notice(cur: Cursor, message_id: str) -> Notice:
    cur.execute(
        "SELECT episode_id, event, recipient, message_id, attempts FROM ops_notices WHERE message_id = %s",
        (message_id,),
    )
    return Notice(*cur.fetchone())


def count_pending_notices(cur: Cursor) -> int:
    cur.execute("SELECT count(*) FROM ops_notices WHERE status = 'pending'")
    return cur.fetchone()[0]


def notices(cur: Cursor, episode_id: int | None = None) -> list[dict]:
    """Notice rows (all, or one episode's), oldest first, for tests and inspection."""
    cur.execute(
        "SELECT n.episode_id, e.kind, e.subject, n.event, n.recipient, n.status, n.attempts, n.last_error,"
        " n.message_id, n.sent_at FROM ops_notices n JOIN ops_episodes e ON e.id = n.episode_id"
        " WHERE %(id)s::bigint IS NULL OR n.episode_id = %(id)s ORDER BY n.created_at, n.episode_id, n.event,"
        " n.recipient",
        {"id": episode_id},
    )
    return dict_rows(cur)


# ---------------------------------------------------------------------------------------------- retention


def delete_old_irrelevant(cur: Cursor, cutoff: datetime, limit: int) -> int:
    """Delete up to `limit` non-relevant articles first fetched and published before `cutoff`.

    Articles ever processed as relevant (entities extracted, possibly in a story or an alert) are kept even
    if a later rescoring made them non-relevant. Mentions and article_feeds rows go with the article (cascade).
    """
    cur.execute(
        """DELETE FROM articles WHERE id IN (
             SELECT id FROM articles
             WHERE NOT relevant AND extracted_at IS NULL AND story_id IS NULL
               AND fetched_at < %(cutoff)s AND published_at < %(cutoff)s
             ORDER BY fetched_at LIMIT %(limit)s)""",
        {"cutoff": cutoff, "limit": limit},
    )
    return cur.rowcount


def delete_old_fetch_log(cur: Cursor, cutoff: datetime, limit: int) -> int:
    """Delete up to `limit` fetch records older than `cutoff` (each feed's health lives in `feeds`)."""
    cur.execute(
        """DELETE FROM fetch_log WHERE id IN (
             SELECT id FROM fetch_log WHERE fetched_at < %(cutoff)s ORDER BY fetched_at LIMIT %(limit)s)""",
        {"cutoff": cutoff, "limit": limit},
    )
    return cur.rowcount
