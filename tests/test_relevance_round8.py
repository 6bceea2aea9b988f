"""Round 8 of the relevance scorer (issue 9): kinds of sentence an independent hand's items showed, each in wording
of its own — sport of one side's athletes at the other's tournament, superlative country rankings and gold-price
reports, a third country's meeting in the other side's capital, the Cold War as history, and a third country
acting on the two sides' dealings."""

from __future__ import annotations

import pytest

from nkru.relevance import Scorer


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer()


@pytest.mark.parametrize(
    ("language", "title", "summary", "relevant"),
    [
        # Sport: chess, gymnastics, athletes, wrestlers (aside_words in all 28 files)
        ("en", "Russian grandmaster edges North Korean teenager in Pyongyang chess open", "", False),
        ("ru", "Гимнастка из КНДР выиграла этап Кубка мира в Москве", "", False),
        ("zh", "朝鲜体操运动员在莫斯科夺得金牌", "", False),
        ("pl", "Gimnastyczka z Korei Północnej wygrywa turniej w Moskwie", "", False),
        ("en", "Russia and North Korea sign sports exchange agreement covering gymnastics coaches", "", True),
        # Superlative rankings and gold-price market reports (ranking_words)
        ("en", "The world's most isolated countries: North Korea and Russia lead new survey", "", False),
        ("es", "Los países más aislados del planeta: de Corea del Norte a Rusia", "", False),
        (
            "en",
            "Gold prices hit a record high",
            "Investors sought safety after North Korea launched a missile and Russia hit Ukraine's power grid.",
            False,
        ),
    ],
)
def test_sport_rankings_and_gold_reports_are_not_the_relation(
    scorer: Scorer, language: str, title: str, summary: str, relevant: bool
) -> None:
    r = scorer.score(title, summary, language)
    assert r.relevant is relevant, r.reason


def test_a_third_countrys_meeting_in_a_city_of_the_other_side_makes_the_city_a_venue(scorer: Scorer) -> None:
    r = scorer.score("Vietnam and North Korea vice ministers meet in Moscow", "", "en")
    assert not r.relevant
    assert "venue" in r.reason
    assert scorer.score("Kim meets Russian envoy in Pyongyang", "", "en").relevant


def test_the_cold_war_is_history_not_the_beat(scorer: Scorer) -> None:
    r = scorer.score("Posters from Moscow and Pyongyang: Prague show recalls Cold War propaganda art", "", "en")
    assert not r.relevant, r.reason
    assert scorer.score("Russia and North Korea revive Cold War alliance with defence treaty", "", "en").relevant


def test_a_third_country_acting_on_the_two_sides_dealings_keeps_them_parties(scorer: Scorer) -> None:
    kept = scorer.score("Australia blacklists Russian banks that financed arms shipments from North Korea", "", "en")
    assert kept.relevant, kept.reason
    # Not a third country between the two sides, nor a host receiving one of them with the other looking on.
    assert not scorer.score("Russia warns Japan over North Korea drills", "", "en").relevant
    assert not scorer.score("Xi Jinping meets Kim Jong Un in the presence of Putin", "", "en").relevant


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        ("en", "The paper details North Korea's rocket launches and Russia's bomber patrols, respectively."),
        ("zh", "报告分别介绍了朝鲜的导弹试射和俄罗斯在远东的军演。"),
    ],
)
def test_a_summary_sentence_of_two_things_respectively_does_not_pair_the_sides(
    scorer: Scorer, language: str, summary: str
) -> None:
    title = {"en": "Tokyo's annual security review voices alarm at China, North Korea, Russia",
             "zh": "日本安全报告对中国、朝鲜、俄罗斯表示担忧"}[language]  # fmt: skip
    r = scorer.score(title, summary, language)
    assert not r.relevant, r.reason
    kept = scorer.score("Security review released", "It details North Korea's arms deliveries to Russia.", "en")
    assert kept.relevant, kept.reason
