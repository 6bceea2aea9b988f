"""Retention: non-relevant articles and old fetch records are deleted; relevant articles are kept for ever."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from nkru import store
from nkru.clock import utc_text, utcnow
from nkru.config import Settings
from nkru.store import ops as ops_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionReport:
    cutoff: datetime
    articles_deleted: int
    fetch_log_deleted: int = 0


def apply_retention(
    conn: store.Connection, settings: Settings, now: datetime | None = None, batch: int = 5000
) -> RetentionReport:
    """Delete non-relevant articles first seen more than `retention_days_irrelevant` days ago, and fetch
    records older than `retention_days_fetch_log` days.

    Relevant articles, and any article once processed as relevant (it may be in a story or an alert), are
    kept for ever. Deletes in batches, each its own transaction, so the ingest DAG is never blocked for long;
    running it twice deletes nothing more.
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=settings.operations.retention_days_irrelevant)
    total = _delete_in_batches(conn, ops_store.delete_old_irrelevant, cutoff, batch)
    log.info("retention: deleted %d non-relevant articles first seen before %s", total, utc_text(cutoff))
    log_cutoff = now - timedelta(days=settings.operations.retention_days_fetch_log)
    fetches = _delete_in_batches(conn, ops_store.delete_old_fetch_log, log_cutoff, batch)
    log.info("retention: deleted %d fetch records from before %s", fetches, utc_text(log_cutoff))
    return RetentionReport(cutoff=cutoff, articles_deleted=total, fetch_log_deleted=fetches)


def _delete_in_batches(conn: store.Connection, delete, cutoff: datetime, batch: int) -> int:
    """Call `delete(cur, cutoff, batch)` in its own transaction until it deletes less than a batch."""
    total = 0
    while True:
        with conn, conn.cursor() as cur:
            deleted = delete(cur, cutoff, batch)
        total += deleted
        if deleted < batch:
            return total
