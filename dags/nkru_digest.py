"""
### nkru_digest: the daily North Korea–Russia digest e-mail

Once a day, for every alert rule with `mode: digest` in `config/nkru.yaml` (NKRU_CONFIG), sends each recipient
one e-mail listing the stories that matched since their last digest: headline, source, time, why it matched,
entities, and how many other outlets carried it. The digest ends with the week's trend charts (inline images).

* **send_digests**: reads `nkru_db` and `nkru_smtp` (else NKRU_DATABASE_URL / NKRU_SMTP_URL) at run time.
  Exactly once per rule, recipient and UTC day: a digest is marked sent only after the mail server accepted it,
  and carries a fixed Message-ID. If the mail server is down the task fails and retries with back-off; a retry or
  a re-run sends nothing twice.

* **apply_retention**: deletes non-relevant items older than `operations.retention_days_irrelevant` (relevant
  ones are kept for ever) and fetch records older than `operations.retention_days_fetch_log`.

Stories and their outbox rows come from `nkru_ingest`. See what went out with `nkru alerts`.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from nkru.edge.airflow_tasks import apply_retention, daily_digest, notify_task_failure

DEFAULT_ARGS = {
    "owner": "nkru",
    "retries": 4,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    "on_failure_callback": notify_task_failure,
}


@dag(
    dag_id="nkru_digest",
    schedule="0 6 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["nkru", "alerts"],
    doc_md=__doc__,
)
def nkru_digest():
    task(daily_digest, task_id="send_digests")()
    task(apply_retention)()


nkru_digest()
