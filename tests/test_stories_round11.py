"""Grouping round 11 (issue 16): what the eleventh writer's reports taught. A government's diplomatic protest is
its statement in every language (not a report of the happening it protests), and a report that names only a
voice does not join that voice's two statements on two matters into one story."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nkru.stories.grouping import EventMatcher
from nkru.stories.reports import report

T0 = datetime(2028, 6, 21, 2, 0, tzinfo=UTC)
NK, RU = ("North Korea", "GPE"), ("Russia", "GPE")


@pytest.mark.parametrize(
    ("title", "language"),
    [
        ("Japan protests to Russia, North Korea over naval drills in the Sea of Japan", "en"),
        ("Tokyo lodges formal protest with Moscow over joint exercise", "en"),
        ("日本政府 ロ朝の合同演習に抗議", "ja"),
        ("일본, 북러 연합훈련에 항의", "ko"),
        ("日本就俄朝联合演习提出抗议", "zh"),
    ],
)
def test_a_diplomatic_protest_is_a_statement(title: str, language: str):
    """ "Japan protests to Russia…", 抗議, 항의, 抗议: a government's protest is its word on the happening."""
    assert report(1, title, "", T0, [("Japan", "GPE"), NK, RU], language=language).says


def test_tokyos_protest_over_the_drills_stays_apart_from_the_launch_during_them():
    """Seoul's military flashes a cruise missile launch during the Russian–North Korean naval drills; five hours
    later Kyodo reports Japan's protest over the drills. The protest is Japan's statement, not one more report of
    the launch: two stories (before round 11 it joined the launch's story on kind and time)."""
    matcher = EventMatcher()
    jcs = ("Joint Chiefs of Staff of South Korea", "ORG")
    launch = report(
        1, "North Korea fires cruise missiles as navy drills with Russia", "", T0, [NK, RU, jcs], language="en"
    )
    matcher.assign(launch, 1)
    protest = report(
        2,
        "Japan protests to Russia, North Korea over joint drills near its waters",
        "",
        T0 + timedelta(hours=5),
        [("Japan", "GPE"), NK, RU],
        language="en",
    )
    assert protest.speaker == "Japan"
    assert matcher.assign(protest, 2).story_id is None


def test_seouls_worry_in_french_is_seouls_statement():
    """ "Séoul s'inquiète de…" (the present tense, with a grave accent) is Seoul's statement, as "Seoul says" is:
    the French report of Seoul's concern about the space pact joins the English one instead of standing apart as
    "a statement and the happening it refers to"."""
    seoul = ("Seoul", "GPE")
    matcher = EventMatcher()
    says = report(
        1, "Seoul says Russia-North Korea space pact may breach UN resolutions", "", T0, [seoul, RU, NK], language="en"
    )
    matcher.assign(says, 1)
    worry = report(
        2,
        "Séoul s'inquiète de l'accord spatial entre Moscou et Pyongyang",
        "",
        T0 + timedelta(hours=2),
        [seoul, ("Moscow", "GPE"), ("Pyongyang", "GPE")],
        language="fr",
    )
    assert worry.says
    assert matcher.assign(worry, 2).story_id == 1


@pytest.mark.parametrize(
    ("title", "language", "country"),
    [
        ('정부 "북러 우주협력, 안보리 결의 위반 소지…강한 유감"', "ko", "South Korea"),
        ("政府「ロ朝の宇宙協力は安保理決議違反の恐れ」", "ja", "Japan"),
    ],
)
def test_the_bare_word_government_speaks_for_the_home_country(title: str, language: str, country: str):
    """Yonhap's 정부 "…" is Seoul's government, NHK's 政府「…」 Tokyo's: the statement's speaker is that country."""
    rep = report(1, title, "", T0, [RU, NK], language=language)
    assert (rep.speaker, rep.speaker_sure) == (country, True)


def test_seouls_government_in_korean_and_seoul_in_english_are_one_statement():
    """Yonhap's 정부 "…" on the space pact and Reuters' "Seoul says…" an hour later report one statement: one story."""
    matcher = EventMatcher()
    ko = report(1, '정부 "북러 우주협력, 안보리 결의 위반 소지…강한 유감"', "", T0, [RU, NK], language="ko")
    matcher.assign(ko, 1)
    en = report(
        2,
        "Seoul says Russia-North Korea space pact may breach UN resolutions",
        "",
        T0 + timedelta(hours=1),
        [("Seoul", "GPE"), RU, NK, ("United Nations", "ORG")],
        language="en",
    )
    assert matcher.assign(en, 2).story_id == 1
