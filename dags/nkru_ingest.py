"""
### nkru_ingest: North Korea–Russia news, every 15 minutes

Fetches the feeds in `config/nkru.yaml` (NKRU_CONFIG) that are due, keeps the stories about North Korea–Russia
relations, extracts the people, organisations and places in them, stores everything in the `nkru_db`
database and e-mails the matching stories through `nkru_smtp`.

* **plan**: syncs the feed list and splits the due feeds into batches.
* **ingest** (mapped, one task per batch): fetches concurrently with conditional GET, parses, scores and stores.
  A failing feed is recorded with its reason and backs off; it never fails the task.
* **fulltext**: fetches the article pages of candidates (one side matched strongly, or a relevant item with a
  short summary), honouring robots.txt and the per-host cap, and scores them again with the body.
* **process**: spaCy NER with the gazetteer, stories, alert outbox rows: one transaction per article.
* **refresh_trends**: the pre-aggregated daily counts behind the trend queries.
* **send_alerts**: delivers pending e-mails; anything the mail server does not accept stays pending.
* **operator_notices**: e-mails `operations.operators` once when a task fails for good or a feed has been
  failing for `feed_failing_alert_hours`, and once when it recovers (see `nkru.ops`).
* **all_succeeded**: does nothing; it succeeds only when every task above did. Tasks after a failed ingest
  batch still process, mail and report what was stored, and this last task then shows the run as failed.

Query with `nkru stories --since 7d` or the views in the database (`relevant_articles`).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import dag, task

from nkru.edge.airflow_tasks import (
    fulltext,
    ingest_batch,
    notify_task_failure,
    operator_notices,
    plan,
    process,
    refresh_trends,
    send_alerts,
)

DEFAULT_ARGS = {
    "owner": "nkru",
    "retries": 3,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    # A task that failed for good (after its retries) e-mails `operations.operators`, once per failure episode.
    "on_failure_callback": notify_task_failure,
}


@dag(
    dag_id="nkru_ingest",
    # NKRU_INGEST_EVERY_MINUTES changes the interval (the latency benchmark runs it every minute).
    schedule=timedelta(minutes=float(os.environ.get("NKRU_INGEST_EVERY_MINUTES", "15"))),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["nkru", "news"],
    doc_md=__doc__,
)
def nkru_ingest():
    batches = task(plan)()
    ingested = task(ingest_batch, max_active_tis_per_dagrun=8).expand(batch=batches)
    # all_done: what was stored is processed and mailed even when one batch failed (it retries next run).
    # One full-text task after all batches: article hosts then see the per-host cap across the whole run.
    pages = task(fulltext, trigger_rule="all_done")()
    processed = task(process, trigger_rule="all_done")()
    refreshed = task(refresh_trends, trigger_rule="all_done")()
    sent = task(send_alerts, trigger_rule="all_done")()
    # Last, whatever happened: open/close failure episodes (tasks, feeds failing too long), notify operators.
    watched = task(operator_notices, trigger_rule="all_done", retries=0)()
    ingested >> pages >> processed >> refreshed >> sent >> watched
    # The run's verdict: upstream_failed (so the run shows failed) when any task above failed for good.
    [ingested, pages, processed, refreshed, sent, watched] >> EmptyOperator(task_id="all_succeeded")


nkru_ingest()
