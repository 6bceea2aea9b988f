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


def test_duplicate_feed_names_rejected():
    text = "feeds:\n  - {name: a, url: 'https://a.example/rss'}\n  - {name: a, url: 'https://b.example/rss'}\n"
    with pytest.raises(ConfigError, match="feed names must be unique, repeated: a"):
        parse_settings(text)


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
