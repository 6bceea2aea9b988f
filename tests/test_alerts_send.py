"""Delivering alerts over real SMTP (aiosmtpd on 127.0.0.1): once per (rule, story, recipient), never lost."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import psycopg2
import pytest

from nkru import mail, store
from nkru.alerts.outbox import alert_message_id
from nkru.edge import resources
from nkru.mail.render import MARK
from tests.alert_data import NOW, NewsDB, rule, settings
from tests.smtpserver import CaptureServer

COPY_TITLE = "Russian spy chief Naryshkin holds talks in Pyongyang on countering espionage - Korea Herald"
COPY_SUMMARY = (
    "Sergei Naryshkin, director of Russia's Foreign Intelligence Service, held talks in Pyongyang with North "
    "Korea's Minister of State Security Ri Chang Dae on cooperation against espionage, the Korean Central News "
    "Agency said Thursday."
)


def _stories(news: NewsDB, cfg, count: int) -> list[int]:
    """`count` distinct stories, each queued for every rule in `cfg`."""
    ids = []
    for n in range(count):
        title = f"Story {n}: North Korean delegation number {n} visits Russian city {n} for talks on trade {n}"
        summary = f"Officials from Pyongyang arrived in city {n} on day {n} to discuss shipment {n} and port {n}."
        ids.append(news.process(cfg, news.article(f"Feed {n}", title, summary)))
    assert len(set(ids)) == count
    return ids


def test_one_email_per_rule_story_recipient_across_runs_and_a_syndicated_copy(db, smtp_server):
    news = NewsDB(db)
    cfg = settings(
        rule("all", ("a@example.org", "b@example.org")),
        rule("spies", ("a@example.org",), any_terms=["espionage"]),
    )
    story = news.process(cfg, news.article("Yonhap"))
    first = mail.send_pending(db, cfg, smtp_server.target, now=NOW)
    # The same report arrives in another feed 20 minutes later; then a second delivery run.
    copy = news.article("Korea Herald", COPY_TITLE, COPY_SUMMARY)
    assert news.process(cfg, copy, now=NOW + timedelta(minutes=20)) == story
    second = mail.send_pending(db, cfg, smtp_server.target, now=NOW + timedelta(minutes=20))
    mail.send_pending(db, cfg, smtp_server.target, now=NOW + timedelta(minutes=40))

    assert (first.sent, second.sent) == (3, 0)
    got = sorted((m["To"], m["Subject"].split("]")[0]) for m in smtp_server.messages)
    assert got == [("a@example.org", "[nkru: all"), ("a@example.org", "[nkru: spies"), ("b@example.org", "[nkru: all")]
    assert len(set(smtp_server.message_ids())) == 3
    assert {r["status"] for r in news.outbox()} == {"sent"}


def test_the_email_shows_the_story(db, smtp_server):
    news = NewsDB(db)
    cfg = settings(rule("military", ("a@example.org",), any_terms=["espionage", "missile"]))
    article = news.article("Yonhap", also_in=("Yonhap North Korea",))
    mentions = [news.mention(article, "Sergei Naryshkin", "PERSON", 3), news.mention(article, "Ri Chang Dae", "PERSON")]
    news.process(cfg, article, mentions)
    news.process(cfg, news.article("Korea Herald", COPY_TITLE, COPY_SUMMARY), now=NOW + timedelta(minutes=5))
    news.process(cfg, news.article("AFP Asia", COPY_TITLE + ".", COPY_SUMMARY), now=NOW + timedelta(minutes=6))
    mail.send_pending(db, cfg, smtp_server.target, now=NOW + timedelta(minutes=10))

    [msg] = smtp_server.messages
    assert msg["Subject"] == f"[nkru: military] {article.title}"
    assert msg["From"] == "nkru@localhost" and msg["To"] == "a@example.org"
    assert msg["Message-ID"] == alert_message_id("military", article_story(news, article.id), "a@example.org")
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Yonhap" in body
        assert "2026-03-26 08:00 UTC" in body  # published one hour before NOW (09:00 UTC)
        assert "Sergei Naryshkin, Ri Chang Dae" in body  # entities, most mentioned first
        assert "Also reported by 2 outlets: AFP Asia, Korea Herald" in body  # not Yonhap's own second feed
        assert "military" in body.split("nkru")[-1]  # the footer names the rule
    assert "Why: mentions North Korea and Russia together (score 3.00)" in text  # the relevance reason
    assert f"mentions {MARK}North Korea</mark> and {MARK}Russia</mark> together" in html  # a pale highlight
    assert f'<a href="{article.url}">' in html
    assert "Matched terms: espionage, north korea, pyongyang, russia" in text  # not "missile": not in the story
    assert "<b>Matched terms:</b> espionage, north korea, pyongyang, russia" in html  # a list: not highlighted
    assert f"against {MARK}espionage</mark>" in html  # highlighted where it occurs
    assert f"{MARK}Pyongyang</mark>" in html  # a term the relevance scorer matched
    assert "<mark" not in html.split("</h2>")[0]  # not in the headline


def article_story(news: NewsDB, article_id: int) -> int:
    return news.scalar("SELECT story_id FROM articles WHERE id = %s", (article_id,))


def test_smtp_outage_then_server_back_every_alert_arrives_exactly_once(db, smtp_server):
    news = NewsDB(db)
    cfg = settings(rule("all", ("a@example.org", "b@example.org")))
    _stories(news, cfg, 3)
    smtp_server.stop()
    down = mail.send_pending(db, cfg, smtp_server.target, now=NOW)
    assert (down.sent, down.pending) == (0, 6)
    assert "cannot reach mail server" in down.errors[0]
    rows = news.outbox()
    assert {r["status"] for r in rows} == {"pending"}
    assert {r["attempts"] for r in rows} == {0}  # an outage is not the message's fault
    assert "cannot reach mail server" in rows[0]["last_error"]

    smtp_server.start()
    up = mail.send_pending(db, cfg, smtp_server.target, now=NOW + timedelta(minutes=15))
    mail.send_pending(db, cfg, smtp_server.target, now=NOW + timedelta(minutes=30))
    assert (up.sent, up.pending) == (6, 0)
    assert len(smtp_server.messages) == 6
    assert sorted(smtp_server.message_ids()) == sorted(r["message_id"] for r in rows)


@pytest.mark.parametrize(
    ("login_delay", "error"),
    [
        (0.0, "refused the login: 535 5.7.8 Authentication credentials invalid; check the user name and password"),
        (
            3.0,
            "did not complete the login: SMTPServerDisconnected: Connection unexpectedly closed: timed out; "
            "check the user name and password",
        ),
    ],
)
def test_a_wrong_password_is_reported_as_a_login_failure(db, login_delay: float, error: str):
    """Some servers answer a wrong password at once, others only after a delay longer than our time-out."""
    news = NewsDB(db)
    cfg = settings(rule("all", ("a@example.org",)))
    _stories(news, cfg, 2)
    with CaptureServer(timeout=1, login=("nkru", "right"), login_delay=login_delay) as server:
        target = replace(server.target, username="nkru", password="wrong")
        report = mail.send_pending(db, cfg, target, now=NOW)
        assert (report.sent, report.pending) == (0, 2)
        assert len(report.errors) == 1 and report.errors[0].startswith(f"mail server {target.describe()} {error}")
        rows = news.outbox()
        assert {(r["status"], r["attempts"]) for r in rows} == {("pending", 0)}  # not the messages' fault

        server.stop()  # waits until a slow answer is over, then the same server comes back
        server.start()
        right = mail.send_pending(db, cfg, replace(target, password="right"), now=NOW)
        assert (right.sent, right.pending) == (2, 0)
        assert len(server.messages) == 2


def test_connection_dropped_mid_run_keeps_the_rest_pending_then_each_arrives_once(db, smtp_server):
    news = NewsDB(db)
    cfg = settings(rule("all", ("a@example.org",)))
    _stories(news, cfg, 4)
    smtp_server.drop_after = 1  # accepts one message, then drops every connection at DATA
    broken = mail.send_pending(db, cfg, smtp_server.target, now=NOW)
    assert (broken.sent, broken.retrying, broken.pending) == (1, 3, 3)
    assert len(smtp_server.messages) == 1
    pending = [r for r in news.outbox() if r["status"] == "pending"]
    assert all(r["attempts"] == 1 and "connection to the mail server lost" in r["last_error"] for r in pending)

    smtp_server.drop_after = None
    healed = mail.send_pending(db, cfg, smtp_server.target, now=NOW + timedelta(minutes=15))
    assert (healed.sent, healed.pending) == (3, 0)
    assert len(smtp_server.messages) == len(set(smtp_server.message_ids())) == 4


def test_slow_server_leaves_rows_pending(db):
    server = CaptureServer(timeout=0.5).start()
    try:
        news = NewsDB(db)
        cfg = settings(rule("all", ("a@example.org",)))
        _stories(news, cfg, 1)
        server.delay = 2.0  # answers DATA after the client gave up
        slow = mail.send_pending(db, cfg, server.target, now=NOW)
        assert (slow.sent, slow.pending) == (0, 1)
        assert news.outbox()[0]["status"] == "pending"
        server.delay = 0
        assert mail.send_pending(db, cfg, server.target, now=NOW).sent == 1
        assert len(server.messages) == 1
    finally:
        server.stop()


def test_refused_recipient_does_not_block_others_and_fails_after_max_attempts(db, db_url, smtp_server, monkeypatch):
    from click.testing import CliRunner

    from nkru.edge.cli import main

    news = NewsDB(db)
    cfg = settings(rule("all", ("a@example.org", "gone@example.org", "c@example.org")), max_attempts=3)
    _stories(news, cfg, 1)
    smtp_server.refuse = {"gone@example.org"}
    reports = [mail.send_pending(db, cfg, smtp_server.target, now=NOW + timedelta(minutes=m)) for m in (0, 15, 30)]

    assert sorted(m["To"] for m in smtp_server.messages) == ["a@example.org", "c@example.org"]
    assert [(r.sent, r.retrying, r.failed) for r in reports] == [(2, 1, 0), (0, 1, 0), (0, 0, 1)]
    [refused] = [r for r in news.outbox() if r["recipient"] == "gone@example.org"]
    assert (refused["status"], refused["attempts"]) == ("failed", 3)
    assert "550" in refused["last_error"] and "No such user" in refused["last_error"]

    monkeypatch.setenv("NKRU_DATABASE_URL", db_url)
    result = CliRunner().invoke(main, ["alerts", "--failed", "--json"])
    assert result.exit_code == 0, result.output
    import json

    [row] = json.loads(result.output)
    assert (row["recipient"], row["status"], row["attempts"]) == ("gone@example.org", "failed", 3)
    assert "550" in row["last_error"]
    pending = CliRunner().invoke(main, ["alerts", "--pending"])
    assert pending.exit_code == 3  # nothing pending any more ...
    assert "1 alert failed for good" in pending.output  # ... but the failure is not hidden


def test_two_senders_at_once_never_send_a_row_twice(db_url, db, smtp_server):
    news = NewsDB(db)
    cfg = settings(rule("all", ("a@example.org", "b@example.org", "c@example.org")))
    _stories(news, cfg, 10)
    smtp_server.delay = 0.02  # keep both senders busy at the same time
    reports = []

    def sender():
        with store.connection(db_url) as conn:
            reports.append(mail.send_pending(conn, cfg, smtp_server.target, now=NOW))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent for r in reports) == 30
    assert len(smtp_server.messages) == len(set(smtp_server.message_ids())) == 30


def test_message_id_is_deterministic_per_rule_story_recipient():
    first = alert_message_id("all", 7, "a@example.org")
    assert first == alert_message_id("all", 7, "A@example.org")
    assert first.startswith("<") and first.endswith("@nkru>") and len(first) == 32 + len("<@nkru>")
    others = {alert_message_id("all", 8, "a@example.org"), alert_message_id("other", 7, "a@example.org")}
    assert first not in others and len(others) == 2


def test_smtp_urls():
    t = mail.smtp_target_from_url("smtp://user%40corp:p%3Ass@mail.example.org:587?starttls=true&timeout=5")
    assert (t.host, t.port, t.username, t.password, t.security, t.timeout) == (
        "mail.example.org",
        587,
        "user@corp",
        "p:ss",
        "starttls",
        5.0,
    )
    assert "p:ss" not in repr(t)
    assert mail.smtp_target_from_url("smtps://mail.example.org").port == 465
    assert mail.smtp_target_from_url("smtp://127.0.0.1:8025").security == "none"
    with pytest.raises(ValueError, match="NKRU_SMTP_URL"):
        mail.smtp_target_from_url("http://mail.example.org")


def test_no_mail_server_configured_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("NKRU_SMTP_URL", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_NKRU_SMTP", raising=False)
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    with pytest.raises(resources.SmtpNotConfigured, match="NKRU_SMTP_URL"):
        resources.smtp_target()
    monkeypatch.setenv("NKRU_SMTP_URL", "smtp://127.0.0.1:2525")
    assert resources.smtp_target().port == 2525


def test_airflow_connection_is_read_through_the_smtp_hook(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_NKRU_SMTP", "smtp://bot:secret@mail.example.org:2587?disable_ssl=true&timeout=7")
    t = resources.smtp_target_from_airflow("nkru_smtp")
    # disable_ssl without disable_tls: the provider's default is STARTTLS.
    assert (t.host, t.port, t.username, t.password, t.security, t.timeout) == (
        "mail.example.org",
        2587,
        "bot",
        "secret",
        "starttls",
        7.0,
    )


def test_the_database_guards_the_outbox_against_duplicates(db):
    """The unique constraint, not only the code, keeps one row per (rule, story, recipient)."""
    news = NewsDB(db)
    _stories(news, settings(rule("all")), 1)
    [row] = news.outbox()
    with pytest.raises(psycopg2.errors.UniqueViolation), db, db.cursor() as cur:
        cur.execute(
            "INSERT INTO alert_outbox (rule, story_id, recipient, mode, article_id, message_id, created_at)"
            " SELECT rule, story_id, recipient, mode, article_id, message_id || 'x', created_at FROM alert_outbox"
        )
    assert len(news.outbox()) == 1 and row["mode"] == "instant"
