"""Which stories a rule alerts on: terms, entities, sources, languages, minimum score, story age."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nkru.alerts.rules import ArticleFacts, matches
from nkru.config import ConfigError, parse_settings
from tests.alert_data import NOW, NewsDB, rule, settings

FACTS = ArticleFacts(
    score=2.5,
    text="North Korea shipped Missiles and artillery shells to Russia\nKim Jong Un met Sergei Shoigu in Pyongyang.",
    matched_terms=frozenset({"north korea", "russia", "пхеньян"}),
    entity_keys=frozenset({"kim jong un", "sergei shoigu", "shoigu", "pyongyang"}),
    sources=frozenset({"Yonhap", "Yonhap North Korea"}),
    language="en-GB",
)


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ({}, True),
        ({"min_score": 2.5}, True),
        ({"min_score": 2.6}, False),
        ({"any_terms": ["munitions", "artillery"]}, True),
        ({"any_terms": ["ARTILLERY SHELLS"]}, True),  # case-insensitive phrase
        ({"any_terms": ["missile"]}, False),  # word boundary: "Missiles" is not "missile"
        ({"any_terms": ["art"]}, False),
        ({"any_terms": ["Пхеньян"]}, True),  # matched by the relevance scorer, not in the English text
        ({"all_terms": ["artillery", "Missiles"]}, True),
        ({"all_terms": ["artillery", "troops"]}, False),
        ({"any_entities": ["Shoigu", "Lavrov"]}, True),
        ({"any_entities": ["Kim Jong-un"]}, True),  # compared through alias keys
        ({"all_entities": ["Kim Jong Un", "Sergei Lavrov"]}, False),
        ({"include_sources": ["Yonhap"]}, True),
        ({"include_sources": ["KCNA"]}, False),
        ({"exclude_sources": ["Yonhap"]}, True),  # it also came through another, allowed feed
        ({"exclude_sources": ["Yonhap", "Yonhap North Korea"]}, False),
        ({"languages": ["en"]}, True),
        ({"languages": ["ru", "ko"]}, False),
        ({"any_terms": ["artillery"], "languages": ["ru"]}, False),  # conditions combine with AND
    ],
)
def test_rule_conditions(conditions, expected):
    assert matches(rule(**conditions), FACTS) is expected


def test_unknown_language_matches_no_language_list():
    facts = ArticleFacts(2.0, "text", frozenset(), frozenset(), frozenset({"X"}), None)
    assert matches(rule(languages=["en"]), facts) is False
    assert matches(rule(), facts) is True


def test_invalid_recipient_is_a_config_error_at_load_time():
    with pytest.raises(ConfigError, match=r"line 6: alerts\.rules\[0\]\.recipients\[1\]"):
        parse_settings(
            "alerts:\n  rules:\n    - name: all\n      recipients:\n"
            "        - ok@example.org\n        - not-an-address\n"
        )


def test_queue_writes_one_row_per_matching_rule_and_recipient(db):
    news = NewsDB(db)
    article = news.article("Yonhap")
    mentions = [news.mention(article, "Sergei Naryshkin", "PERSON", 2), news.mention(article, "Pyongyang", "GPE")]
    cfg = settings(
        rule("all", ("a@example.org", "b@example.org"), mode="digest"),
        rule("spies", ("c@example.org",), any_entities=["Naryshkin", "Sergei Naryshkin"]),
        rule("shoigu", ("d@example.org",), any_entities=["Shoigu"]),
        rule("kcna only", ("e@example.org",), include_sources=["KCNA"]),
    )
    story = news.process(cfg, article, mentions)
    rows = news.outbox()
    assert sorted((r["rule"], r["recipient"], r["mode"]) for r in rows) == [
        ("all", "a@example.org", "digest"),
        ("all", "b@example.org", "digest"),
        ("spies", "c@example.org", "instant"),
    ]
    assert {r["story_id"] for r in rows} == {story}
    assert {r["status"] for r in rows} == {"pending"}


def test_entity_rule_matches_an_alias_stored_by_the_entities_step(db):
    news = NewsDB(db)
    article = news.article("Yonhap", "Shoigu in Pyongyang again", "Russia's security council secretary arrived.")
    mention = news.mention(article, "Sergei Shoigu", "PERSON", aliases=("Шойгу", "Shoigu"))
    cfg = settings(rule("shoigu", ("a@example.org",), any_entities=["шойгу"]))
    news.process(cfg, article, [mention])
    assert [r["rule"] for r in news.outbox()] == ["shoigu"]


def test_old_story_never_alerts(db):
    """After a rescore over history, stories published long ago must not e-mail anyone."""
    news = NewsDB(db)
    old = news.article("Yonhap", published_at=NOW - timedelta(hours=100))
    news.process(settings(rule()), old)
    assert news.outbox() == []


def test_a_rule_whose_first_article_did_not_match_alerts_on_a_later_copy(db):
    news = NewsDB(db)
    cfg = settings(rule("kcna", include_sources=["KCNA"]))
    first = news.process(cfg, news.article("Yonhap"))
    assert news.outbox() == []
    second = news.process(cfg, news.article("KCNA"), now=NOW + timedelta(minutes=10))
    assert second == first
    assert [(r["rule"], r["story_id"]) for r in news.outbox()] == [("kcna", first)]
