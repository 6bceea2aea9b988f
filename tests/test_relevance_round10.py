"""Round 10 of the relevance scorer (issue 9): a title whose two sides are only two places side by side after a
subject of its own (a painter, a choir, a brewer) tells of that subject, not of a relation; a capital that opens its
clause is its government and stays a party. Each case in wording of its own, not an item of the labelled sets."""

from __future__ import annotations

import pytest

from nkru.relevance import Scorer


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer()


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Welsh choir sings in Moscow and Pyongyang on its farewell tour"),
        ("de", "Hamburger Maler zeigt Skizzen aus Moskau und Pjöngjang"),
        ("cs", "Pražský fotograf vystavuje snímky z Moskvy a Pchjongjangu"),
        ("hi", "भारतीय गायक ने मॉस्को और प्योंगयांग में गाया"),
    ],
)
def test_two_places_after_a_third_subject_are_venues(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason
    assert "venues, not parties" in r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Moscow and Pyongyang restore a direct rail link"),
        ("uk", "З Москви до Пхеньяна запускають прямі авіарейси"),
        ("en", "Pyongyang thanks Moscow for support at the Security Council"),
        ("en", "Analysis: Moscow and Pyongyang draw closer"),
    ],
)
def test_a_capital_opening_its_clause_is_a_party(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Coffee prices: Norway $6 a cup, Russia $4, North Korea no data"),
        ("de", "Wo am meisten gelesen wird: Finnland vorn, Russland Dritter, Nordkorea ohne Daten"),
        ("pl", "Najwięcej okrętów podwodnych: Rosja prowadzi, Korea Północna na czwartym miejscu"),
        ("en", "Who drinks the most tea: Russia leads, North Korea fourth"),  # "most" is not the Slavic bridge
    ],
)
def test_each_side_opening_a_clause_of_its_own_is_a_table_entry(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason
    assert "entries of a table" in r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("tr", "Rusya Dışişleri Bakanı Lavrov, Kuzey Kore'de mevkidaşı ile görüştü"),
        ("it", "Corea del Nord, Mosca fornisce tecnologia per i sottomarini"),
        ("en", "Russia sends oil, North Korea sends troops"),
        ("en", "Putin, Kim exchange New Year letters"),
    ],
)
def test_a_subject_comma_or_a_beat_word_keeps_the_relation(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Putin congratulates Kim Jong Un on his birthday"),
        ("ru", "Ким Чен Ын поздравил Путина с днём рождения"),
        ("de", "Kim Jong Un gratuliert Putin zum Geburtstag"),
    ],
)
def test_one_leader_greeting_the_other_is_a_relation_despite_the_occasion(
    scorer: Scorer, language: str, title: str
) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


def test_a_birthplace_or_a_match_stays_an_aside(scorer: Scorer) -> None:
    born = scorer.score("Kim Jong Il was born in a Soviet army camp, not on Mount Paektu", "", "en")
    assert not born.relevant, born.reason
    match = scorer.score("North Korea beats Russia 3-1 in women's football friendly", "", "en")
    assert not match.relevant, match.reason


def test_russia_named_in_the_summary_does_not_undo_ukraines_war(scorer: Scorer) -> None:
    r = scorer.score(
        "Pyongyang sends another group of builders to Donetsk",
        "According to Seoul, the workers will rebuild roads in the areas occupied by Russia.",
        "en",
    )
    assert r.relevant, r.reason


def test_romanian_genitive_of_the_duma_names_russia(scorer: Scorer) -> None:
    r = scorer.score("Vizita unei delegații a Dumei la Phenian, amânată", "", "ro")
    assert r.relevant, r.reason
    assert "Dumei" in r.terms
