"""`nkru_digest` under Airflow's `dag.test()`: the digest goes out through the `nkru_smtp` connection, once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.alert_data import LAVROV_SUMMARY, LAVROV_TITLE, NewsDB, rule, settings

ROOT = Path(__file__).resolve().parents[1]


def _run_digest_dag(monkeypatch, db_url: str, config: Path, smtp_port: int):
    from airflow.dag_processing.dagbag import DagBag

    smtp_conn = {
        "conn_type": "smtp",
        "host": "127.0.0.1",
        "port": smtp_port,
        "extra": {"disable_ssl": True, "disable_tls": True, "timeout": 5},
    }
    monkeypatch.setenv("AIRFLOW_CONN_NKRU_DB", db_url)
    monkeypatch.setenv("AIRFLOW_CONN_NKRU_SMTP", json.dumps(smtp_conn))
    monkeypatch.delenv("NKRU_SMTP_URL", raising=False)  # the task must use the Airflow connection
    monkeypatch.delenv("NKRU_DATABASE_URL", raising=False)
    monkeypatch.setenv("NKRU_CONFIG", str(config))
    bag = DagBag(dag_folder=str(ROOT / "dags" / "nkru_digest.py"))
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag("nkru_digest").test()


@pytest.mark.slow
def test_digest_dag_sends_each_digest_once(monkeypatch, airflow_metadata, db, db_url, smtp_server, tmp_path):
    config = tmp_path / "nkru.yaml"
    config.write_text(
        "alerts:\n  sender: nkru@example.org\n  rules:\n"
        "    - {name: daily, mode: digest, recipients: [a@example.org, b@example.org]}\n"
    )
    cfg = settings(rule("daily", ("a@example.org", "b@example.org"), mode="digest"))
    now = datetime.now(UTC)
    news = NewsDB(db)
    news.process(cfg, news.article("Yonhap", published_at=now - timedelta(hours=2)), now=now)
    news.process(cfg, news.article("AFP", LAVROV_TITLE, LAVROV_SUMMARY, published_at=now - timedelta(hours=1)), now=now)

    first = _run_digest_dag(monkeypatch, db_url, config, smtp_server.port)
    assert first.state == "success"
    assert sorted(m["To"] for m in smtp_server.messages) == ["a@example.org", "b@example.org"]
    msg = smtp_server.to("a@example.org")[0]
    assert msg["From"] == "nkru@example.org"
    assert "2 new stories" in msg["Subject"]

    second = _run_digest_dag(monkeypatch, db_url, config, smtp_server.port)
    assert second.state == "success"
    assert len(smtp_server.messages) == 2, "a re-run sends nothing twice"
    assert {r["status"] for r in news.outbox()} == {"sent"}
