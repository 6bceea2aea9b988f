"""Operator notices and retention (nkru.ops) against a real PostgreSQL database and a real SMTP server.

A failure episode e-mails each operator once when it opens and once when it recovers, whatever the number of
runs in between; a mail server outage delays the notice, never duplicates or loses it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from nkru import ops
from nkru.config import parse_settings
from nkru.store import feeds as feed_store
from nkru.store import ops as ops_store

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
OPERATORS = ("ops@example.org", "oncall@example.org")


def settings(operators=OPERATORS, hours: float = 24, retention_days: int = 90, feeds=("alpha", "beta")):
    feed_lines = "\n".join(f"  - {{name: {n}, url: 'https://{n}.example.org/feed'}}" for n in feeds)
    ops_lines = ", ".join(operators)
    return parse_settings(
        f"""
feeds:
{feed_lines}
alerts:
  sender: nkru@example.org
  max_attempts: 3
operations:
  operators: [{ops_lines}]
  feed_failing_alert_hours: {hours}
  retention_days_irrelevant: {retention_days}
"""
    )


def notices(db) -> list[tuple]:
    with db, db.cursor() as cur:
        return [(n["subject"], n["event"], n["recipient"], n["status"]) for n in ops_store.notices(cur)]


def episodes(db) -> list[tuple]:
    with db, db.cursor() as cur:
        cur.execute("SELECT kind, subject, occurrences, closed_at IS NOT NULL FROM ops_episodes ORDER BY id")
        return cur.fetchall()


def subjects(server) -> list[tuple[str, str]]:
    return sorted((m["To"], m["Subject"]) for m in server.messages)


# ----------------------------------------------------------------------------------------- task episodes


def test_a_failing_task_is_announced_once_then_its_recovery_once(db, mail):
    cfg = settings()
    assert ops.report_task_failure(db, "nkru_ingest", "process", "error: boom", NOW, "run-1") is True
    first = ops.notify(db, cfg, mail.target, NOW)
    assert first.sent == 2
    assert subjects(mail) == [
        ("oncall@example.org", "[nkru ops] FAILING: task nkru_ingest.process"),
        ("ops@example.org", "[nkru ops] FAILING: task nkru_ingest.process"),
    ]
    body = mail.messages[0].get_content()
    assert "error: boom" in body and "one e-mail when this starts" in body

    # The same failure in the next runs (and reported twice for one run): no more e-mail.
    for n, run in enumerate(["run-2", "run-2", "run-3"], start=1):
        assert (
            ops.report_task_failure(db, "nkru_ingest", "process", "error: boom", NOW + timedelta(minutes=15 * n), run)
            is False
        )
        assert ops.notify(db, cfg, mail.target, NOW + timedelta(minutes=15 * n)).sent == 0
    assert episodes(db) == [("task", "nkru_ingest.process", 3, False)]
    assert len(mail.messages) == 2

    # Recovery: announced once, to those who were told, with the same Message-ID on any retry.
    assert ops.report_task_success(db, "nkru_ingest", "process", NOW + timedelta(hours=1)) is True
    assert ops.report_task_success(db, "nkru_ingest", "process", NOW + timedelta(hours=1)) is False
    assert ops.notify(db, cfg, mail.target, NOW + timedelta(hours=1)).sent == 2
    assert ops.notify(db, cfg, mail.target, NOW + timedelta(hours=2)).sent == 0
    recovered = [m for m in mail.messages if "RECOVERED" in m["Subject"]]
    assert len(recovered) == 2
    assert "3 failure(s) seen" in recovered[0].get_content()
    assert len(set(mail.message_ids())) == 4

    # A new failure later is a new episode: announced again.
    assert ops.report_task_failure(db, "nkru_ingest", "process", "error: again", NOW + timedelta(days=1), "run-9")
    assert ops.notify(db, cfg, mail.target, NOW + timedelta(days=1)).sent == 2
    assert [e[3] for e in episodes(db)] == [True, False]


def test_review_run_opens_failed_tasks_and_closes_tasks_that_succeeded(db):
    ops.report_task_failure(db, "nkru_ingest", "send_alerts", "error: smtp", NOW, "run-0")
    states = [
        ("plan", "success"),
        ("ingest_batch", "success"),
        ("ingest_batch", "failed"),  # one mapped instance failed: the task is failing
        ("process", "upstream_failed"),  # says nothing about `process` itself
        ("send_alerts", "success"),
        ("operator_notices", "running"),
    ]
    review = ops.review_run(db, "nkru_ingest", "run-1", states, NOW, ignore=["operator_notices"])
    assert review.opened == ["nkru_ingest.ingest_batch"]
    assert review.closed == ["nkru_ingest.send_alerts"]
    # The failure callback already reported ingest_batch for run-2: the review of run-2 counts it once.
    ops.report_task_failure(db, "nkru_ingest", "ingest_batch", "error: precise", NOW, "run-2")
    ops.review_run(db, "nkru_ingest", "run-2", [("ingest_batch", "failed")], NOW)
    with db, db.cursor() as cur:
        (ep,) = ops_store.open_episodes(cur, "task")
    assert (ep.subject, ep.occurrences, ep.detail) == ("nkru_ingest.ingest_batch", 2, "error: precise")


def test_an_episode_closed_before_its_notice_went_out_sends_nothing(db, mail):
    cfg = settings()
    mail.stop()
    ops.report_task_failure(db, "nkru_ingest", "plan", "error: db", NOW, "run-1")
    report = ops.notify(db, cfg, mail.target, NOW)
    assert (report.sent, report.pending) == (0, 2) and "cannot reach mail server" in report.errors[0]
    ops.report_task_success(db, "nkru_ingest", "plan", NOW + timedelta(minutes=15))
    mail.start()
    assert ops.notify(db, cfg, mail.target, NOW + timedelta(minutes=30)).sent == 0
    assert mail.messages == []
    assert {n[3] for n in notices(db)} == {"cancelled"}


def test_mail_server_outage_delays_the_notice_without_duplicates(db, mail):
    cfg = settings()
    ops.report_task_failure(db, "nkru_ingest", "process", "error", NOW, "run-1")
    mail.stop()
    for n in range(3):
        report = ops.notify(db, cfg, mail.target, NOW + timedelta(minutes=n))
        assert report.sent == 0 and report.pending == 2
    with db, db.cursor() as cur:
        assert {(n["attempts"], n["status"]) for n in ops_store.notices(cur)} == {(0, "pending")}
    mail.start()
    assert ops.notify(db, cfg, mail.target, NOW + timedelta(minutes=5)).sent == 2
    assert ops.notify(db, cfg, mail.target, NOW + timedelta(minutes=6)).sent == 0
    assert len(mail.messages) == 2


def test_a_refused_operator_does_not_hold_up_the_others(db, mail):
    cfg = settings()
    mail.refuse.add("oncall@example.org")
    ops.report_task_failure(db, "nkru_ingest", "process", "error", NOW, "run-1")
    for n in range(4):
        ops.notify(db, cfg, mail.target, NOW + timedelta(minutes=n))
    assert [m["To"] for m in mail.messages] == ["ops@example.org"]
    by_recipient = {n[2]: n[3] for n in notices(db)}
    assert by_recipient == {"ops@example.org": "sent", "oncall@example.org": "failed"}  # max_attempts: 3


def test_no_operators_means_no_mail_until_one_is_configured(db, mail):
    ops.report_task_failure(db, "nkru_ingest", "process", "error", NOW, "run-1")
    assert ops.notify(db, settings(operators=()), mail.target, NOW).sent == 0
    assert mail.messages == []
    # An operator added while the task is still failing hears about it.
    assert ops.notify(db, settings(operators=("new@example.org",)), mail.target, NOW).sent == 1
    assert mail.messages[0]["To"] == "new@example.org"


# ----------------------------------------------------------------------------------------- feed episodes


def _fail_feed(db, cfg, name: str, since: datetime, failures: int = 5) -> None:
    with db, db.cursor() as cur:
        feed_store.sync_feeds(cur, cfg.feeds)
        cur.execute(
            "UPDATE feeds SET failing_since = %s, consecutive_failures = %s, last_error = %s WHERE name = %s",
            (since, failures, "HTTP 503 Service Unavailable", name),
        )


def _heal_feed(db, name: str) -> None:
    with db, db.cursor() as cur:
        cur.execute("UPDATE feeds SET failing_since = NULL, consecutive_failures = 0 WHERE name = %s", (name,))


def test_a_feed_failing_for_a_day_is_announced_once_and_its_recovery_once(db, mail):
    cfg = settings(hours=24)
    _fail_feed(db, cfg, "alpha", NOW - timedelta(hours=23))
    assert ops.check_feeds(db, cfg, NOW).opened == []  # not a day yet
    assert ops.notify(db, cfg, mail.target, NOW).sent == 0

    for n in range(4):  # every run of the next hour: one e-mail per operator in all
        now = NOW + timedelta(hours=1, minutes=15 * n)
        review = ops.check_feeds(db, cfg, now)
        assert review.opened == (["alpha"] if n == 0 else [])
        ops.notify(db, cfg, mail.target, now)
    assert subjects(mail) == [
        ("oncall@example.org", "[nkru ops] FAILING: feed alpha"),
        ("ops@example.org", "[nkru ops] FAILING: feed alpha"),
    ]
    body = mail.messages[0].get_content()
    assert "HTTP 503 Service Unavailable" in body and "2026-11-19 13:00 UTC" in body

    _heal_feed(db, "alpha")
    later = NOW + timedelta(hours=3)
    assert ops.check_feeds(db, cfg, later).closed == ["alpha"]
    assert ops.check_feeds(db, cfg, later).closed == []
    ops.notify(db, cfg, mail.target, later)
    ops.notify(db, cfg, mail.target, later + timedelta(minutes=15))
    recovered = [m for m in mail.messages if m["Subject"] == "[nkru ops] RECOVERED: feed alpha"]
    assert len(recovered) == 2 and "fetched successfully again" in recovered[0].get_content()
    assert len(mail.messages) == 4


def test_a_feed_removed_from_the_settings_closes_its_episode(db, mail):
    cfg = settings()
    _fail_feed(db, cfg, "beta", NOW - timedelta(days=3))
    assert ops.check_feeds(db, cfg, NOW).opened == ["beta"]
    with db, db.cursor() as cur:
        feed_store.sync_feeds(cur, settings(feeds=("alpha",)).feeds)
    assert ops.check_feeds(db, cfg, NOW + timedelta(minutes=15)).closed == ["beta"]
    with db, db.cursor() as cur:
        cur.execute("SELECT closed_why FROM ops_episodes WHERE subject = 'beta'")
        assert cur.fetchone() == ("removed from the settings",)


# ------------------------------------------------------------------------------------ the Airflow wiring


def test_the_failure_callback_records_and_mails_and_never_raises(db_url, mail, tmp_path, monkeypatch):
    from nkru import store
    from nkru.edge import airflow_tasks

    config = tmp_path / "nkru.yaml"
    config.write_text("operations:\n  operators: [ops@example.org]\nalerts:\n  sender: nkru@example.org\n")
    monkeypatch.setenv("NKRU_CONFIG", str(config))
    monkeypatch.setenv("AIRFLOW_CONN_NKRU_DB", db_url)
    monkeypatch.setenv("NKRU_SMTP_URL", mail.url)
    ti = SimpleNamespace(dag_id="nkru_ingest", task_id="process", run_id="scheduled__1", map_index=-1, try_number=4)
    context = {"ti": ti, "exception": RuntimeError("database went away")}
    airflow_tasks.notify_task_failure(context)
    airflow_tasks.notify_task_failure(context)  # a duplicate callback: still one e-mail
    assert [m["Subject"] for m in mail.messages] == ["[nkru ops] FAILING: task nkru_ingest.process"]
    assert "RuntimeError: database went away" in mail.messages[0].get_content()
    with store.connection(db_url) as conn, conn, conn.cursor() as cur:
        cur.execute("SELECT occurrences FROM ops_episodes")
        assert cur.fetchall() == [(1,)]

    # Nothing reachable: the callback logs and returns, it does not raise inside Airflow's finaliser.
    monkeypatch.setenv("AIRFLOW_CONN_NKRU_DB", "postgresql://nobody@127.0.0.1:1/nothing")
    airflow_tasks.notify_task_failure(context)


# ---------------------------------------------------------------------------------------------- retention


def _article(cur, feed_id: int, url: str, *, relevant: bool, age_days: float, extracted: bool = False) -> int:
    at = NOW - timedelta(days=age_days)
    cur.execute(
        "INSERT INTO articles (url, title, published_at, fetched_at, feed_id, score, relevant, extracted_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (url, url, at, at, feed_id, 2.0 if relevant else 0.0, relevant, at if extracted else None),
    )
    article_id = cur.fetchone()[0]
    cur.execute("INSERT INTO article_feeds (article_id, feed_id) VALUES (%s, %s)", (article_id, feed_id))
    return article_id


def test_retention_deletes_only_old_non_relevant_articles(db):
    cfg = settings(retention_days=30)
    with db, db.cursor() as cur:
        feed_store.sync_feeds(cur, cfg.feeds)
        feed_id = feed_store.feed_ids(cur, ["alpha"])["alpha"]
        old_noise = [
            _article(cur, feed_id, f"https://x.example/old-{n}", relevant=False, age_days=31 + n) for n in range(7)
        ]
        _article(cur, feed_id, "https://x.example/new-noise", relevant=False, age_days=29)
        _article(cur, feed_id, "https://x.example/old-story", relevant=True, age_days=400)
        # Processed as relevant once, non-relevant after a rescoring: it may be in a story or an alert; kept.
        _article(cur, feed_id, "https://x.example/rescored", relevant=False, age_days=60, extracted=True)
    report = ops.apply_retention(db, cfg, NOW, batch=3)  # several batches
    assert report.articles_deleted == 7 and report.cutoff == NOW - timedelta(days=30)
    with db, db.cursor() as cur:
        cur.execute("SELECT url FROM articles ORDER BY url")
        assert [r[0] for r in cur.fetchall()] == [
            "https://x.example/new-noise",
            "https://x.example/old-story",
            "https://x.example/rescored",
        ]
        cur.execute("SELECT count(*) FROM article_feeds WHERE article_id = ANY(%s)", (old_noise,))
        assert cur.fetchone()[0] == 0
    assert ops.apply_retention(db, cfg, NOW).articles_deleted == 0


@pytest.mark.parametrize("days", [1, 90])
def test_retention_follows_the_setting(db, days):
    cfg = settings(retention_days=days)
    with db, db.cursor() as cur:
        feed_store.sync_feeds(cur, cfg.feeds)
        feed_id = feed_store.feed_ids(cur, ["alpha"])["alpha"]
        _article(cur, feed_id, "https://x.example/two-days", relevant=False, age_days=2)
    assert ops.apply_retention(db, cfg, NOW).articles_deleted == (1 if days == 1 else 0)


def test_retention_trims_the_fetch_log_but_not_feed_health(db):
    cfg = settings()
    with db, db.cursor() as cur:
        feed_store.sync_feeds(cur, cfg.feeds)
        feed_id = feed_store.feed_ids(cur, ["alpha"])["alpha"]
        for age in (1, 59, 61, 400):
            cur.execute(
                "INSERT INTO fetch_log (feed_id, fetched_at, run_id, status) VALUES (%s, %s, %s, 'ok')",
                (feed_id, NOW - timedelta(days=age), f"run-{age}"),
            )
    report = ops.apply_retention(db, cfg, NOW, batch=1)
    assert report.fetch_log_deleted == 2
    with db, db.cursor() as cur:
        cur.execute("SELECT run_id FROM fetch_log ORDER BY fetched_at")
        assert [r[0] for r in cur.fetchall()] == ["run-59", "run-1"]
        cur.execute("SELECT count(*) FROM feeds")
        assert cur.fetchone()[0] == 2
