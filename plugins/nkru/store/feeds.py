"""SQL for the feed list and each feed's health (last status, error in words, back-off, last new item)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg2.extras

from nkru.config import FeedConfig, FetchConfig
from nkru.feeds.politeness import adapt_interval
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
    check_validators: bool = False  # the daily check of stale validators is due (see nkru.feeds.politeness)


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
    wait_until: datetime | None = None  # 'rate_limited': the host asked us to wait until then
    validators_checked: bool = False  # the validators were checked (see nkru.feeds.politeness)
    hidden_by_304: int = 0  # new items a fetch without validators found right after a 304
    title: str | None = None  # the title the feed gives itself (feeds.title: e-mails show it as the outlet)


def sync_feeds(cur: Cursor, feeds: list[FeedConfig]) -> None:
    """Make the `feeds` table match the settings file: add new feeds, update URLs, disable removed ones.

    A changed URL forgets the old validators. Removed feeds are disabled, not deleted, so history stays.
    """
    rows = [(f.name, str(f.url), f.language, f.display_name) for f in feeds]
    psycopg2.extras.execute_values(
        cur,
        """INSERT INTO feeds (name, url, language, display_name) VALUES %s
           ON CONFLICT (name) DO UPDATE SET
             etag = CASE WHEN feeds.url = EXCLUDED.url THEN feeds.etag END,
             last_modified = CASE WHEN feeds.url = EXCLUDED.url THEN feeds.last_modified END,
             next_due_at = CASE WHEN feeds.url = EXCLUDED.url AND feeds.enabled THEN feeds.next_due_at
                                ELSE now() END,
             url = EXCLUDED.url, language = EXCLUDED.language, display_name = EXCLUDED.display_name,
             enabled = true""",
        rows,
    )
    cur.execute("UPDATE feeds SET enabled = false WHERE enabled AND NOT (name = ANY(%s))", ([r[0] for r in rows],))


def outlet_names(cur: Cursor, names: list[str] | None = None) -> dict[str, str]:
    """{feed name: how the outlet is shown} (`feeds.outlet`: the settings file's display name, else the title the
    feed gives itself, else the name) for the named feeds, or for every feed."""
    cur.execute("SELECT name, outlet FROM feeds WHERE %s IS NULL OR name = ANY(%s)", (names, names))
    return dict(cur.fetchall())


def feeds_to_fetch(
    cur: Cursor, now: datetime, due_only: bool = True, validator_check_hours: float = 24
) -> list[FeedRow]:
    """Enabled feeds, the ones whose next due time has come (a minute of slack for scheduler jitter), except
    those on a host that asked us to wait. Feeds caught with stale validators are fetched without them."""
    cur.execute(
        """SELECT id, name, url, language,
                  CASE WHEN validators_ignored_since IS NULL THEN etag END,
                  CASE WHEN validators_ignored_since IS NULL THEN last_modified END,
                  validators_ignored_since IS NULL AND (etag IS NOT NULL OR last_modified IS NOT NULL)
                    AND coalesce(validators_checked_at, '-infinity')
                        <= %(now)s - make_interval(secs => %(check_hours)s * 3600) + interval '1 minute'
           FROM feeds
           WHERE enabled AND (NOT %(due_only)s OR next_due_at <= %(now)s + interval '1 minute')
             AND NOT EXISTS (SELECT 1 FROM fetch_hosts h WHERE h.host = feeds.host AND h.wait_until > %(now)s)
           ORDER BY next_due_at, id""",
        {"now": now, "due_only": due_only, "check_hours": validator_check_hours},
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
    if outcome.wait_until is not None:
        _record_wait(cur, feed_id, outcome, now)
    elif outcome.failed:
        _record_failure(cur, feed_id, outcome, now, settings)
    else:
        _record_success(cur, feed_id, outcome, now, settings)


def _record_success(cur: Cursor, feed_id: int, outcome: FetchOutcome, now: datetime, settings: FetchConfig) -> None:
    """A healthy fetch: new validators, the interval adapted to what it brought, the validator check noted."""
    cur.execute("SELECT poll_minutes, last_success_at IS NULL FROM feeds WHERE id = %s FOR UPDATE", (feed_id,))
    poll_minutes, first_success = cur.fetchone()
    poll_minutes = adapt_interval(poll_minutes, outcome.items_new, first_success, settings)
    note = (
        f"a fetch without validators right after a 304 found {outcome.hidden_by_304} new item(s) on "
        f"{now:%Y-%m-%d %H:%M} UTC: the feed's ETag/Last-Modified are no longer sent"
        if outcome.hidden_by_304
        else None
    )
    cur.execute(
        """UPDATE feeds SET
             last_fetched_at = %(now)s, last_status = %(status)s, last_http_status = %(http_status)s,
             last_error = %(error)s, consecutive_failures = 0, failing_since = NULL, last_success_at = %(now)s,
             etag = CASE WHEN %(status)s = 'not_modified' THEN etag ELSE %(etag)s END,
             last_modified = CASE WHEN %(status)s = 'not_modified' THEN last_modified ELSE %(last_modified)s END,
             last_new_item_at = CASE WHEN %(items_new)s > 0 THEN %(now)s ELSE last_new_item_at END,
             poll_minutes = %(poll_minutes)s,
             next_due_at = %(next_due)s,
             validators_checked_at = CASE WHEN %(checked)s THEN %(now)s
                                          ELSE coalesce(validators_checked_at, %(now)s) END,
             validators_ignored_since = CASE WHEN %(note)s::text IS NOT NULL THEN %(now)s
                                             ELSE validators_ignored_since END,
             validators_note = coalesce(%(note)s, validators_note),
             title = coalesce(%(title)s, title)
           WHERE id = %(feed_id)s""",
        {
            "now": now,
            "status": outcome.status,
            "http_status": outcome.http_status,
            "error": outcome.error,
            "etag": outcome.etag,
            "last_modified": outcome.last_modified,
            "items_new": outcome.items_new,
            "poll_minutes": poll_minutes,
            "next_due": now + timedelta(minutes=poll_minutes),
            "checked": outcome.validators_checked,
            "note": note,
            "title": outcome.title,
            "feed_id": feed_id,
        },
    )


def _record_wait(cur: Cursor, feed_id: int, outcome: FetchOutcome, now: datetime) -> None:
    """The feed's host asked us to wait: recorded on the feed and due again then; not a failure (no back-off, no
    failure episode), and the validators are kept."""
    cur.execute(
        """UPDATE feeds SET
             last_fetched_at = %(now)s, last_status = %(status)s, last_http_status = %(http_status)s,
             last_error = %(error)s, next_due_at = greatest(next_due_at, %(until)s)
           WHERE id = %(feed_id)s""",
        {
            "now": now,
            "status": outcome.status,
            "http_status": outcome.http_status,
            "error": outcome.error,
            "until": outcome.wait_until,
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
