"""Multilingual relevance through the `nkru` command and a real database: what `run` keeps, what `stories`
shows, what `explain` says about a stored article or a text, and what `rescore` changes in history."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from nkru.edge.cli import main
from nkru.edge.demo import recent_dates
from tests.feedserver import FeedServer

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "relevance"
BASE = "https://world.example.org"
KEPT = {f"{BASE}/de/truppen-kursk": "de", f"{BASE}/ja/putin-pyongyang": "ja", f"{BASE}/ar/rail-tumen": "ar",
        f"{BASE}/lv/karaviri": "lv"}  # fmt: skip
VENUE, RANKING = f"{BASE}/en/japan-summit", f"{BASE}/id/paspor"


@pytest.fixture
def world():
    with FeedServer(FIXTURES) as server:
        server.set_content("/world.xml", recent_dates((FIXTURES / "world.xml").read_text(), datetime.now(UTC)).encode())
        yield server


@pytest.fixture
def env(tmp_path, world, db_url, monkeypatch):
    settings = tmp_path / "nkru.yaml"
    settings.write_text(
        f"""
feeds:
  - {{name: world-desk, url: "{world.url("world.xml")}", language: en}}
fetch: {{allow_private_addresses: true, timeout_seconds: 5}}
entities: {{gazetteer: "{ROOT / "config" / "gazetteer.yaml"}"}}
"""
    )
    monkeypatch.setenv("NKRU_DATABASE_URL", db_url)
    monkeypatch.setenv("NKRU_CONFIG", str(settings))
    monkeypatch.delenv("NKRU_SMTP_URL", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_NKRU_SMTP", raising=False)
    return settings


def nkru(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_stories_in_four_languages_are_kept_with_their_language_and_the_hard_negatives_dropped(env):
    assert nkru("run", "--no-send").exit_code == 0
    stories = json.loads(nkru("stories", "--since", "7d", "--json").output)
    # Every kept report, in whichever story (two reports of the troops' arrival may be one event, issue 16).
    kept = {r["url"]: r["language"] for s in stories for r in s["reports"]}
    assert kept == KEPT  # the feed said "en" for all of them
    table = nkru("stories", "--since", "7d").output
    assert "· ja ·" in table and "· lv ·" in table


def test_explain_a_stored_article_shows_language_terms_sides_and_the_stored_verdict(env):
    assert nkru("run", "--no-send").exit_code == 0
    result = nkru("explain", f"{BASE}/de/truppen-kursk")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "language: de (detected" in out
    assert "verdict:  RELEVANT" in out
    assert "North Korea" in out and "Nordkoreanische" in out
    assert "Russia" in out and "russischer" in out and "Kursk" in out
    assert "stored:   relevant" in out and "from world-desk" in out

    venue = json.loads(nkru("explain", VENUE, "--json").output)
    assert venue["relevant"] is False and venue["stored"]["relevant"] is False
    assert "only as the venue (Vladivostok)" in venue["parties"]
    sides = {(t["term"], t["side"]) for t in venue["terms"]}
    assert ("Vladivostok", "Russia") in sides and ("North Korea", "North Korea") in sides
    assert ("Japan", "other country: Japan") in sides


def test_explain_a_text_given_on_the_command_line(env):
    result = nkru(
        "explain",
        "--title",
        "China and North Korea expand their nuclear forces while the US and Russia cut theirs",
        "--summary",
        "The institute's yearbook counts warheads in nine states.",
        "--json",
    )
    report = json.loads(result.output)
    assert report["language"]["code"] == "en"
    assert report["relevant"] is False
    assert "North Korea paired with China and Russia with the US" in report["reason"]

    kept = nkru("explain", "--title", "Lawrow trifft Choe Son Hui in Pjöngjang").output
    assert "verdict:  RELEVANT" in kept and "Lawrow" in kept and "Pjöngjang" in kept


def test_explain_says_what_is_wrong_with_its_arguments(env):
    assert nkru("explain").exit_code == 2
    assert nkru("explain", "https://x.example/a", "--title", "t").exit_code == 2
    missing = nkru("explain", "https://nowhere.example/none")
    assert missing.exit_code == 3 and "no stored article" in missing.output


def test_rescore_detects_languages_again_and_applies_the_rules_to_history(env, db):
    assert nkru("run", "--no-send").exit_code == 0
    with db, db.cursor() as cur:  # as an older nkru left them: English-only rules, no language
        cur.execute("UPDATE articles SET relevant = false, score = 0, reason = 'old rules', language = NULL")
    result = nkru("rescore")
    assert result.output.startswith("rescored 6 articles: 4 became relevant, 0 no longer relevant"), result.output
    with db, db.cursor() as cur:
        cur.execute("SELECT url, language, relevant, reason FROM articles ORDER BY url")
        rows = {url: (language, relevant, reason) for url, language, relevant, reason in cur.fetchall()}
    for url, language in KEPT.items():
        assert rows[url][:2] == (language, True)
        assert "North Korea (" in rows[url][2] and "Russia (" in rows[url][2]
    assert rows[VENUE][1] is False and "venue" in rows[VENUE][2]
    assert rows[RANKING][1] is False and "ranking or list" in rows[RANKING][2]
    assert rows[RANKING][0] == "id"
