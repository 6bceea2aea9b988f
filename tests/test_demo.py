"""`nkru demo` (`make demo`): eight weeks of realistic coverage through the real pipeline, so a new user sees
trends, rising entities, pairs and stories in several languages, and learns when the demo's alerts go out.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import feedparser
from click.testing import CliRunner

from nkru import store
from nkru.edge import demo_history, launcher
from nkru.edge.cli import main
from nkru.edge.web.stories import render_stories
from nkru.store import trends as trend_store

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_history_covers_eight_weeks_of_several_outlets_and_languages():
    data = demo_history.load()
    items = demo_history.items(data, NOW)
    outlets = demo_history.sources(data)
    language_of = {s.name: s.language for s in outlets}
    assert len(items) >= 300
    assert NOW - min(i.published_at for i in items) >= timedelta(weeks=8) - timedelta(days=1)
    assert all(i.published_at <= NOW for i in items)
    per_source = Counter(i.source for i in items)
    assert len(per_source) >= 6 and min(per_source.values()) >= 15
    assert len({language_of[i.source] for i in items}) >= 4
    per_language = Counter(language_of[i.source] for i in items)
    assert per_language["de"] >= 40 and per_language["fr"] >= 40, per_language
    assert len({i.link for i in items}) == len(items), "every item has its own link"


def test_copies_come_after_the_first_report_with_its_text():
    items = demo_history.items(demo_history.load(), NOW)
    arrival = [i for i in items if "Шойгу прибыл в Пхеньян" in i.summary or "Шойгу прибыл" in i.title]
    assert [i.source for i in arrival] == ["demo-moscow-wire", "demo-far-east-herald"]
    assert arrival[1].published_at - arrival[0].published_at == timedelta(minutes=15)


def test_feeds_written_are_rss_with_every_item(tmp_path):
    data = demo_history.load()
    items = demo_history.items(data, NOW)
    files = demo_history.write_feeds(demo_history.sources(data), items, tmp_path)
    parsed = {name: feedparser.parse((tmp_path / file).read_bytes()) for name, file in files.items()}
    assert sum(len(p.entries) for p in parsed.values()) == len(items)
    assert all(not p.bozo for p in parsed.values())
    assert parsed["demo-seoul-daily"].feed.language == "ko"


def test_make_demo_fills_trends_stories_and_says_when_alerts_go_out(db_url, monkeypatch, smtp_server):
    monkeypatch.setenv("NKRU_DATABASE_URL", db_url)
    monkeypatch.setenv("NKRU_SMTP_URL", smtp_server.url)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "stories" in result.output.splitlines()[0]
    sent = int(re.search(r"alerts: (\d+) instant alert e-mail\(s\) sent now; 0 still pending", result.output)[1])
    assert len(smtp_server.messages) == sent  # instant alerts of the last 72 hours go out at once
    assert "wait for the daily digest, mailed by nkru_digest at" in result.output  # the digest keeps its hour
    assert "nkru digest --preview digest.html" in result.output
    story_id = int(
        re.search(
            r"open a story \(start `make run` first\): http://127\.0\.0\.1:\d+/nkru/stories/(\d+)", result.output
        )[1]
    )
    assert "/nkru/stories?q=%D0%A8%D0%BE%D0%B9%D0%B3%D1%83" in result.output  # Шойгу

    today = datetime.now(UTC).date()
    with store.connection(db_url) as conn:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT min(published_at), count(*) FROM articles WHERE relevant")
            first, relevant = cur.fetchone()
            cur.execute("SELECT count(DISTINCT language) FROM articles")
            languages = cur.fetchone()[0]
        assert relevant >= 250 and datetime.now(UTC) - first >= timedelta(weeks=7)
        assert languages >= 4
        week = today - timedelta(days=6)
        rising = trend_store.rising_entities(conn, week, today, week - timedelta(days=28), limit=3)
        assert rising[0]["entity"] == "Sergei Shoigu"
        html = render_stories(conn, {"q": "Шойгу"})
        assert all(f">{lang}</span>" in html for lang in ("en", "ru", "ko", "de", "fr"))
        with conn, conn.cursor() as cur:  # the story to open is carried widely
            cur.execute(
                "SELECT count(DISTINCT af.feed_id), count(DISTINCT a.language) FROM articles a "
                "JOIN article_feeds af ON af.article_id = a.id WHERE a.story_id = %s",
                (story_id,),
            )
            outlets, languages = cur.fetchone()
        assert outlets >= 5 and languages >= 4, (outlets, languages)
        assert f"{outlets} outlets in {languages} languages" in result.output


def test_beside_a_running_make_run_the_demo_points_at_its_ui_and_says_it_mails_the_alerts(
    db_url, tmp_path, monkeypatch
):
    """`make demo` in a second shell: the database comes from the running launcher's state file, the story's
    address is that launcher's UI, and the queued alerts go out with its next ingest run."""
    monkeypatch.delenv("NKRU_DATABASE_URL", raising=False)
    monkeypatch.delenv("NKRU_SMTP_URL", raising=False)
    monkeypatch.setenv("NKRU_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(launcher, "API_PORT", 18080)
    env = {"NKRU_DATABASE_URL": db_url, "NKRU_SMTP_URL": "smtp://127.0.0.1:18025"}
    launcher.write_state(env, tmp_path, catcher=True)  # this test process plays the running launcher
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert re.search(
        r"open a story \(log in with the banner's user and password\): http://127\.0\.0\.1:18080/nkru/stories/\d+",
        result.output,
    ), result.output
    assert re.search(
        r"alerts: \d+ instant alert e-mail\(s\) queued; the running `make run` mails them \(caught in "
        + re.escape(str(tmp_path / "mail")),
        result.output,
    ), result.output
