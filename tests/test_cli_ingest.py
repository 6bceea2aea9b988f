"""The `nkru` command as a user types it: run, stories, entities, migrate, rescore; output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg2
import pytest
from click.testing import CliRunner

from nkru.edge.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(tmp_path, feeds, db_url, monkeypatch):
    settings = tmp_path / "nkru.yaml"
    settings.write_text(
        f"""
feeds:
  - {{name: test-wire, url: "{feeds.url("wire.xml")}"}}
  - {{name: mirror-daily, url: "{feeds.url("mirror.xml")}"}}
  - {{name: gone-away, url: "{feeds.url("status/404")}"}}
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


def test_run_then_query_stories_and_entities(env, feeds):
    result = nkru("run")
    assert result.exit_code == 0, result.output
    assert "feeds: 3 fetched, 0 unchanged (304), 1 failed" in result.output
    assert "failed: gone-away: HTTP 404" in result.output

    stories = json.loads(nkru("stories", "--since", "7d", "--json").output)
    titles = [s["title"] for s in stories]
    assert len(titles) == len(set(titles)) == 4, titles  # the syndicated copy is one story
    shoigu = next(s for s in stories if s["title"].startswith("Shoigu meets"))
    assert shoigu["other_outlets"] == 1
    assert shoigu["url"] == "https://wire.example.org/asia/2026/11/shoigu-kim-pyongyang"
    assert {"Sergei Shoigu", "Kim Jong Un", "Pyongyang"} <= set(shoigu["entities"])
    assert shoigu["matched_terms"] and shoigu["score"] >= 1.0
    assert {"source", "published_at"} <= set(shoigu)
    # Every report of the story with why it joined (issue 16); the copy in the mirror is the same article.
    assert [r["joined_by"] for r in shoigu["reports"]] == ["new"]
    assert {"Sergei Shoigu", "Kim Jong Un"} <= set(shoigu["reports"][0]["why"]["entities"])
    # The outlet by the title the feed gives itself (no display name is configured for it).
    assert shoigu["coverage"].startswith(f"First reported by {shoigu['display_name']} (en) at ")
    assert shoigu["display_name"] == "Test Wire: Asia desk" and shoigu["source"] == "test-wire"

    table = nkru("stories", "--since", "7d")
    assert table.exit_code == 0 and "Shoigu meets Kim Jong Un" in table.output

    entities = json.loads(nkru("entities", "--since", "7d", "--top", "50", "--json").output)
    by_name = {e["name"]: e for e in entities}
    assert by_name["Kim Jong Un"]["articles"] == 2  # "Kim Jong Un" and "Kim Jong-un's" in two articles
    assert len([e for e in entities if e["name"].startswith("Kim Jong")]) == 1

    again = nkru("run")
    assert "feeds: 3 fetched, 2 unchanged (304), 1 failed" in again.output
    assert json.loads(nkru("stories", "--since", "7d", "--json").output) == stories


def test_empty_window_is_exit_3_with_valid_json(env):
    assert nkru("migrate").exit_code == 0
    result = nkru("stories", "--since", "2h", "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout) == []


def test_bad_since_is_a_usage_error(env):
    result = nkru("stories", "--since", "yesterday-ish")
    assert result.exit_code == 2
    assert "use 90m, 36h, 7d, 4w or an ISO date" in result.output


def test_missing_database_setting_says_what_to_set(env, monkeypatch):
    monkeypatch.delenv("NKRU_DATABASE_URL")
    result = nkru("stories")
    assert result.exit_code == 4
    assert "NKRU_DATABASE_URL is not set" in result.output


def test_unmigrated_database_says_run_migrate(env, empty_db_url, monkeypatch):
    monkeypatch.setenv("NKRU_DATABASE_URL", empty_db_url)
    result = nkru("entities")
    assert result.exit_code == 5
    assert "run `nkru migrate` first" in result.output
    assert nkru("migrate").output.startswith("applied: 001_core.sql")
    assert nkru("migrate").output.strip() == "schema is up to date"


def test_bad_settings_file_is_exit_4_with_line(env):
    env.write_text("feeds:\n  - {name: x, url: 'gopher://old.example'}\n")
    result = nkru("run")
    assert result.exit_code == 4
    assert "line 2: feeds[0].url" in result.output


def test_rescore_applies_new_topic_rules_to_history(env, feeds):
    assert nkru("run", "--no-send").exit_code == 0
    assert len(json.loads(nkru("stories", "--since", "7d", "--json").output)) == 4

    original = env.read_text()
    env.write_text(original + "topic: {threshold: 50}\n")  # nothing is relevant any more
    result = nkru("rescore")
    assert result.output.startswith("rescored 7 articles: 0 became relevant, 4 no longer relevant")
    assert nkru("stories", "--since", "7d", "--json").exit_code == 3

    env.write_text(original)
    assert "4 became relevant" in nkru("rescore").output
    assert len(json.loads(nkru("stories", "--since", "7d", "--json").output)) == 4


def test_the_database_going_away_mid_run_is_reported_with_a_hint(env, feeds, db_url):
    """The server ends nkru's session while `nkru run` waits for a feed (a restart, an administrator)."""
    database = db_url.rpartition("/")[2]

    def end_sessions(path: str) -> None:
        with psycopg2.connect(db_url) as admin, admin.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND application_name = 'nkru'",
                (database,),
            )
        admin.close()

    feeds.on_request = end_sessions
    result = CliRunner().invoke(main, ["run"])

    assert result.exit_code == 5, result.output
    # The server's own words follow in brackets ("terminating connection due to administrator command" or
    # "server closed the connection unexpectedly", depending on what libpq read first).
    assert "nkru: the database closed the connection; is it running? (" in result.output
    assert "connection already closed" not in result.output
    assert "Traceback" not in result.output
