"""SQL for the feed list and each feed's health (last status, error in words, back-off, last new item)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg2.extras

from nkru.config import FeedConfig, FetchConfig
from nkru.store import Cursor


@dataclass(frozen=True)
class FeedRow:
    """What a fetch needs to know about a feed: where it is and the validators for a conditional GET."""

    id: int
    name: str
    url: str
    language: str | None
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class FetchOutcome:
    """How one fetch of one feed went, as recorded in `fetch_log` and the feed's health columns."""

    status: str
    http_status: int | None
    error: str | None
    failed: bool
    elapsed_ms: int
    bytes: int
    etag: str | None
    last_modified: str | None
    items_found: int
    items_new: int
    skip_reasons: dict[str, int]


def sync_feeds(cur: Cursor, feeds: list[FeedConfig]) -> None:
    """Make the `feeds` table match the settings file: add new feeds, update URLs, disable removed ones.

    A changed URL forgets the old validators. Removed feeds are disabled, not deleted, so history stays.
    """
    rows = [(f.name, str(f.url), f.language) for f in feeds]
    psycopg2.extras.execute_values(
        cur,
        """INSERT INTO feeds (name, url, language) VALUES %s
           ON CONFLICT (name) DO UPDATE SET
             etag = CASE WHEN feeds.url = EXCLUDED.url THEN feeds.etag END,
             last_modified = CASE WHEN feeds.url = EXCLUDED.url THEN feeds.last_modified END,
             next_due_at = CASE WHEN feeds.url = EXCLUDED.url AND feeds.enabled THEN feeds.next_due_at
                                ELSE now() END,
             url = EXCLUDED.url, language = EXCLUDED.language, enabled = true""",
        rows,
    )
    cur.execute("UPDATE feeds SET enabled = false WHERE enabled AND NOT (name = ANY(%s))", ([r[0] for r in rows],))


def feeds_to_fetch(cur: Cursor, now: datetime, due_only: bool = True) -> list[FeedRow]:
    """Enabled feeds, the ones whose next due time has come (a minute of slack for scheduler jitter)."""
    cur.execute(
        """SELECT id, name, url, language, etag, last_modified FROM feeds
           WHERE enabled AND (NOT %(due_only)s OR next_due_at <= %(now)s + interval '1 minute')
           ORDER BY next_due_at, id""",
        {"now": now, "due_only": due_only},
    )
    return [FeedRow(*row) for row in cur.fetchall()]


def feed_ids(cur: Cursor, names: list[str]) -> dict[str, int]:
    cur.execute("SELECT name, id FROM feeds WHERE name = ANY(%s)", (names,))
    return dict(cur.fetchall())


def backoff_delay(consecutive_failures: int, settings: FetchConfig) -> timedelta:
    """Healthy: the normal interval. Failing: the interval doubled per failure, capped; never given up."""
    interval = timedelta(minutes=settings.interval_minutes)
    if consecutive_failures <= 0:
        return interval
    cap = timedelta(hours=settings.max_backoff_hours)
    return min(interval * (2 ** min(consecutive_failures, 30)), cap)


def record_fetch(
    cur: Cursor, feed_id: int, outcome: FetchOutcome, run_id: str, now: datetime, settings: FetchConfig
) -> None:
    """Write the fetch to `fetch_log` (once per feed and run) and update the feed's health and back-off."""
    cur.execute(
        """INSERT INTO fetch_log (feed_id, fetched_at, run_id, status, http_status, error, elapsed_ms, bytes,
                                  items_found, items_new, items_skipped, skip_reasons)
           VALUES (%(feed_id)s, %(now)s, %(run_id)s, %(status)s, %(http_status)s, %(error)s, %(elapsed_ms)s,
                   %(bytes)s, %(items_found)s, %(items_new)s, %(items_skipped)s, %(skip_reasons)s)
           ON CONFLICT (feed_id, run_id) DO UPDATE SET
             fetched_at = EXCLUDED.fetched_at, status = EXCLUDED.status, http_status = EXCLUDED.http_status,
             error = EXCLUDED.error, elapsed_ms = EXCLUDED.elapsed_ms, bytes = EXCLUDED.bytes,
             items_found = EXCLUDED.items_found, items_skipped = EXCLUDED.items_skipped,
             skip_reasons = EXCLUDED.skip_reasons,
             items_new = fetch_log.items_new + EXCLUDED.items_new""",
        {
            "feed_id": feed_id,
            "now": now,
            "run_id": run_id,
            "status": outcome.status,
            "http_status": outcome.http_status,
            "error": outcome.error,
            "elapsed_ms": outcome.elapsed_ms,
            "bytes": outcome.bytes,
            "items_found": outcome.items_found,
            "items_new": outcome.items_new,
            "items_skipped": sum(outcome.skip_reasons.values()),
            "skip_reasons": json.dumps(outcome.skip_reasons, ensure_ascii=False),
        },
    )
    if outcome.failed:
        _record_failure(cur, feed_id, outcome, now, settings)
    else:
        _record_success(cur, feed_id, outcome, now, settings)


def _record_success(cur: Cursor, feed_id: int, outcome: FetchOutcome, now: datetime, settings: FetchConfig) -> None:
    cur.execute(
        """UPDATE feeds SET
             last_fetched_at = %(now)s, last_status = %(status)s, last_http_status = %(http_status)s,
             last_error = %(error)s, consecutive_failures = 0, failing_since = NULL, last_success_at = %(now)s,
             etag = CASE WHEN %(status)s = 'not_modified' THEN etag ELSE %(etag)s END,
             last_modified = CASE WHEN %(status)s = 'not_modified' THEN last_modified ELSE %(last_modified)s END,
             last_new_item_at = CASE WHEN %(items_new)s > 0 THEN %(now)s ELSE last_new_item_at END,
             next_due_at = %(next_due)s
           WHERE id = %(feed_id)s""",
        {
            "now": now,
            "status": outcome.status,
            "http_status": outcome.http_status,
            "error": outcome.error,
            "etag": outcome.etag,
            "last_modified": outcome.last_modified,
            "items_new": outcome.items_new,
            "next_due": now + backoff_delay(0, settings),
            "feed_id": feed_id,
        },
    )


def _record_failure(cur: Cursor, feed_id: int, outcome: FetchOutcome, now: datetime, settings: FetchConfig) -> None:
    cur.execute("SELECT consecutive_failures FROM feeds WHERE id = %s FOR UPDATE", (feed_id,))
    failures = cur.fetchone()[0] + 1
    cur.execute(
        """UPDATE feeds SET
             last_fetched_at = %(now)s, last_status = %(status)s, last_http_status = %(http_status)s,
             last_error = %(error)s, consecutive_failures = %(failures)s,
             failing_since = coalesce(failing_since, %(now)s), next_due_at = %(next_due)s
           WHERE id = %(feed_id)s""",
        {
            "now": now,
            "status": outcome.status,
            "http_status": outcome.http_status,
            "error": outcome.error,
            "failures": failures,
            "next_due": now + backoff_delay(failures, settings),
            "feed_id": feed_id,
        },
    )
