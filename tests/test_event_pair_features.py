"""The pair features a learned second opinion on event grouping would weigh (`bench/event_pair_features.py`;
bench/event_pairs_experiment.py): they must say what the rules and the reports say about two reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.event_pair_features import features
from nkru import events
from nkru.stories.reports import report

T0 = datetime(2027, 8, 3, 9, 0, tzinfo=UTC)
NK, RUSSIA = ("North Korea", "GPE"), ("Russia", "GPE")
SHOIGU = ("Sergei Shoigu", "PERSON")


def _talks(key: int, title: str, hours: float, language: str):
    summary = "Shoigu held talks with North Korean officials on military cooperation."
    return report(key, title, summary, T0 + timedelta(hours=hours), [SHOIGU, NK, RUSSIA], language=language)


def test_two_reports_of_one_meeting_share_a_person_and_pass_the_rule():
    """Two outlets' reports of Shoigu's talks, two hours apart in two languages: a shared person, the rule's own
    verdict that they are one event, the other language and the gap in days."""
    rules = events.load_cues().rules
    first = _talks(1, "Shoigu holds talks in Pyongyang", 0, "en")
    second = _talks(2, "Шойгу провёл переговоры в Пхеньяне", 2, "ru")
    pair = features(first, second, rules)
    assert pair["shared people"] == 1.0
    assert pair["rule: same event"] == 1.0
    assert pair["other language"] == 1.0
    assert abs(pair["gap (days)"] - 2 / 24) < 1e-9
    assert not any(name.startswith("veto: ") for name in pair)


def test_an_announcement_and_the_visit_carry_the_rules_veto():
    """The announcement of a visit and the visit share their actors; the features name the veto the rules give
    (by its words) and the announcement itself, and the rule does not call them one event."""
    rules = events.load_cues().rules
    announced = report(1, "Shoigu will visit Pyongyang next week", "", T0, [SHOIGU, NK, RUSSIA], language="en")
    arrived = _talks(2, "Shoigu arrives in Pyongyang", 20, "en")
    pair = features(announced, arrived, rules)
    assert pair["announcement vs happening"] == 1.0
    assert "rule: same event" not in pair
    assert any(name.startswith("veto: ") for name in pair)
