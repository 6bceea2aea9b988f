"""The callables behind nkru's Airflow tasks: each reads the settings and where the news database and the mail
server are at run time (never at parse time), by the rule of `nkru.edge.resources` inside Airflow (the connections
`nkru_db` / `nkru_smtp`, else NKRU_DATABASE_URL / NKRU_SMTP_URL), and calls one library function. The DAG files
only wire these together.

Every Airflow task process parses the DAG file, which imports this module: so its top level imports nothing of
the library (issue 15: the library, psycopg2, pydantic and the pipeline cost a task ~1 s and tens of MB before
it ran). Each callable imports what it uses when it runs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nkru import mail, ops, store
    from nkru.config import Settings

log = logging.getLogger(__name__)


@contextmanager
def _news_database() -> Iterator[store.Connection]:
    """The news database, closed on exit. libpq's "invalid dsn" error quotes the whole URL, password
    included: it is raised again with the password masked, so the task log never shows it."""
    import psycopg2

    from nkru import store
    from nkru.edge import resources
    from nkru.redact import scrub

    url = resources.database_url(airflow=True)
    try:
        conn = store.connect(url)
    except psycopg2.Error as exc:
        raise type(exc)(scrub(str(exc), url)) from None
    try:
        yield conn
    finally:
        conn.close()


def plan() -> list[list[dict]]:
    """Sync the feed list and return the due feeds in batches, one mapped `ingest_batch` task each."""
    from nkru import pipeline, store
    from nkru.clock import utcnow
    from nkru.config import load_settings

    settings = load_settings()
    with _news_database() as conn:
        store.migrate(conn)
        batches = pipeline.plan_batches(conn, settings, utcnow())
    log.info("%d feeds due, in %d batches", sum(len(b) for b in batches), len(batches))
    return batches


def ingest_batch(batch: list[dict], run_id: str | None = None) -> dict:
    """Fetch, parse, score and store one batch of feeds; a failing feed is recorded, never raised.

    Airflow fills `run_id` from the task context (a parameter named like a context key).
    """
    from nkru import pipeline
    from nkru.config import load_settings

    settings = load_settings()
    with _news_database() as conn:
        report = pipeline.ingest_batch(conn, settings, batch, run_id or "manual")
    for feed, error in report.errors.items():
        log.warning("feed %s: %s", feed, error)
    log.info("ingest: %s", asdict(report))
    return asdict(report)


def fulltext() -> dict:
    """Fetch the article pages of this run's candidates (robots.txt and per-host politeness) and score them again."""
    from nkru import fulltext as full_text
    from nkru.config import load_settings

    settings = load_settings()
    with _news_database() as conn:
        report = full_text.fetch_full_texts(conn, settings)
    log.info("%s", report.summary())
    return asdict(report)


def process() -> dict:
    """Extract entities, group stories and queue alerts for every relevant article not yet processed."""
    from nkru import pipeline_process
    from nkru.config import load_settings

    settings = load_settings()
    with _news_database() as conn:
        report = pipeline_process.process_pending(conn, settings)
    log.info("processed %d articles, %d mentions, %d stories", report.articles, report.mentions, len(report.stories))
    for article_id, reason in report.errors.items():  # each stays pending; the next run tries it again
        log.warning("article %d %s", article_id, reason)
    return {
        "articles": report.articles,
        "mentions": report.mentions,
        "stories": len(report.stories),
        "errors": len(report.errors),
    }


def refresh_trends() -> None:
    """Refresh the daily aggregates behind the trend queries (the days that changed only; idempotent)."""
    from nkru.store import trends as trend_store

    with _news_database() as conn:
        trend_store.refresh_daily(conn)


def _mail_server() -> mail.SmtpTarget:
    """The mail server; no server configured is an error worth a failed task. A malformed NKRU_SMTP_URL is
    quoted in its error: raised again with the password masked, never in the task log."""
    from nkru.edge import resources
    from nkru.redact import scrub

    try:
        return resources.smtp_target(airflow=True)
    except ValueError as exc:
        raise ValueError(scrub(str(exc), os.environ.get(resources.SMTP_URL_ENV))) from None


def send_alerts() -> dict:
    """Deliver pending alert e-mails; failures stay pending for the next run."""
    from nkru import mail
    from nkru.config import load_settings

    settings = load_settings()
    if not settings.alerts.rules:
        log.info("no alert rules in the settings: nothing to send")
        return {}
    target = _mail_server()
    with _news_database() as conn:
        report = mail.send_pending(conn, settings, target)
    return asdict(report)


def daily_digest(now: datetime | None = None) -> dict:
    """The `nkru_digest` task: today's digests for every digest rule, with the week's trend charts.

    Raises when something stays pending because of an error, so Airflow retries the task (which sends
    nothing twice).
    """
    from nkru import mail, trends
    from nkru.clock import utcnow
    from nkru.config import load_settings

    now = now or utcnow()
    settings = load_settings()
    target = _mail_server()
    with _news_database() as conn:
        extras = trends.digest_extras_or_none(conn, now)
        report = mail.send_digests(conn, settings, target, now=now, extras=extras)
    if report.errors and report.pending:
        raise RuntimeError(f"{report.pending} digest stories still pending: {'; '.join(report.errors)}")
    return asdict(report)


# --- operations (nkru.ops): operator notices and retention ----------------------------------------------------


def notify_task_failure(context) -> None:
    """`on_failure_callback`: open a failure episode for the task and e-mail the operators, once per episode.

    Runs when a task has failed for good (after its retries). It never raises: a broken database or mail
    server is logged here, and the end-of-run `operator_notices` task records the failure again anyway.
    """
    from nkru import ops, store
    from nkru.clock import utcnow
    from nkru.config import load_settings

    try:
        ti = context.get("ti") or context["task_instance"]
        settings = load_settings()
        with _news_database() as conn:
            store.migrate(conn)
            now = utcnow()
            ops.report_task_failure(conn, ti.dag_id, ti.task_id, ops.failure_detail(context), now, ti.run_id)
            _notify_operators(conn, settings, now)
    except Exception:
        log.exception("could not record the failure for the operators (operator_notices will try again)")


def operator_notices() -> dict:
    """Last task of a run: open/close task episodes from this run's outcome, check feeds failing for too long,
    and send the operator notices due (once per episode: failing, then recovered)."""
    from airflow.sdk import get_current_context

    from nkru import ops, store
    from nkru.clock import utcnow
    from nkru.config import load_settings

    ti = get_current_context()["ti"]
    try:
        crumbs = [(c["task_id"], c["state"]) for c in ti.get_task_breadcrumbs(ti.dag_id, ti.run_id)]
    except Exception:  # an older execution API: task episodes then rely on the failure callback alone
        log.warning("cannot read this run's task states; task episodes are not closed this run", exc_info=True)
        crumbs = []
    settings = load_settings()
    with _news_database() as conn:
        store.migrate(conn)
        now = utcnow()
        review = ops.review_run(conn, ti.dag_id, ti.run_id, crumbs, now, ignore=[ti.task_id])
        feeds = ops.check_feeds(conn, settings, now)
        ops.report_task_success(conn, ti.dag_id, ti.task_id, now, f"succeeded in run {ti.run_id}")
        report = _notify_operators(conn, settings, now)
    log.info(
        "tasks failing: +%s, recovered: %s; feeds failing: +%s, recovered: %s; %s",
        review.opened,
        review.closed,
        feeds.opened,
        feeds.closed,
        report.summary(),
    )
    return {
        "tasks_opened": review.opened,
        "tasks_closed": review.closed,
        "feeds_opened": feeds.opened,
        "feeds_closed": feeds.closed,
        "notices_sent": report.sent,
        "notices_pending": report.pending,
    }


def _notify_operators(conn: store.Connection, settings: Settings, now: datetime) -> ops.NoticeReport:
    """`ops.notify` through the mail server; when none is configured, log why and leave the notices pending."""
    from nkru import ops
    from nkru.edge import resources
    from nkru.redact import scrub

    try:
        target = resources.smtp_target(airflow=True)
    except (resources.SmtpNotConfigured, ValueError) as exc:
        report = ops.NoticeReport()
        if settings.operations.operators:
            reason = scrub(str(exc), os.environ.get(resources.SMTP_URL_ENV))  # a malformed URL is quoted in it
            log.warning("operator notices not sent: %s", reason)
            report.errors.append(reason)
        return report
    return ops.notify(conn, settings, target, now)


def apply_retention() -> dict:
    """Delete non-relevant articles older than `operations.retention_days_irrelevant` (daily DAG)."""
    from nkru import ops
    from nkru.config import load_settings

    settings = load_settings()
    with _news_database() as conn:
        report = ops.apply_retention(conn, settings)
    return {
        "articles_deleted": report.articles_deleted,
        "fetch_log_deleted": report.fetch_log_deleted,
        "cutoff": report.cutoff.isoformat(),
    }
