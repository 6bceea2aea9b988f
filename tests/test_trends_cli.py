"""`nkru trend|rising|cooccur|volume|feeds` as a user runs them: tables, JSON, charts, bad input, exit codes."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from nkru.edge.cli import main
from nkru.edge.cli import trends as trend_cli
from nkru.edge.cli.common import EXIT_DATABASE, EXIT_NO_DATA, EXIT_USAGE
from tests import history
from tests.history import HOSTILE

history_db = history.history_db  # the module-scoped fixture


@pytest.fixture
def hist(history_db, monkeypatch):
    monkeypatch.setenv("NKRU_DATABASE_URL", history_db[0])
    monkeypatch.setenv("COLUMNS", "200")
    return history_db[1]


def nkru(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def as_json(result) -> list[dict]:
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def test_trend_finds_an_entity_by_a_cyrillic_alias(hist):
    result = nkru("trend", "Ким Чен Ын", "--since", "35d")
    assert result.exit_code == 0, result.output
    assert "Kim Jong Un (PERSON): 36 relevant articles" in result.stdout


def test_trend_json_has_one_row_per_day_with_zeros(hist):
    result = nkru("trend", "naryshkin", "--since", "10d", "--json", "--by", "day")
    assert result.exit_code == 0, result.output
    rows = as_json(result)
    assert [r["articles"] for r in rows] == [0] * 7 + [3, 2, 1]
    assert rows[0]["entity"] == "Sergei Naryshkin" and rows[0]["period"] == (hist.since(9)).isoformat()


def test_trend_of_an_unknown_name_suggests_the_closest(hist):
    result = nkru("trend", "Naryshkine")
    assert result.exit_code == EXIT_USAGE
    assert "no entity is known as 'Naryshkine'" in result.stderr
    assert "Closest names: Sergei Naryshkin" in result.stderr
    result = nkru("trend", "Naryshkine", "--json")
    assert result.exit_code == EXIT_USAGE and as_json(result) == []


def test_trend_with_nothing_in_the_window_says_so(hist):
    result = nkru("trend", "Choe Son Hui", "--since", "2d")
    assert result.exit_code == EXIT_NO_DATA
    assert "no relevant articles name Choe Son Hui between" in result.stderr
    result = nkru("trend", "Choe Son Hui", "--since", "2d", "--json")
    assert result.exit_code == EXIT_NO_DATA and as_json(result) == []


def test_hostile_names_are_just_text(hist):
    result = nkru("trend", HOSTILE, "--since", "7d", "--json")
    assert result.exit_code == 0, result.output
    assert sum(r["articles"] for r in as_json(result)) == 1
    assert as_json(result)[0]["entity"] == HOSTILE
    for text in ("%", "_", "'; DROP TABLE entities; --"):
        assert nkru("trend", text).exit_code == EXIT_USAGE
    assert nkru("trend", "Kim Jong Un", "--json").exit_code == 0
    table = nkru("cooccur", "Kim Jong Un", "--since", "7d")  # shown as is in a table, not read as markup
    assert table.exit_code == 0 and HOSTILE in table.stdout


def test_rising_table_puts_the_first_ever_visit_on_top(hist):
    result = nkru("rising")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip().startswith("│ 1 ")]
    assert lines and "Sergei Naryshkin" in lines[0]
    assert "Choe Son Hui" not in result.stdout


def test_rising_json_and_pairs(hist):
    rows = as_json(nkru("rising", "--json", "--label", "person"))
    assert rows[0]["entity"] == "Sergei Naryshkin" and rows[0]["recent"] == 6
    assert {r["label"] for r in rows} == {"PERSON"}
    loose = [r["entity"] for r in as_json(nkru("rising", "--json", "--min-count", "1"))]
    assert loose.index("Choe Son Hui") > loose.index("Sergei Naryshkin")
    pairs = as_json(nkru("rising", "--pairs", "--json"))
    assert "Sergei Naryshkin" in (pairs[0]["entity_a"], pairs[0]["entity_b"])


def test_rising_over_an_empty_window_is_valid_empty_json(hist):
    result = nkru("rising", "--json", "--min-count", "1000")
    assert result.exit_code == EXIT_NO_DATA and as_json(result) == []
    assert "nothing rose" in result.stderr


def test_cooccur_counts_with_any_alias(hist):
    result = nkru("cooccur", "김정은", "--since", "35d", "--json")
    assert result.exit_code == 0, result.output
    assert {r["entity"]: r["articles"] for r in as_json(result)} == {"North Korea": 35, "Russia": 35, HOSTILE: 1}
    table = nkru("cooccur", "Kim Jong Un", "--since", "35d")
    assert "Named with Kim Jong Un in its 36 relevant articles" in table.stdout
    assert "97%" in table.stdout


def test_volume_json_zero_fills_and_counts(hist):
    rows = as_json(nkru("volume", "--since", hist.since(50).isoformat(), "--json", "--by", "day"))
    assert len(rows) == 51
    by_day = {r["period"]: r for r in rows}
    assert by_day[hist.since(40).isoformat()]["articles"] == 0
    assert by_day[hist.since(45).isoformat()]["relevant_articles"] == 1
    weekly = as_json(nkru("volume", "--since", hist.since(50).isoformat(), "--json"))  # over 31 days: weeks
    assert sum(r["relevant_articles"] for r in weekly) == sum(r["relevant_articles"] for r in rows)
    feeds = as_json(nkru("volume", "--since", "2d", "--by-feed", "--json"))
    assert {r["feed"] for r in feeds} >= {"Yonhap", "Quiet Wire", "Broken Feed"}


def test_volume_table_shows_days_and_a_sparkline(hist):
    result = nkru("volume", "--since", "7d")
    assert result.exit_code == 0, result.output
    assert hist.today.isoformat() in result.stdout and "relevant articles" in result.stdout
    assert any(ch in result.stdout for ch in "▁▂▃▄▅▆▇█")


def test_feeds_say_which_silent_feed_is_failing(hist):
    result = nkru("feeds")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "Broken Feed: failing since" in out and "4 fetches in a row: HTTP 503 Service Unavailable" in out
    assert "Quiet Wire: no items in 7 days although about 7 were expected" in out and "fetches succeed" in out
    assert "Slow Wire: 0.14 items/day recently against 2/day usually" in out
    rows = {r["feed"]: r for r in as_json(nkru("feeds", "--json"))}
    assert rows["Broken Feed"]["status"] == "failing" and rows["Quiet Wire"]["status"] == "silent"
    assert rows["Yonhap"]["next_due_at"] and rows["Yonhap"]["last_status"] == "ok"


@pytest.mark.parametrize(
    "args",
    [
        ("trend", "Kim Jong Un", "--since", "35d"),
        ("rising",),
        ("rising", "--pairs"),
        ("cooccur", "Kim Jong Un"),
        ("volume", "--since", "50d"),
        ("volume", "--by-feed"),
        ("feeds",),
    ],
)
@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_plots_are_written(hist, tmp_path, args, suffix):
    path = tmp_path / f"chart.{suffix}"
    result = nkru(*args, "--plot", str(path))
    assert result.exit_code == 0, result.output
    data = path.read_bytes()
    assert len(data) > 2000
    assert data.startswith(b"\x89PNG") if suffix == "png" else b"<svg" in data[:1000]
    assert f"chart written to {path}" in result.stderr


def test_plot_needs_a_png_or_svg_name(hist, tmp_path):
    result = nkru("volume", "--plot", str(tmp_path / "chart.gif"))
    assert result.exit_code == EXIT_USAGE
    assert "use a .png or .svg file name" in result.output


def test_unreadable_since_is_a_usage_error(hist):
    for command in (("volume",), ("rising",), ("trend", "Kim Jong Un"), ("cooccur", "Kim Jong Un"), ("feeds",)):
        result = nkru(*command, "--since", "last tuesday")
        assert result.exit_code == EXIT_USAGE
        assert "cannot read --since 'last tuesday'" in result.output


def test_since_in_the_future_is_refused(hist):
    result = nkru("volume", "--since", (hist.today + timedelta(days=3)).isoformat())
    assert result.exit_code == EXIT_USAGE and "in the future" in result.stderr


def test_empty_database_gives_clear_messages_and_empty_json(db_url, monkeypatch):
    monkeypatch.setenv("NKRU_DATABASE_URL", db_url)
    for command in (("volume",), ("rising",), ("volume", "--by-feed")):
        result = nkru(*command, "--json")
        assert result.exit_code == EXIT_NO_DATA and as_json(result) == []
        assert "no articles yet: run `nkru run`" in result.stderr
    result = nkru("feeds", "--json")
    assert result.exit_code == EXIT_NO_DATA and as_json(result) == []
    result = nkru("trend", "Kim Jong Un")
    assert result.exit_code == EXIT_USAGE and "No entities are stored yet" in result.stderr


def test_database_without_schema_says_to_migrate(empty_db_url, monkeypatch):
    monkeypatch.setenv("NKRU_DATABASE_URL", empty_db_url)
    result = nkru("volume")
    assert result.exit_code == EXIT_DATABASE and "nkru migrate" in result.stderr


def test_every_command_has_help():
    for command in ("trend", "rising", "cooccur", "volume", "feeds"):
        result = nkru(command, "--help")
        assert result.exit_code == 0 and "--since" in result.stdout and "--json" in result.stdout


# --------------------------------------------------------------------------------------------- --csv, 80 columns


CSV_COMMANDS = [
    (("trend", "Kim Jong Un", "--since", "10d", "--by", "day"), "TREND_COLUMNS"),
    (("rising", "--min-count", "1"), "RISING_COLUMNS"),
    (("rising", "--pairs"), "PAIR_COLUMNS"),
    (("cooccur", "Kim Jong Un", "--since", "35d"), "COOCCUR_COLUMNS"),
    (("volume", "--since", "10d", "--by", "day"), "VOLUME_COLUMNS"),
    (("volume", "--since", "3d", "--by-feed"), "FEED_VOLUME_COLUMNS"),
    (("feeds",), "FEED_COLUMNS"),
]


@pytest.mark.parametrize(("args", "columns"), CSV_COMMANDS)
def test_csv_has_the_json_columns_and_rows(hist, args, columns):
    json_rows = as_json(nkru(*args, "--json"))
    result = nkru(*args, "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == list(getattr(trend_cli, columns)) == list(json_rows[0])
    assert len(rows) == len(json_rows)
    for row, data in zip(rows, json_rows, strict=True):
        for key, value in data.items():
            if isinstance(value, int | str) and not isinstance(value, bool):
                assert row[key] in (str(value), "'" + str(value)), key


def test_csv_cells_are_text_not_formulas_and_empty_results_keep_the_header(hist):
    rows = list(csv.DictReader(io.StringIO(nkru("cooccur", "Kim Jong Un", "--since", "7d", "--csv").stdout)))
    assert {r["entity"] for r in rows} >= {HOSTILE}  # ends in "--" but starts with a letter: unchanged
    result = nkru("rising", "--csv", "--min-count", "1000")
    assert result.exit_code == EXIT_NO_DATA
    assert result.stdout.splitlines() == ["entity,label,recent,baseline,expected,score,daily"]
    assert nkru("rising", "--csv", "--json").exit_code == EXIT_USAGE


def test_at_80_columns_sparklines_give_way_and_names_and_errors_keep_their_width(hist, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    feeds = nkru("feeds")
    assert feeds.exit_code == 0, feeds.output
    lines = feeds.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert any("│ Broken Feed " in line and "│ HTTP 503 Service Unavailable" in line for line in lines)
    assert "left out to fit 80 columns:" in feeds.stdout and "per day" in feeds.stdout.split("left out")[1]
    assert not any(ch in feeds.stdout.split("left out")[0] for ch in "▁▂▃▄▅▆▇█")
    rising = nkru("rising")
    assert max(len(line.rstrip()) for line in rising.stdout.splitlines()) <= 80
    assert any("│ 1 │ Sergei Naryshkin" in line for line in rising.stdout.splitlines())
    monkeypatch.setenv("COLUMNS", "200")
    wide = nkru("rising")
    assert any(ch in wide.stdout for ch in "▁▂▃▄▅▆▇█") and "left out" not in wide.stdout


def test_counts_of_one_are_singular(hist):
    result = nkru("trend", HOSTILE, "--since", "7d")
    assert result.exit_code == 0, result.output
    assert f"{HOSTILE} (ORG): 1 relevant article," in result.stdout
    rising = nkru("rising", "--since", "1d", "--min-count", "1")
    assert "Rising entities: last 1 day against the 28 days before" in " ".join(rising.stdout.split())
