"""`nkru_ingest` end to end under Airflow's `dag.test()`: loopback feeds in, stories, entities and e-mail out.

Real PostgreSQL (a fresh database), a real HTTP server serving the fixture feeds, a real SMTP server,
a real Airflow metadata database. The second run must change nothing and be answered 304.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nkru import store
from tests.smtpserver import SmtpCapture

ROOT = Path(__file__).resolve().parents[1]

ON_TOPIC = {
    "Shoigu meets Kim Jong Un in Pyongyang to discuss military cooperation",
    "Lavrov and Choe Son Hui sign plan on new rail link across the Tumen River",
    "North Korean troops seen training with Russian artillery units near Kursk",
    "Kim Jong-un's sister Kim Yo Jong says DPRK will stand with Russia",
}
OFF_TOPIC = {
    "South Korea and Russia hold talks on fishing quotas in Seoul",
    "Tokyo stocks close higher on chip makers",
    "China and North Korea mark anniversary of friendship treaty",
}


@pytest.fixture
def smtp():
    with SmtpCapture() as capture:
        yield capture


@pytest.fixture
def settings_file(tmp_path, feeds):
    path = tmp_path / "nkru.yaml"
    path.write_text(
        f"""
feeds:
  - {{name: test-wire, url: "{feeds.url("wire.xml")}", language: en}}
  - {{name: mirror-daily, url: "{feeds.url("mirror.xml")}"}}
  - {{name: gone-away, url: "{feeds.url("status/404")}"}}
fetch:
  allow_private_addresses: true
  interval_minutes: 0.01
  timeout_seconds: 5
entities:
  gazetteer: {ROOT / "config" / "gazetteer.yaml"}
alerts:
  sender: nkru@example.org
  rules:
    - name: military
      mode: instant
      recipients: [analyst@example.org, desk@example.org]
      any_terms: [military, troops, artillery]
"""
    )
    return path


def run_ingest_dag(monkeypatch, db_url: str, settings_file: Path, smtp_url: str):
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("AIRFLOW_CONN_NKRU_DB", db_url)
    monkeypatch.delenv("AIRFLOW_CONN_NKRU_SMTP", raising=False)  # the tasks fall back to NKRU_SMTP_URL
    monkeypatch.setenv("NKRU_SMTP_URL", smtp_url)
    monkeypatch.setenv("NKRU_CONFIG", str(settings_file))
    monkeypatch.delenv("NKRU_DATABASE_URL", raising=False)
    bag = DagBag(dag_folder=str(ROOT / "dags" / "nkru_ingest.py"))
    assert not bag.import_errors, bag.import_errors
    dag = bag.get_dag("nkru_ingest")
    return dag.test()


def query(db_url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with store.connection(db_url) as conn, conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def snapshot(db_url: str) -> dict[str, list[tuple]]:
    return {
        "articles": query(db_url, "SELECT url, title, relevant, score, story_id FROM articles ORDER BY url"),
        "article_feeds": query(db_url, "SELECT article_id, feed_id FROM article_feeds ORDER BY 1, 2"),
        "mentions": query(db_url, "SELECT article_id, entity_id, count FROM mentions ORDER BY 1, 2"),
        "entities": query(db_url, "SELECT name, label FROM entities ORDER BY 1, 2"),
        "stories": query(db_url, "SELECT id, title FROM stories ORDER BY id"),
    }


@pytest.mark.slow
def test_ingest_dag_end_to_end_and_rerun(monkeypatch, airflow_metadata, db_url, settings_file, feeds, smtp):
    first = run_ingest_dag(monkeypatch, db_url, settings_file, smtp.url)
    assert first.state == "success"

    titles = {title: relevant for _, title, relevant, _, _ in snapshot(db_url)["articles"]}
    assert {t for t, relevant in titles.items() if relevant} == ON_TOPIC
    assert {t for t, relevant in titles.items() if not relevant} == OFF_TOPIC
    # The syndicated Shoigu story is one article (tracking parameters dropped) carried by two feeds.
    carried = query(
        db_url,
        "SELECT a.url, count(*) FROM articles a JOIN article_feeds af ON af.article_id = a.id "
        "WHERE a.title LIKE 'Shoigu meets%%' GROUP BY a.url",
    )
    assert carried == [("https://wire.example.org/asia/2026/11/shoigu-kim-pyongyang", 2)]

    # Canonical entities, each once, whatever spelling the feed used.
    shoigu_entities = {
        name
        for (name,) in query(
            db_url,
            "SELECT e.name FROM mentions m JOIN entities e ON e.id = m.entity_id "
            "JOIN articles a ON a.id = m.article_id WHERE a.title LIKE 'Shoigu meets%%'",
        )
    }
    assert {"Sergei Shoigu", "Kim Jong Un", "Pyongyang", "KCNA"} <= shoigu_entities
    kim_rows = query(
        db_url,
        "SELECT e.name, count(*) FROM mentions m JOIN entities e ON e.id = m.entity_id "
        "WHERE e.name ILIKE 'Kim Jong%%' GROUP BY e.name",
    )
    assert kim_rows == [("Kim Jong Un", 2)]  # "Kim Jong Un" and "Kim Jong-un's" are one person

    # The broken feed is recorded with a reason and backs off; it did not stop the others.
    health = dict(query(db_url, "SELECT name, last_error FROM feeds WHERE consecutive_failures > 0"))
    assert list(health) == ["gone-away"] and "404" in health["gone-away"]

    # Instant alerts: the two military stories, once per recipient.
    sent = sorted((m["To"], m["Subject"]) for m in smtp.messages)
    assert len(sent) == 4, sent
    assert {to for to, _ in sent} == {"analyst@example.org", "desk@example.org"}
    assert all("[nkru: military]" in subject for _, subject in sent)

    before = snapshot(db_url)
    feeds.clear_log()
    second = run_ingest_dag(monkeypatch, db_url, settings_file, smtp.url)
    assert second.state == "success"
    assert snapshot(db_url) == before, "a second run must change nothing"
    assert feeds.statuses("/wire.xml") == [304] and feeds.statuses("/mirror.xml") == [304]
    assert len(smtp.messages) == 4, "nothing is sent twice"


# Makes every record of a fetch of the feed named 'poisoned' fail, as a full disk or a broken table would:
# the mapped ingest task holding that feed fails for good, whatever it does about it.
POISON = """
CREATE FUNCTION test_refuse_poisoned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT name FROM feeds WHERE id = NEW.feed_id) = 'poisoned' THEN
        RAISE EXCEPTION 'could not extend file: No space left on device';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER test_refuse_poisoned BEFORE INSERT OR UPDATE ON fetch_log
    FOR EACH ROW EXECUTE FUNCTION test_refuse_poisoned();
"""


@pytest.mark.slow
def test_a_mapped_ingest_task_failing_for_good_fails_the_run_after_the_rest_did_its_work(
    monkeypatch, airflow_metadata, db_url, tmp_path, feeds, smtp
):
    settings = tmp_path / "nkru.yaml"
    settings.write_text(
        f"""
feeds:
  - {{name: test-wire, url: "{feeds.url("wire.xml")}", language: en}}
  - {{name: poisoned, url: "{feeds.url("mirror.xml")}"}}
fetch: {{allow_private_addresses: true, interval_minutes: 0.01, timeout_seconds: 5, batch_size: 1}}
entities: {{gazetteer: {ROOT / "config" / "gazetteer.yaml"}}}
alerts:
  sender: nkru@example.org
  rules: [{{name: all, mode: instant, recipients: [analyst@example.org]}}]
"""
    )
    with store.connection(db_url) as conn, conn, conn.cursor() as cur:
        cur.execute(POISON)
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("AIRFLOW_CONN_NKRU_DB", db_url)
    monkeypatch.setenv("NKRU_SMTP_URL", smtp.url)
    monkeypatch.setenv("NKRU_CONFIG", str(settings))
    monkeypatch.delenv("NKRU_DATABASE_URL", raising=False)
    dag = DagBag(dag_folder=str(ROOT / "dags" / "nkru_ingest.py")).get_dag("nkru_ingest")
    for t in dag.tasks:
        t.retries = 0  # "for good" at once, instead of after minutes of back-off

    run = dag.test()

    assert run.state == "failed"
    states = {}
    for ti in run.get_task_instances():
        states.setdefault(ti.task_id, set()).add(str(ti.state))
    assert states["ingest_batch"] == {"success", "failed"}
    assert all(states[t] == {"success"} for t in ("process", "refresh_trends", "send_alerts", "operator_notices"))
    assert states["all_succeeded"] == {"upstream_failed"}
    # The healthy feed's three stories were stored, processed and mailed in the same run; so was the poisoned
    # feed's one new story (a feed's items are kept even when its fetch cannot be recorded; its copy of the
    # Shoigu report is the same article).
    [(articles, stories)] = query(
        db_url, "SELECT count(*), count(DISTINCT story_id) FROM articles WHERE relevant AND extracted_at IS NOT NULL"
    )
    assert articles == 4 and stories == 4
    assert len(smtp.messages) == 4
