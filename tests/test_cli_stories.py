"""`nkru stories` with the Stories page's filters, as an analyst types them: entity in any script, source,
language, words, date range, score, rule; JSON with every article of a story; CSV; clear errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from nkru import store
from nkru.edge.cli import main
from nkru.edge.cli.common import EXIT_NO_DATA, EXIT_USAGE
from nkru.edge.cli.search import CSV_COLUMNS
from tests import workspace_data
from tests.workspace_data import VISIT

workspace_db = workspace_data.workspace_db  # the module-scoped fixture

BRIDGE = "Road bridge over the Tumen ahead of schedule"
ARMS = "Shoigu meets arms industry chiefs on munitions for the front"


@pytest.fixture
def ws(workspace_db, tmp_path, monkeypatch):
    settings = tmp_path / "nkru.yaml"
    settings.write_text(
        "feeds:\n"
        '  - {name: TASS, url: "https://tass.example/rss.xml", language: ru, display_name: "TASS news agency"}\n'
        '  - {name: Interfax, url: "https://interfax.example/rss.xml", display_name: "Interfax (Moscow)"}\n'
    )
    monkeypatch.setenv("NKRU_DATABASE_URL", workspace_db[0])
    monkeypatch.setenv("NKRU_CONFIG", str(settings))
    monkeypatch.setenv("COLUMNS", "80")
    return workspace_db[1]


def nkru(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def titles(*args: str) -> list[str]:
    result = nkru("stories", *args, "--json")
    assert result.exit_code in (0, EXIT_NO_DATA), result.output
    return [s["title"] for s in json.loads(result.stdout)]


def test_an_entity_in_cyrillic_finds_its_stories_in_every_language(ws):
    assert titles("--entity", "Шойгу", "--since", "30d") == [VISIT, ARMS]
    assert titles("--entity", "schoigu", "--since", "30d") == [VISIT, ARMS]  # German spelling, folded case
    assert titles("--entity", "Шойгу", "--since", "30d", "--lang", "ru") == [VISIT]


def test_the_json_of_a_story_lists_every_article_with_source_display_name_language_and_time(ws):
    (visit,) = json.loads(nkru("stories", "--entity", "쇼이구", "--since", "7d", "--json").stdout)
    assert visit["source"] == "TASS" and visit["display_name"] == "TASS news agency"
    assert visit["outlets"] == 5 and visit["other_outlets"] == 4 and visit["article_count"] == 4
    assert visit["languages"] == ["de", "en", "ko", "ru"]
    reports = visit["reports"]
    assert [(r["source"], r["language"]) for r in reports] == [
        ("TASS", "ru"),
        ("Yonhap", "en"),
        ("Yonhap Korean", "ko"),
        ("DPA", "de"),
    ]
    day = (ws.today - timedelta(days=1)).isoformat()
    assert [r["published_at"] for r in reports] == [f"{day}T{t}:00+00:00" for t in ("06:10", "07:25", "07:40", "09:00")]
    assert all(r["url"].startswith("https://") and r["url"].endswith(f"/news/{n}") for n, r in enumerate(reports))
    assert reports[0]["also_in"] == [{"source": "Interfax", "display_name": "Interfax (Moscow)"}]
    assert reports[1]["display_name"] == "Yonhap"  # no display name configured: the feed's name
    assert visit["coverage"].startswith("First reported by TASS news agency (ru) at ")
    assert "Sergei Shoigu" in visit["entities"]


def test_words_are_searched_in_each_language_and_sources_include_syndicated_copies(ws):
    assert titles("--grep", "bridge", "--since", "30d") == [BRIDGE]
    assert titles("--grep", "мост", "--since", "30d") == [BRIDGE]  # "моста" in Russian, stemmed
    assert titles("--grep", "평양", "--since", "30d") == [VISIT]  # Korean: substring search
    assert titles("--source", "Interfax", "--since", "30d") == [VISIT]  # Interfax carried TASS's copy
    assert titles("--source", "interfax", "--since", "30d") == [VISIT]  # case aside
    assert titles("--source", "TASS", "--grep", "мост", "--since", "30d") == [BRIDGE]
    assert titles("--source", "TASS", "--grep", "bridge", "--since", "30d") == []  # one article matches all


def test_until_takes_a_date_included_whole_or_a_span_before_now(ws):
    two_days_ago = (ws.today - timedelta(days=2)).isoformat()
    assert titles("--entity", "Shoigu", "--since", "30d", "--until", two_days_ago) == [ARMS]
    three_days_ago = (ws.today - timedelta(days=3)).isoformat()
    bridge_day = titles("--grep", "bridge", "--since", three_days_ago, "--until", three_days_ago)
    assert bridge_day == [BRIDGE]
    assert titles("--entity", "Shoigu", "--since", "30d", "--until", "2d") == [ARMS]


def test_minimum_score_and_alert_rule(ws):
    assert titles("--since", "30d", "--min-score", "3") == [VISIT]
    assert titles("--since", "30d", "--rule", "military-cooperation") == [VISIT]
    result = nkru("stories", "--since", "30d", "--rule", "no-such-rule")
    assert result.exit_code == EXIT_NO_DATA and "rules: military-cooperation" in result.stderr


def test_csv_has_a_header_and_one_row_per_story(ws):
    result = nkru("stories", "--since", "30d", "--entity", "Shoigu", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["title"] for r in rows] == [VISIT, ARMS]
    assert rows[0]["display_name"] == "TASS news agency" and rows[0]["languages"] == "de; en; ko; ru"
    assert rows[0]["other_articles"].split("; ")[0].startswith("Yonhap en https://yonhap.example/news/")
    empty = nkru("stories", "--since", "30d", "--grep", "zzzzqqq", "--csv")
    assert empty.exit_code == EXIT_NO_DATA
    assert empty.stdout.splitlines() == [",".join(CSV_COLUMNS)]


def test_the_table_names_the_first_reporter_and_every_outlet_at_80_columns(ws):
    result = nkru("stories", "--entity", "Шойгу", "--since", "7d")
    assert result.exit_code == 0, result.output
    assert max(len(line.rstrip()) for line in result.stdout.splitlines()) <= 80
    out = " ".join(result.stdout.split())
    assert "TASS news agency (TASS) (+4 more outlets) · ru · score 3.1" in out
    assert "First reported by TASS news agency (ru) at" in out
    assert "+ Yonhap Korean (ko)" in out and "https://yonhap-korean.example/news/2" in out
    one = nkru("stories", "--grep", "bridge", "--since", "7d", "--source", "Yonhap")
    assert "(TASS) (+1 more outlet) · ru" in " ".join(one.stdout.split())  # Yonhap carried the other report


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--source", "tas"), "no feed is called 'tas'; closest: TASS"),
        (("--lang", "russian"), "--lang 'russian' is not a language code"),
        (("--entity", "Шойгуу"), "no entity is known as 'Шойгуу'. Closest names: Sergei Shoigu"),
        (("--since", "7d", "--until", "30d"), "is not after --since"),
        (("--until", "next week"), "cannot read --until 'next week'"),
        (("--grep", "   "), "--grep needs 1 to 200 characters"),
        (("--min-score", "-1"), "-1"),
        (("--json", "--csv"), "choose one of --json and --csv"),
    ],
)
def test_bad_values_are_usage_errors_that_say_what_to_type(ws, args, message):
    result = nkru("stories", *args)
    assert result.exit_code == EXIT_USAGE
    assert message in result.output


def test_an_unknown_entity_with_json_still_prints_valid_json(ws):
    result = nkru("stories", "--entity", "Nobody At All", "--json")
    assert result.exit_code == EXIT_USAGE and json.loads(result.stdout) == []


# ------------------------------------------------------------------------------ --csv on the other listings


def test_entities_and_alerts_as_csv(ws):
    result = nkru("entities", "--since", "30d", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["name", "label", "articles", "mentions"]
    assert {r["name"]: int(r["articles"]) for r in rows}["Sergei Shoigu"] == 5
    alerts = list(csv.DictReader(io.StringIO(nkru("alerts", "--csv").stdout)))
    assert [(a["rule"], a["status"], a["story_title"]) for a in alerts] == [("military-cooperation", "sent", VISIT)]
    assert json.loads(nkru("alerts", "--json").stdout)[0]["recipient"] == alerts[0]["recipient"]


def test_alias_list_as_csv(db_url, monkeypatch):
    monkeypatch.setenv("NKRU_DATABASE_URL", db_url)
    empty = nkru("alias", "list", "--csv")
    assert empty.exit_code == EXIT_NO_DATA and empty.stdout == "alias,name,label,added\n"
    assert nkru("alias", "add", "=Kim Čong-un", "Kim Jong Un", "--label", "PERSON").exit_code == 0
    (row,) = csv.DictReader(io.StringIO(nkru("alias", "list", "--csv").stdout))
    assert row["alias"] == "'=Kim Čong-un"  # a spelling that starts like a formula stays text in a spreadsheet
    assert row["name"] == "Kim Jong Un" and row["added"].startswith("20")


def test_feeds_failing_for_one_reason_share_one_sentence(ws):
    result = nkru("feeds")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "3 feeds failing: cannot resolve host (Border Watch, Daily Monitor, Sea Lanes), the first since" in out
    assert "Border Watch: failing since" not in out
    assert "Broken Feed: failing since" in out and "5 fetches in a row: HTTP 503 Service Unavailable" in out


def test_without_a_display_name_the_title_the_feed_gives_itself_is_shown(db_url, tmp_path, monkeypatch):
    with store.connection(db_url) as conn:
        workspace_data.build(conn)
        with conn, conn.cursor() as cur:  # feeds.title comes with migration 016 (the alert e-mail's outlet names)
            cur.execute("ALTER TABLE feeds ADD COLUMN IF NOT EXISTS title text")
            cur.execute("UPDATE feeds SET title = name || ' (own title)' WHERE name IN ('TASS', 'Yonhap')")
    settings = tmp_path / "nkru.yaml"
    settings.write_text('feeds:\n  - {name: TASS, url: "https://tass.example/rss.xml", display_name: "TASS"}\n')
    monkeypatch.setenv("NKRU_DATABASE_URL", db_url)
    monkeypatch.setenv("NKRU_CONFIG", str(settings))
    (visit,) = json.loads(nkru("stories", "--grep", "Pyongyang", "--source", "Yonhap", "--json").stdout)
    shown = {r["source"]: r["display_name"] for r in visit["reports"]}
    assert shown == {"TASS": "TASS", "Yonhap": "Yonhap (own title)", "Yonhap Korean": "Yonhap Korean", "DPA": "DPA"}
