"""What an analyst reads in an alert e-mail (issue 14): the outlets by the names they give themselves, who
reported the story first and who followed, a light highlight, and a link to the story's page in the workspace.

`nkru run` over two feeds served on loopback HTTP, delivered to a real SMTP server on loopback.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from click.testing import CliRunner

from nkru import mail, store
from nkru.edge.cli import main
from nkru.mail.render import MARK
from tests.alert_data import NOW, NewsDB, rule, settings
from tests.feedserver import FeedServer
from tests.smtpserver import CaptureServer

ROOT = Path(__file__).resolve().parents[1]
TITLE = "Russian spy chief Naryshkin holds talks in Pyongyang on countering espionage"
SUMMARY = (
    "Sergei Naryshkin, director of Russia's Foreign Intelligence Service, held talks in Pyongyang with North "
    "Korea's Minister of State Security Ri Chang Dae on cooperation against espionage, KCNA said."
)


def rss(channel_title: str, link: str, published: datetime, title: str = TITLE) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{channel_title}</title><link>https://example.org/</link>"
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{format_datetime(published)}</pubDate><description>{SUMMARY}</description></item>"
        "</channel></rss>\n"
    ).encode()


def test_the_alert_names_outlets_says_who_was_first_and_links_to_the_story_page(
    tmp_path, db_url, monkeypatch, smtp_server: CaptureServer
):
    first = (datetime.now(UTC) - timedelta(hours=2)).replace(second=0, microsecond=0)
    later = first + timedelta(minutes=40)
    with FeedServer() as server:
        server.set_content("/yonhap.xml", rss("Yonhap News Agency", "https://en.yna.example/1", first))
        server.set_content(
            "/herald.xml", rss("The Korea Herald", "https://herald.example/2", later, TITLE + " - Korea Herald")
        )
        config = tmp_path / "nkru.yaml"
        config.write_text(
            f"""
feeds:
  - {{name: yonhap-en, url: "{server.url("yonhap.xml")}", language: en}}
  - {{name: herald-en, url: "{server.url("herald.xml")}", language: en}}
fetch: {{allow_private_addresses: true, timeout_seconds: 5}}
entities: {{gazetteer: "{ROOT / "config" / "gazetteer.yaml"}"}}
alerts:
  sender: nkru@example.org
  ui_base_url: https://airflow.example.org/nkru/
  rules:
    - {{name: spies, recipients: [analyst@example.org], any_terms: [espionage]}}
"""
        )
        monkeypatch.setenv("NKRU_DATABASE_URL", db_url)
        monkeypatch.setenv("NKRU_CONFIG", str(config))
        monkeypatch.setenv("NKRU_SMTP_URL", smtp_server.url)
        result = CliRunner().invoke(main, ["run"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with store.connection(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT DISTINCT story_id FROM articles WHERE relevant")
        [(story_id,)] = cur.fetchall()
        cur.execute("SELECT name, title FROM feeds ORDER BY name")
        assert cur.fetchall() == [("herald-en", "The Korea Herald"), ("yonhap-en", "Yonhap News Agency")]

    [msg] = smtp_server.messages  # one story, one alert
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for body in (text, html):
        assert "yonhap-en" not in body and "herald-en" not in body  # the display names, not the slugs
        assert f"Yonhap News Agency · {'published ' if body is text else ''}{first:%Y-%m-%d %H:%M} UTC" in body
        assert (
            f"First reported by Yonhap News Agency (en) at {first:%Y-%m-%d %H:%M} UTC, then 1 more report from "
            f"1 other outlet: The Korea Herald (en) {later:%H:%M}." in body
        )
        assert "Also reported by 1 outlet: The Korea Herald" in body
    page = f"https://airflow.example.org/nkru/stories/{story_id}"
    assert f"In nkru: {page}" in text
    assert f'<a href="{page}">Open this story in nkru</a>' in html
    assert f"against {MARK}espionage</mark>" in html and "background-color:#fff5c8" in MARK


def test_without_a_workspace_url_there_is_no_link_and_a_feed_without_a_title_keeps_its_name(db, smtp_server):
    news = NewsDB(db)
    cfg = settings(rule("all", ("a@example.org",)), ui_base_url=None)
    news.process(cfg, news.article("yonhap-en"))
    mail.send_pending(db, cfg, smtp_server.target, now=NOW)
    [msg] = smtp_server.messages
    text = msg.get_body(("plain",)).get_content()
    assert "Source: yonhap-en · published 2026-03-26 08:00 UTC" in text
    assert "First reported by yonhap-en (en) at 2026-03-26 08:00 UTC." in text
    assert "In nkru:" not in text and "Open this story" not in msg.get_body(("html",)).get_content()
