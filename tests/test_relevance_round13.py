"""Round 13 of the relevance scorer (issue 9): a side named only by a region, port or weapon of the beat — Primorye
and the Amur region for Russia, Rajin and Tumangang for North Korea, a KN-23 strike on a Ukrainian city for Russia's
war — in each language's own spelling. Each case in wording of its own, not an item of the labelled sets."""

from __future__ import annotations

import pytest

from nkru.relevance import Scorer


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer()


@pytest.mark.parametrize(
    ("language", "title", "summary"),
    [
        ("cs", "Přímořský kraj najme další dělníky z KLDR na stavby silnic", ""),
        ("ro", "Constructori nord-coreeni ajung în regiunea Amur pentru un nou cartier", ""),
        ("lt", "Amūro srityje dirbs dar 500 statybininkų iš Šiaurės Korėjos", ""),
        ("zh", "阿穆尔州再迎朝鲜建筑工人 州长称仍缺人手", ""),
        ("hu", "Rádzsinba tart a vlagyivosztoki rakomány", "Az orosz kikötőből Észak-Koreába indul a hajó."),
        ("lv", "Tumanganas stacijā izkrauj kravas no Hasanas", "Ziemeļkorejas dzelzceļš pieņem vilcienus."),
    ],
)
def test_a_region_or_port_names_its_side(scorer: Scorer, language: str, title: str, summary: str) -> None:
    r = scorer.score(title, summary, language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title", "summary"),
    [
        ("ar", 'صواريخ "كيه إن-23" تسقط على زابوريجيا', "أصيب مبنى سكني في قصف ليلي."),
        ("pl", "Kolejna rakieta KN-23 spadła na Krzywy Róg", ""),
        ("lv", "Kijivā atrastas Ziemeļkorejas raķešu atlūzas", ""),
    ],
)
def test_a_north_korean_missile_on_a_ukrainian_city_implies_russia(
    scorer: Scorer, language: str, title: str, summary: str
) -> None:
    r = scorer.score(title, summary, language)
    assert r.relevant, r.reason


def test_the_amur_region_alone_is_not_the_beat(scorer: Scorer) -> None:
    r = scorer.score("Lesní požáry v Amurské oblasti se rozšiřují", "", "cs")
    assert not r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("de", "Jewkurow erneut in Pjöngjang: Gespräche über Munition"),
        ("pl", "Wiceminister obrony Jewkurow ponownie w KRLD"),
        ("ko", "윤정호 대외경제상, 러시아 부총리와 무역 협의"),
        ("zh", "俄罗斯货轮首次停靠罗津港"),
        ("ar", "سفينة روسية تصل إلى ميناء راجين"),
    ],
)
def test_an_official_or_port_of_the_beat_names_its_side(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title", "summary"),
    [
        ("pl", "Korea Północna wysyła tysiące robotników", "Trafią na budowy we Władywostoku."),
        ("cs", "KLDR posílá další tisíce dělníků", "Budou pracovat na stavbách ve Vladivostoku."),
        ("ru", "КНДР направит ещё три тысячи рабочих", "Они будут заняты на стройках Хабаровска."),
        ("de", "Nordkorea schickt weitere Arbeitskräfte", "Sie sollen auf Baustellen in Wladiwostok arbeiten."),
    ],
)
def test_workers_in_any_case_are_the_beat(scorer: Scorer, language: str, title: str, summary: str) -> None:
    """North Korea sending workers in the title, a Russian city in the lede: headline and lede read as one."""
    r = scorer.score(title, summary, language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("et", "Reisihoiatuste nimekirjas on nüüd ka Venemaa ja Põhja-Korea"),
        ("pl", "Na liście odradzanych kierunków MSZ są Rosja i Korea Północna"),
    ],
)
def test_a_list_in_another_case_still_frames_entries(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason


def test_resembling_north_korea_is_a_comparison(scorer: Scorer) -> None:
    r = scorer.score("Rusia semakin mirip Korea Utara, kata penganalisis", "", "ms")
    assert not r.relevant, r.reason


def test_a_pact_likened_to_an_old_alliance_stays(scorer: Scorer) -> None:
    r = scorer.score("Rusia dan Korut teken pakta, mirip aliansi era Soviet", "", "id")
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("ko", "북한 화물선, 블라디보스톡 입항…석탄 하역"),
        ("ja", "マトヴィエンコ上院議長が平壌入り"),
    ],
)
def test_a_variant_spelling_names_its_side(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason
