"""Settings validation: a user's mistake is reported with the key and the line, and the starter file is valid."""

from pathlib import Path

import pytest

from nkru.config import ConfigError, load_settings, parse_settings

ROOT = Path(__file__).resolve().parents[1]


def test_starter_settings_are_valid_and_cover_the_beat():
    settings = load_settings(ROOT / "config" / "nkru.yaml")
    assert 15 <= len(settings.feeds) <= 25
    assert {f.language for f in settings.feeds} >= {"en", "ru", "ko"}
    modes = {rule.mode for rule in settings.alerts.rules}
    assert modes == {"instant", "digest"}


def test_unknown_key_names_key_and_line():
    text = "feeds:\n  - name: a\n    url: https://example.org/rss\n    colour: red\n"
    with pytest.raises(ConfigError) as err:
        parse_settings(text, source="nkru.yaml")
    assert "nkru.yaml line 4: feeds[0].colour: unknown key" in str(err.value)


def test_bad_values_each_reported_with_line():
    text = """
feeds:
  - name: ok
    url: https://example.org/rss
  - name: bad-scheme
    url: ftp://example.org/rss
fetch:
  timeout_seconds: -1
alerts:
  rules:
    - name: r
      recipients: [not-an-address]
"""
    with pytest.raises(ConfigError) as err:
        parse_settings(text, source="nkru.yaml")
    message = str(err.value)
    assert "line 6: feeds[1].url" in message
    assert "line 8: fetch.timeout_seconds" in message
    assert "line 12: alerts.rules[0].recipients[0]" in message


def test_duplicate_feed_names_rejected_at_the_duplicates_line():
    text = (
        "feeds:\n  - {name: a, url: 'https://a.example/rss'}\n  - {name: b, url: 'https://b.example/rss'}\n"
        "  - name: a\n    url: 'https://c.example/rss'\n"
    )
    with pytest.raises(ConfigError) as err:
        parse_settings(text, source="nkru.yaml")
    assert str(err.value) == "nkru.yaml line 4: feeds[2].name: feed names must be unique, 'a' is already used at line 2"


def test_duplicate_rule_names_rejected_at_the_duplicates_line():
    text = (
        "alerts:\n  rules:\n    - {name: r, recipients: [a@example.org]}\n"
        "    - {name: r, recipients: [b@example.org]}\n"
    )
    with pytest.raises(
        ConfigError, match="^nkru.yaml line 4: alerts.rules\\[1\\].name: alert rule names must be unique"
    ):
        parse_settings(text, source="nkru.yaml")


def test_a_key_written_twice_is_an_error_naming_both_lines():
    """Written twice, `alerts:` used to keep only the second block: every rule of the first vanished."""
    text = (
        "alerts:\n  rules:\n    - {name: r, recipients: [a@example.org]}\n"
        "feeds: []\n"
        "alerts:\n  sender: nkru@example.org\n"
    )
    with pytest.raises(ConfigError) as err:
        parse_settings(text, source="nkru.yaml")
    assert str(err.value) == (
        "nkru.yaml line 5: alerts: written twice (lines 1 and 5); keep one and merge what the two say"
    )
    nested = "fetch:\n  timeout_seconds: 5\n  concurrency: 3\n  timeout_seconds: 9\n"
    with pytest.raises(ConfigError, match=r"line 4: fetch.timeout_seconds: written twice \(lines 2 and 4\)"):
        parse_settings(nested, source="nkru.yaml")


def test_a_settings_file_that_is_not_utf8_is_a_clear_error(tmp_path):
    path = tmp_path / "nkru.yaml"
    path.write_bytes("feeds: []\n# Séoul\n".encode("latin-1"))
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(err.value).startswith(f"{path} line 2: the settings file must be UTF-8 text, but byte 0xe9")


def test_missing_file_and_bad_yaml_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="cannot read settings file"):
        load_settings(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("feeds: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(broken)


def test_empty_file_gives_defaults():
    settings = parse_settings("")
    assert settings.feeds == [] and settings.fetch.max_bytes > 0
