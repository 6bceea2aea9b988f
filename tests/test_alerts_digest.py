"""Daily digests over real SMTP: one e-mail per (rule, recipient) per UTC day, every new story exactly once."""

from __future__ import annotations

from datetime import timedelta

from nkru import mail
from nkru.store.outbox import DigestExtras
from tests.alert_data import LAVROV_SUMMARY, LAVROV_TITLE, NOW, NewsDB, rule, settings
from tests.test_alerts_send import COPY_SUMMARY, COPY_TITLE

DAILY = rule("daily", ("a@example.org", "b@example.org"), mode="digest")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def _two_stories(news: NewsDB, cfg) -> tuple[int, int]:
    naryshkin = news.process(cfg, news.article("Yonhap"))
    news.process(cfg, news.article("Korea Herald", COPY_TITLE, COPY_SUMMARY), now=NOW + timedelta(minutes=5))
    news.process(cfg, news.article("AFP Asia", COPY_TITLE + ".", COPY_SUMMARY), now=NOW + timedelta(minutes=6))
    lavrov = news.process(cfg, news.article("AFP", LAVROV_TITLE, LAVROV_SUMMARY), now=NOW + timedelta(minutes=7))
    return naryshkin, lavrov


def test_digest_lists_each_new_story_once_with_its_other_outlets(db, smtp_server):
    news = NewsDB(db)
    cfg = settings(DAILY, rule("instant", ("a@example.org",)))
    _two_stories(news, cfg)
    assert mail.send_pending(db, cfg, smtp_server.target, now=NOW).sent == 2  # instant rule: one per story
    smtp_server.messages.clear()
    smtp_server.envelopes.clear()

    report = mail.send_digests(db, cfg, smtp_server.target, now=NOW + timedelta(hours=20))
    assert (report.sent, report.pending) == (2, 0)
    assert sorted(m["To"] for m in smtp_server.messages) == ["a@example.org", "b@example.org"]
    msg = smtp_server.to("a@example.org")[0]
    assert msg["Subject"] == "[nkru: daily] digest 2026-03-27: 2 new stories"
    assert msg["Message-ID"] == mail.digest_message_id("daily", "a@example.org", (NOW + timedelta(hours=20)).date())
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for body in (text, html):
        assert body.count("Naryshkin holds talks") == 1  # three articles, one story
        assert "Also reported by 2 outlets: AFP Asia, Korea Herald" in body
        assert body.count("Lavrov says Moscow") == 1
    assert {(r["rule"], r["status"]) for r in news.outbox()} == {("daily", "sent"), ("instant", "sent")}


def test_digest_goes_once_a_day_and_later_stories_wait_for_the_next_day(db, smtp_server):
    news = NewsDB(db)
    cfg = settings(rule("daily", ("a@example.org",), mode="digest"))
    news.process(cfg, news.article("Yonhap"))
    day1 = NOW + timedelta(hours=1)
    assert mail.send_digests(db, cfg, smtp_server.target, now=day1).sent == 1
    # A new story the same day, and a second run the same day: nothing more today.
    news.process(cfg, news.article("AFP", LAVROV_TITLE, LAVROV_SUMMARY), now=day1 + timedelta(hours=1))
    assert mail.send_digests(db, cfg, smtp_server.target, now=day1 + timedelta(hours=2)).sent == 0
    assert len(smtp_server.messages) == 1
    # The next UTC day's digest lists only the new story.
    day2 = day1 + timedelta(days=1)
    assert mail.send_digests(db, cfg, smtp_server.target, now=day2).sent == 1
    assert mail.send_digests(db, cfg, smtp_server.target, now=day2 + timedelta(hours=1)).sent == 0
    first, second = smtp_server.messages
    assert "Naryshkin" in first.get_body(("plain",)).get_content()
    assert "Lavrov" not in first.get_body(("plain",)).get_content()
    assert "Lavrov says Moscow" in second.get_body(("plain",)).get_content()
    assert "Naryshkin" not in second.get_body(("plain",)).get_content()
    assert "1 new story" in second["Subject"]


def test_digest_outage_then_back_sends_it_once_with_the_same_message_id(db, smtp_server):
    news = NewsDB(db)
    cfg = settings(DAILY)
    _two_stories(news, cfg)
    smtp_server.stop()
    down = mail.send_digests(db, cfg, smtp_server.target, now=NOW)
    assert (down.sent, down.pending) == (0, 4)
    assert {r["status"] for r in news.outbox()} == {"pending"}
    smtp_server.start()
    smtp_server.drop_after = 1  # then a connection drop after the first digest
    flaky = mail.send_digests(db, cfg, smtp_server.target, now=NOW + timedelta(minutes=10))
    assert (flaky.sent, flaky.retrying) == (1, 1)
    smtp_server.drop_after = None
    back = mail.send_digests(db, cfg, smtp_server.target, now=NOW + timedelta(minutes=20))
    assert (back.sent, back.pending) == (1, 0)
    assert sorted(m["To"] for m in smtp_server.messages) == ["a@example.org", "b@example.org"]
    day = NOW.date()
    assert sorted(smtp_server.message_ids()) == sorted(
        mail.digest_message_id("daily", r, day) for r in ("a@example.org", "b@example.org")
    )
    assert {r["status"] for r in news.outbox()} == {"sent"}


def test_refused_digest_recipient_does_not_block_the_other(db, smtp_server):
    news = NewsDB(db)
    cfg = settings(DAILY, max_attempts=2)
    _two_stories(news, cfg)
    smtp_server.refuse = {"a@example.org"}
    mail.send_digests(db, cfg, smtp_server.target, now=NOW)
    last = mail.send_digests(db, cfg, smtp_server.target, now=NOW + timedelta(minutes=10))
    assert [m["To"] for m in smtp_server.messages] == ["b@example.org"]
    assert last.failed == 1
    statuses = {(r["recipient"], r["status"], r["attempts"]) for r in news.outbox()}
    assert statuses == {("a@example.org", "failed", 2), ("b@example.org", "sent", 1)}


def test_digest_with_extras_arrives_with_the_charts_as_inline_images(db, smtp_server):
    news = NewsDB(db)
    cfg = settings(rule("daily", ("a@example.org",), mode="digest"))
    _two_stories(news, cfg)
    extras = DigestExtras(
        text="Rising this week: Naryshkin", html='<img src="cid:rising@nkru" alt="rising">', images={"rising@nkru": PNG}
    )
    mail.send_digests(db, cfg, smtp_server.target, now=NOW, extras=extras)
    [msg] = smtp_server.messages
    [image] = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert (image["Content-ID"], image.get_content()) == ("<rising@nkru>", PNG)
    assert 'src="cid:rising@nkru"' in msg.get_body(("html",)).get_content()


def test_instant_sender_leaves_digest_rows_alone(db, smtp_server):
    news = NewsDB(db)
    cfg = settings(DAILY)
    _two_stories(news, cfg)
    assert mail.send_pending(db, cfg, smtp_server.target, now=NOW).sent == 0
    assert smtp_server.messages == []
    assert mail.send_digests(db, settings(), smtp_server.target, now=NOW).sent == 0  # rule removed: none sent
