"""`nkru feeds add` and `nkru feeds remove` on a copy of the real settings file: one line changes, every comment
stays, bad input is refused with the file untouched."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from nkru.config import load_settings
from nkru.edge.cli import main
from nkru.edge.cli.common import EXIT_CONFIG, EXIT_USAGE

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def config(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "nkru.yaml"
    path.write_text((ROOT / "config" / "nkru.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("NKRU_CONFIG", str(path))
    return path


def nkru(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def changes(before: str, after: str) -> list[str]:
    """The lines added (+) and removed (-), nothing else."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_add_appends_one_line_in_the_style_of_the_others_and_keeps_every_comment(config):
    before = config.read_text()
    result = nkru("feeds", "add", "nk-pro", "https://www.nkpro.example/feed/?q=russia&x=1", "--language", "en")
    assert result.exit_code == 0, result.output
    assert "added feed 'nk-pro'" in result.output and "next run" in result.output
    after = config.read_text()
    line = '  - {name: nk-pro, url: "https://www.nkpro.example/feed/?q=russia&x=1", language: en}'
    assert changes(before, after) == ["+" + line]
    lines = after.splitlines()
    new = lines.index(line)
    assert lines[new - 1].startswith("  - {name: gnews-ko,")  # after the last feed, before the blank line
    assert lines[new + 1] == "" and lines[new + 2].startswith("# HTTP limits")
    feed = load_settings(config).feeds_by_name["nk-pro"]
    assert feed.language == "en" and str(feed.url) == "https://www.nkpro.example/feed/?q=russia&x=1"
    assert f"line {new + 1}" in result.output


def test_a_display_name_and_a_name_that_needs_quotes_read_back_as_typed(config):
    result = nkru("feeds", "add", "yes", "https://a.example/rss", "--display-name", 'Yonhap: "Korean" #1')
    assert result.exit_code == 0, result.output
    feed = load_settings(config).feeds_by_name["yes"]  # YAML would read a bare `yes` as true
    assert feed.display_name == 'Yonhap: "Korean" #1'


def test_remove_takes_out_the_feeds_line_only(config):
    before = config.read_text()
    result = nkru("feeds", "remove", "hankyoreh-en")
    assert result.exit_code == 0, result.output
    assert "removed feed 'hankyoreh-en'" in result.output
    after = config.read_text()
    assert changes(before, after) == ['-  - {name: hankyoreh-en, url: "https://english.hani.co.kr/rss/", language: en}']
    assert "  # Russian state media, wires and official sources" in after  # the next group's comment stays
    assert "hankyoreh-en" not in load_settings(config).feeds_by_name
    last = nkru("feeds", "remove", "gnews-ko")  # the last one: the comment after the list stays too
    assert last.exit_code == 0, last.output
    assert len(changes(after, config.read_text())) == 1 and "# HTTP limits" in config.read_text()


def test_add_then_remove_gives_back_the_same_file(config):
    before = config.read_bytes()
    assert nkru("feeds", "add", "extra", "https://extra.example/rss", "--display-name", "Extra").exit_code == 0
    assert nkru("feeds", "remove", "extra").exit_code == 0
    assert config.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "tass-en", "https://other.example/rss"), "already has a feed named 'tass-en'"),
        (("add", "tass-again", "https://tass.com/rss/v2.xml"), "already has this URL, as the feed 'tass-en'"),
        (("add", "old", "gopher://old.example/feed"), "the feed is not valid: url: URL scheme should be 'http'"),
        (
            ("add", "ru-feed", "https://ru.example/rss", "--language", "Russian"),
            "language: 'Russian' is not a language code: use an ISO 639-1 code",
        ),
        (("add", "", "https://x.example/rss"), "name: String should have at least 1 character"),
        (("remove", "no-such-feed"), "has no feed named 'no-such-feed' (feeds: kcna-watch, nk-news,"),
    ],
)
def test_bad_edits_are_refused_and_the_file_is_untouched(config, args, message):
    before = config.read_bytes()
    result = nkru("feeds", *args)
    assert result.exit_code == EXIT_USAGE, result.output
    assert message in result.output
    assert config.read_bytes() == before
    assert sorted(p.name for p in config.parent.iterdir()) == ["nkru.yaml"]  # no temporary file left behind


def test_an_invalid_settings_file_is_not_edited(config):
    broken = config.read_text().replace("timeout_seconds: 20", "timeout_seconds: -1")
    config.write_text(broken)
    result = nkru("feeds", "add", "new", "https://new.example/rss")
    assert result.exit_code == EXIT_CONFIG
    assert "not valid as it stands; fix it first" in result.output and "fetch.timeout_seconds" in result.output
    assert config.read_text() == broken


def test_block_style_entries_get_a_block_style_entry(tmp_path, monkeypatch):
    path = tmp_path / "nkru.yaml"
    path.write_text(
        "# my feeds\nfeeds:\n  - name: one  # the first\n    url: https://one.example/rss\n\n"
        "# limits\nfetch:\n  timeout_seconds: 5\n"
    )
    monkeypatch.setenv("NKRU_CONFIG", str(path))
    assert nkru("feeds", "add", "two", "https://two.example/rss", "--language", "ko").exit_code == 0
    assert path.read_text() == (
        "# my feeds\nfeeds:\n  - name: one  # the first\n    url: https://one.example/rss\n"
        '  - name: two\n    url: "https://two.example/rss"\n    language: ko\n\n'
        "# limits\nfetch:\n  timeout_seconds: 5\n"
    )
    assert nkru("feeds", "remove", "one").exit_code == 0
    assert "# my feeds" in path.read_text() and "# limits" in path.read_text()
    assert [f.name for f in load_settings(path).feeds] == ["two"]


@pytest.mark.parametrize("text", ["# nothing yet\nfeeds: []\nfetch: {timeout_seconds: 5}  # short\n", "# empty\n"])
def test_a_file_without_feeds_gets_its_first(tmp_path, monkeypatch, text):
    path = tmp_path / "nkru.yaml"
    path.write_text(text)
    monkeypatch.setenv("NKRU_CONFIG", str(path))
    result = nkru("feeds", "add", "first", "https://first.example/rss")
    assert result.exit_code == 0, result.output
    assert [f.name for f in load_settings(path).feeds] == ["first"]
    assert path.read_text().startswith(text.splitlines()[0])  # the comment stays


def test_the_file_keeps_its_permissions_and_a_symlink_stays_a_symlink(config, tmp_path, monkeypatch):
    os.chmod(config, 0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(config)
    monkeypatch.setenv("NKRU_CONFIG", str(link))
    assert nkru("feeds", "add", "linked", "https://linked.example/rss").exit_code == 0
    assert link.is_symlink() and "linked" in load_settings(config).feeds_by_name
    assert config.stat().st_mode & 0o777 == 0o640


def test_removing_a_feed_an_alert_rule_names_warns(config):
    rule = "      min_score: 1.5\n"
    config.write_text(config.read_text().replace(rule, rule + "      include_sources: [tass-en]\n", 1))
    result = nkru("feeds", "remove", "tass-en")
    assert result.exit_code == 0, result.output
    assert "alert rule" in result.stderr and "still names 'tass-en'" in result.stderr


def test_feeds_help_lists_add_and_remove():
    result = nkru("feeds", "--help")
    assert result.exit_code == 0 and "add" in result.output and "remove" in result.output
    assert "--since" in result.output and "--csv" in result.output


def test_windows_line_endings_stay(tmp_path, monkeypatch):
    path = tmp_path / "nkru.yaml"
    path.write_bytes(
        b"feeds:\r\n  - {name: one, url: 'https://one.example/rss'}  # first\r\n\r\nfetch: {timeout_seconds: 5}\r\n"
    )
    monkeypatch.setenv("NKRU_CONFIG", str(path))
    assert nkru("feeds", "add", "two", "https://two.example/rss").exit_code == 0
    assert path.read_bytes() == (
        b"feeds:\r\n  - {name: one, url: 'https://one.example/rss'}  # first\r\n"
        b'  - {name: two, url: "https://two.example/rss"}\r\n\r\nfetch: {timeout_seconds: 5}\r\n'
    )
