"""The red team's hostile feeds (issue 11, items 1-3), replayed as they were sent: over loopback HTTP into
`nkru run`, through the real SMTP capture server, and out of every command that prints feed text.

1. A headline holding an RFC 2047 encoded-word whose decoded text is "\\r\\nBcc: ...\\r\\nContent-Type:
   text/html\\r\\n\\r\\n<script>" (Python 3.11.7's email package decodes it and wrote the CR/LF raw).
2. NUL in a title, link and guid (raw and `&#0;`): `nkru run` used to exit 1 and lose the whole batch.
3. `ESC[2J ESC]0;pwned BEL` in a title and in entity names: printed raw, and SVG charts no longer XML.
"""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from nkru import mail, ops, pipeline, store
from nkru.config import parse_settings
from nkru.edge.cli import main
from tests.alert_data import NewsDB
from tests.feedserver import FeedServer
from tests.smtpserver import CaptureServer

ROOT = Path(__file__).resolve().parents[1]
INJECTED = "\r\nBcc: x@evil.example\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>"
BCC_TITLE = f"Body =?utf-8?b?{base64.b64encode(INJECTED.encode()).decode()}?= North Korea Russia"
REPLY_TITLE = "Reply =?utf-8?q?=0D=0AReply-To:_x@evil.example=0D=0A?= North Korea Russia"
OUR_HEADERS = {"subject", "from", "to", "date", "message-id", "auto-submitted", "mime-version", "content-type"}
TERMINAL_ATTACK = "\x1b[2J\x1b]0;pwned\x07"
# What must never reach a terminal: ESC, BEL, NUL, CSI (C1), DEL.
FORBIDDEN = ("\x1b", "\x07", "\x00", "\x9b", "\x7f")


def rss(items: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Hostile wire</title>'
        "<link>https://hostile.example.org/</link>\n" + "\n".join(items) + "\n</channel></rss>\n"
    ).encode()


def item(title: str, link: str, guid: str, summary: str, hours_ago: int) -> str:
    published = format_datetime(datetime.now(UTC) - timedelta(hours=hours_ago))
    return (
        f"<item><title>{title}</title><link>{link}</link><guid isPermaLink='false'>{guid}</guid>"
        f"<pubDate>{published}</pubDate><description>{summary}</description></item>"
    )


HOSTILE_FEED = rss(
    [
        item(
            BCC_TITLE,
            "https://hostile.example.org/1",
            "h-1",
            "Sergei Naryshkin held talks in Pyongyang with North Korea's security minister on Russian help.",
            1,
        ),
        item(
            REPLY_TITLE,
            "https://hostile.example.org/2",
            "h-2",
            "Russian Deputy Defence Minister Yunus-Bek Yevkurov toured a munitions plant near Wonsan with Kim Jong Un.",
            2,
        ),
        item(
            "Putin hosts Kim &#x1b;[2J&#x1b;]0;pwned&#x7; in Moscow as North Korea and Russia sign an arms pact",
            "https://hostile.example.org/3",
            "h-3",
            "Vladimir Putin received Kim Jong Un in the Kremlin; the two signed a pact on artillery shells.",
            3,
        ),
        item(
            "Lavrov&#0; visits Pyongyang\x00 for North Korea Russia talks on the Tumen bridge",
            "https://hostile.example.org/a/nul&#0;4\x00",
            "nul&#0;guid\x00",
            "Sergei Lavrov arrived in Pyongyang\x00 to discuss the road bridge over the Tumen River with Choe Son Hui.",
            4,
        ),
        item(
            "North Korean workers arrive in Vladivostok under a new Russian labour deal",
            "https://hostile.example.org/5",
            "h-5",
            "Hundreds of North Korean construction workers reached Vladivostok, Russian officials said.",
            5,
        ),
    ]
)
LATER_FEED = rss(
    [
        item(
            "Russian and North Korean navies hold first joint drill off Vladivostok",
            "https://later.example.org/1",
            "l-1",
            "The Russian Pacific Fleet and the Korean People's Army navy exercised together for the first time.",
            1,
        )
    ]
)


def nkru(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def hostile_run(tmp_path, db_url, monkeypatch, smtp_server: CaptureServer):
    """`nkru run` over the hostile feed and a clean one after it, alerting every story at once."""
    with FeedServer() as server:
        server.set_content("/hostile.xml", HOSTILE_FEED)
        server.set_content("/later.xml", LATER_FEED)
        settings = tmp_path / "nkru.yaml"
        settings.write_text(
            f"""
feeds:
  - {{name: hostile, url: "{server.url("hostile.xml")}"}}
  - {{name: later, url: "{server.url("later.xml")}"}}
fetch: {{allow_private_addresses: true, timeout_seconds: 5, batch_size: 2}}
entities: {{gazetteer: "{ROOT / "config" / "gazetteer.yaml"}"}}
alerts:
  sender: nkru@example.org
  rules:
    - {{name: everything, recipients: [analyst@example.org], mode: instant}}
"""
        )
        monkeypatch.setenv("NKRU_DATABASE_URL", db_url)
        monkeypatch.setenv("NKRU_CONFIG", str(settings))
        monkeypatch.setenv("NKRU_SMTP_URL", smtp_server.url)
        result = nkru("run")
    return result


def test_no_feed_text_adds_a_header_or_a_mime_part(hostile_run, smtp_server: CaptureServer):
    assert hostile_run.exit_code == 0, hostile_run.output
    messages = smtp_server.messages
    assert len(messages) >= 4, hostile_run.output
    for msg, (_sender, recipients) in zip(messages, smtp_server.envelopes, strict=True):
        assert recipients == ["analyst@example.org"]
        assert {k.lower() for k in msg} == OUR_HEADERS, msg.keys()
        assert msg["Bcc"] is None and msg["Reply-To"] is None
        assert [p.get_content_type() for p in msg.walk()] == ["multipart/alternative", "text/plain", "text/html"]
        assert not any(c in str(msg["Subject"]) for c in "\r\n")
        for part in msg.walk():
            if not part.is_multipart():
                assert "<script" not in part.get_content()
    subjects = [str(m["Subject"]) for m in messages]
    # The attack headlines arrive as text, the encoded-word opener broken so nothing was decoded.
    bcc = next(s for s in subjects if s.startswith("[nkru: everything] Body "))
    assert "=\u2060?utf-8?b?DQpCY2M6" in bcc and bcc.endswith("North Korea Russia")
    reply = next(s for s in subjects if s.startswith("[nkru: everything] Reply "))
    assert "=\u2060?utf-8?q?=0D=0AReply-To:_x@evil.example=0D=0A?=" in reply


def test_nul_and_control_characters_are_stripped_and_lose_nothing(hostile_run, db_url):
    assert hostile_run.exit_code == 0, hostile_run.output
    assert "feeds: 2 fetched, 0 unchanged (304), 0 failed; items: 6, new articles: 6" in hostile_run.output
    with store.connection(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT title, url, guid FROM articles ORDER BY url")
        rows = cur.fetchall()
        cur.execute("SELECT name, last_status, consecutive_failures FROM feeds ORDER BY name")
        health = cur.fetchall()
    assert len(rows) == 6
    nul = next(r for r in rows if r[0].startswith("Lavrov"))
    assert nul == (
        "Lavrov visits Pyongyang for North Korea Russia talks on the Tumen bridge",
        "https://hostile.example.org/a/nul4",
        "nulguid",
    )
    escaped = next(r for r in rows if r[0].startswith("Putin hosts Kim"))
    assert escaped[0] == "Putin hosts Kim [2J]0;pwned in Moscow as North Korea and Russia sign an arms pact"
    assert not any(c in "".join(r) for r in rows for c in FORBIDDEN)
    assert health == [("hostile", "ok", 0), ("later", "ok", 0)]


def test_a_feed_that_still_cannot_be_stored_is_recorded_and_the_batch_goes_on(db, monkeypatch):
    """If normalisation ever lets a NUL through, only that item is lost, with its reason; its neighbours and
    the later feeds are stored, and the feed's health says what happened."""
    import nkru.feeds.text
    import nkru.feeds.urls

    monkeypatch.setattr(nkru.feeds.text, "strip_controls", lambda text, **_: text)
    monkeypatch.setattr(nkru.feeds.urls, "strip_controls", lambda text, **_: text)
    with FeedServer() as server:
        server.set_content("/hostile.xml", HOSTILE_FEED)
        server.set_content("/later.xml", LATER_FEED)
        base = parse_settings("fetch: {allow_private_addresses: true, timeout_seconds: 5}")
        settings = base.model_copy(
            update={
                "feeds": [
                    parse_settings(f"feeds: [{{name: {n}, url: '{server.url(n + '.xml')}'}}]").feeds[0]
                    for n in ("hostile", "later")
                ]
            }
        )
        report = pipeline.IngestReport()
        for batch in pipeline.plan_batches(db, settings, datetime.now(UTC), due_only=False):
            report.add(pipeline.ingest_batch(db, settings, batch, "run-1"))
    reason = "cannot be stored: ValueError: A string literal cannot contain NUL (0x00) characters."
    assert report.new_articles == 5 and report.skipped == {reason: 1} and report.failed_feeds == 0
    with db, db.cursor() as cur:
        cur.execute("SELECT f.name, count(a.id) FROM feeds f LEFT JOIN articles a ON a.feed_id = f.id GROUP BY 1")
        assert dict(cur.fetchall()) == {"hostile": 4, "later": 1}
        cur.execute("SELECT last_status, last_error FROM feeds WHERE name = 'hostile'")
        status, error = cur.fetchone()
    assert status == "ok" and error.endswith(f"1 item(s) could not be stored: {reason}")


# ------------------------------------------------------------------------------------------------ terminal


DIRTY = f"Pwned{TERMINAL_ATTACK} [/bold][red]Kim"


@pytest.fixture
def dirty_db(db_url, db, monkeypatch):
    """Rows stored before control characters were stripped: a headline, entity names and a feed name
    carrying terminal escapes and rich markup."""
    news = NewsDB(db)
    cfg = parse_settings("alerts: {rules: [{name: all, recipients: [a@example.org]}]}")  # the outbox lists them
    now = datetime.now(UTC)
    for n in range(3):
        article = news.article(
            f"Evil{TERMINAL_ATTACK}Feed",
            f"Kim {TERMINAL_ATTACK}meets Putin in Moscow, part {n} \x9b31m",
            published_at=now - timedelta(hours=2 + n),
        )
        mentions = [
            news.mention(article, DIRTY, "PERSON", aliases=("pwned kim",)),
            news.mention(article, f"Vladimir Putin{TERMINAL_ATTACK}", "PERSON", aliases=("putin",)),
        ]
        news.process(cfg, article, mentions, now=now)
    monkeypatch.setenv("NKRU_DATABASE_URL", db_url)
    monkeypatch.delenv("NKRU_SMTP_URL", raising=False)
    return db


def assert_clean(output: str) -> None:
    found = [repr(c) for c in FORBIDDEN if c in output]
    assert not found, f"{found} reached the terminal: {output!r}"


def test_nothing_from_a_feed_reaches_the_terminal_raw(dirty_db, tmp_path):
    since = ("--since", "7d")
    runs = {
        "stories": nkru("stories", *since),
        "stories --json": nkru("stories", "--json", *since),
        "stories --csv": nkru("stories", "--csv", *since),
        "entities --csv": nkru("entities", "--csv", *since),
        "entities": nkru("entities", *since),
        "trend": nkru("trend", "pwned kim", *since, "--plot", str(tmp_path / "trend.svg")),
        "cooccur": nkru("cooccur", "putin", *since, "--plot", str(tmp_path / "cooccur.svg")),
        "rising": nkru("rising", *since, "--min-count", "1", "--plot", str(tmp_path / "rising.svg")),
        "rising pairs": nkru("rising", "--pairs", *since, "--min-count", "1", "--plot", str(tmp_path / "pairs.svg")),
        "volume": nkru("volume", "--by-feed", *since, "--plot", str(tmp_path / "volume.svg")),
        "feeds": nkru("feeds", "--plot", str(tmp_path / "feeds.svg")),
        "closest names": nkru("trend", "pwned", *since),
        "alerts": nkru("alerts"),
    }
    for name, result in runs.items():
        assert result.exit_code in (0, 2), (name, result.output)
        assert_clean(result.output)
    # The output still says what was stored, markup shown as text rather than obeyed.
    assert "Kim [2J]0;pwnedmeets Putin in Moscow" in runs["stories"].output
    assert "[/bold][red]Kim" in runs["entities"].output
    assert "Closest names: Pwned[2J]0;pwned [/bold][red]Kim" in runs["closest names"].output
    assert json.loads(runs["stories --json"].output)[0]["title"].startswith("Kim \x1b[2J")  # JSON keeps data
    for chart in ("trend", "cooccur", "rising", "pairs", "volume", "feeds"):
        ET.parse(tmp_path / f"{chart}.svg")  # well-formed XML, or this raises


# ------------------------------------------------------------------------------------------- digest, notices


def test_digest_and_operator_notice_headers_hold(db, smtp_server: CaptureServer):
    """The digest lists the attack headline in its body; an operator notice names a feed whose name carries
    the attack (settings are edited by people, but copied from feeds' own titles)."""
    now = datetime.now(UTC)
    news = NewsDB(db)
    cfg = parse_settings(
        "alerts: {sender: nkru@example.org, rules: [{name: daily, recipients: [a@example.org], mode: digest}]}\n"
        "operations: {operators: [ops@example.org], feed_failing_alert_hours: 1}\n"
    )
    article = news.article("Yonhap", BCC_TITLE, published_at=now - timedelta(hours=1))
    news.process(cfg, article, now=now)
    assert mail.send_digests(db, cfg, smtp_server.target, now=now + timedelta(hours=1)).sent == 1

    feed_id = news.feed(REPLY_TITLE)
    with db, db.cursor() as cur:
        cur.execute(
            "UPDATE feeds SET failing_since = %s, consecutive_failures = 9, last_error = %s WHERE id = %s",
            (now - timedelta(hours=2), INJECTED, feed_id),
        )
    ops.check_feeds(db, cfg, now)
    assert ops.notify(db, cfg, smtp_server.target, now).sent == 1

    digest, notice = smtp_server.messages
    assert {k.lower() for k in digest} == OUR_HEADERS
    assert {k.lower() for k in notice} == OUR_HEADERS | {"x-nkru-episode", "content-transfer-encoding"}
    assert notice.get_content_type() == "text/plain" and not notice.is_multipart()
    assert "=\u2060?utf-8?q?=0D=0AReply-To:" in str(notice["Subject"]) and notice["Reply-To"] is None
    assert [e[1] for e in smtp_server.envelopes] == [["a@example.org"], ["ops@example.org"]]
    assert [p.get_content_type() for p in digest.walk()] == ["multipart/alternative", "text/plain", "text/html"]
    assert "=?utf-8?b?DQpCY2M6" in digest.get_body(("html",)).get_content()  # the headline, as text
