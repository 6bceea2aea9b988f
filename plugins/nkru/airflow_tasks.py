"""The callables behind nkru's Airflow tasks: each reads the `nkru_db` connection and the settings at run time
(never at parse time) and calls one pipeline function. The DAG files only wire these together."""

from __future__ import annotations

import logging
from dataclasses import asdict

from nkru import pipeline, store
from nkru.airflow_conns import database_url
from nkru.config import load_settings

log = logging.getLogger(__name__)


def plan() -> list[list[dict]]:
    """Sync the feed list and return the due feeds in batches, one mapped `ingest_batch` task each."""
    settings = load_settings()
    with store.connection(database_url()) as conn:
        store.migrate(conn)
        batches = pipeline.plan_batches(conn, settings, pipeline.utcnow())
    log.info("%d feeds due, in %d batches", sum(len(b) for b in batches), len(batches))
    return batches


def ingest_batch(batch: list[dict], run_id: str | None = None) -> dict:
    """Fetch, parse, score and store one batch of feeds; a failing feed is recorded, never raised."""
    settings = load_settings()
    with store.connection(database_url()) as conn:
        report = pipeline.ingest_batch(conn, settings, batch, run_id or "manual")
    for feed, error in report.errors.items():
        log.warning("feed %s: %s", feed, error)
    log.info("ingest: %s", asdict(report))
    return asdict(report)


def process() -> dict:
    """Extract entities, group stories and queue alerts for every relevant article not yet processed."""
    settings = load_settings()
    with store.connection(database_url()) as conn:
        report = pipeline.process_pending(conn, settings)
    log.info("processed %d articles, %d mentions, %d stories", report.articles, report.mentions, len(report.stories))
    return {"articles": report.articles, "mentions": report.mentions, "stories": len(report.stories)}


def refresh_trends() -> None:
    """Refresh the daily aggregates behind the trend queries (recent days only; idempotent)."""
    try:
        from nkru.store import trends as trend_store
    except ImportError:
        return
    with store.connection(database_url()) as conn:
        trend_store.refresh_recent(conn)


def send_alerts() -> dict:
    """Deliver pending alert e-mails through `nkru_smtp`; failures stay pending for the next run."""
    from nkru import alerts

    settings = load_settings()
    target = alerts.smtp_target()
    with store.connection(database_url()) as conn:
        report = alerts.send_pending(conn, settings, target)
    return asdict(report) if hasattr(report, "__dataclass_fields__") else dict(report)
