"""Operator notices through Airflow itself (`dag.test()`): the failure callback, the end-of-run check, and a
feed failing too long in the real `nkru_ingest`. One e-mail per failure episode, one per recovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from nkru import store
from tests.feedserver import FeedServer

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_FEEDS = ROOT / "tests" / "fixtures" / "feeds"

PROBE_DAG = """
import os

import pendulum
from airflow.sdk import dag, task

from nkru.edge.airflow_tasks import notify_task_failure, operator_notices


def flaky():
    if os.path.exists(os.environ["NKRU_TEST_BREAK"]):
        raise RuntimeError("the news database went away")


@dag(
    dag_id="nkru_ops_probe",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"retries": 0, "on_failure_callback": notify_task_failure},
)
def probe():
    task(flaky)() >> task(operator_notices, trigger_rule="all_done")()


probe()
"""


def load_dag(path: Path, dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(path))
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag(dag_id)


def load_outside_dag(folder: Path, dag_id: str):
    """A DAG from a folder that is not the DAGs folder, serialized first as `dag.test()` needs."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import BundleDagBag, sync_bag_to_db

    DagBundlesManager().sync_bundles_to_db()
    bag = BundleDagBag(dag_folder=str(folder), bundle_path=str(folder), bundle_name="dags-folder")
    assert not bag.import_errors, bag.import_errors
    sync_bag_to_db(bag, "dags-folder", None)
    return bag.get_dag(dag_id)


def wire(monkeypatch, db_url: str, settings: Path, smtp_url: str) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_NKRU_DB", db_url)
    monkeypatch.setenv("NKRU_SMTP_URL", smtp_url)
    monkeypatch.setenv("NKRU_CONFIG", str(settings))
    monkeypatch.delenv("NKRU_DATABASE_URL", raising=False)


def episodes(db_url: str) -> list[tuple]:
    with store.connection(db_url) as conn, conn, conn.cursor() as cur:
        cur.execute("SELECT kind, subject, occurrences, closed_at IS NOT NULL FROM ops_episodes ORDER BY id")
        return cur.fetchall()


@pytest.mark.slow
def test_a_failing_task_mails_once_per_episode_and_once_on_recovery(
    monkeypatch, airflow_metadata, db_url, mail, tmp_path
):
    settings = tmp_path / "nkru.yaml"
    settings.write_text("alerts:\n  sender: nkru@example.org\noperations:\n  operators: [ops@example.org]\n")
    wire(monkeypatch, db_url, settings, mail.url)
    broken = tmp_path / "broken"
    monkeypatch.setenv("NKRU_TEST_BREAK", str(broken))
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "nkru_ops_probe.py").write_text(PROBE_DAG)
    dag = load_outside_dag(tmp_path / "dags", "nkru_ops_probe")

    broken.touch()
    dag.test()
    assert [m["Subject"] for m in mail.messages] == ["[nkru ops] FAILING: task nkru_ops_probe.flaky"]
    body = mail.messages[0].get_content()
    assert "RuntimeError: the news database went away" in body
    # The callback and the end-of-run review both saw run 1: it counts once.
    assert episodes(db_url) == [("task", "nkru_ops_probe.flaky", 1, False)]

    dag.test()  # still failing: no new e-mail
    assert len(mail.messages) == 1
    assert episodes(db_url) == [("task", "nkru_ops_probe.flaky", 2, False)]

    broken.unlink()
    dag.test()  # recovered: announced once
    dag.test()
    assert [m["Subject"] for m in mail.messages] == [
        "[nkru ops] FAILING: task nkru_ops_probe.flaky",
        "[nkru ops] RECOVERED: task nkru_ops_probe.flaky",
    ]
    assert episodes(db_url) == [("task", "nkru_ops_probe.flaky", 2, True)]


@pytest.mark.slow
def test_a_feed_failing_too_long_mails_the_operators_once(monkeypatch, airflow_metadata, db_url, mail, tmp_path):
    with FeedServer(FIXTURE_FEEDS) as feeds:
        settings = tmp_path / "nkru.yaml"
        settings.write_text(
            f"""
feeds:
  - {{name: working, url: "{feeds.url("wire_atom.xml")}"}}
  - {{name: gone-away, url: "{feeds.url("status/404")}"}}
fetch:
  allow_private_addresses: true
  interval_minutes: 0.01
  timeout_seconds: 5
entities:
  gazetteer: {ROOT / "config" / "gazetteer.yaml"}
alerts:
  sender: nkru@example.org
operations:
  operators: [ops@example.org, oncall@example.org]
  feed_failing_alert_hours: 0.0001
"""
        )
        wire(monkeypatch, db_url, settings, mail.url)
        dag = load_dag(ROOT / "dags" / "nkru_ingest.py", "nkru_ingest")
        for _ in range(2):
            assert dag.test().state == "success"
    assert sorted((m["To"], m["Subject"]) for m in mail.messages) == [
        ("oncall@example.org", "[nkru ops] FAILING: feed gone-away"),
        ("ops@example.org", "[nkru ops] FAILING: feed gone-away"),
    ]
    assert "404" in mail.messages[0].get_content()
    assert episodes(db_url) == [("feed", "gone-away", 1, False)]
