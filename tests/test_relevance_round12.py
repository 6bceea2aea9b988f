"""Round 12 of the relevance scorer (issue 9): a third country's envoy meeting North Korea in Moscow is their
meeting, Moscow only its venue, when the third country is named as its own press names it (Indonesia's "RI",
China's foreign minister Wang Yi). Each case in wording of its own, not an item of the labelled sets."""

from __future__ import annotations

import pytest

from nkru.relevance import Scorer


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer()


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("id", "Wamenlu RI dan Korut bertemu di Moskow, bahas kerja sama pendidikan"),
        ("zh", "王毅在莫斯科会见朝鲜副外相，双方谈及旅游合作"),
        ("ja", "モスクワで王毅外相が北朝鮮の次官と会談"),
    ],
)
def test_a_third_country_meeting_north_korea_in_moscow_is_not_theirs(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("id", "Korut dan Rusia bertemu di Moskow, bahas kerja sama pendidikan"),
        ("zh", "拉夫罗夫在莫斯科会见朝鲜副外相，双方谈及旅游合作"),
        ("ja", "モスクワでラブロフ外相が北朝鮮の次官と会談"),
    ],
)
def test_north_korea_meeting_russia_in_moscow_stays(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Thailand, North Korea meet in Moscow for first talks since 2019"),
        ("ms", "Thailand, Korea Utara bertemu di Moscow buat kali pertama"),
    ],
)
def test_a_headline_comma_pairs_a_third_country_with_north_korea(scorer: Scorer, language: str, title: str) -> None:
    """A title's comma is its "and": the two named before "meet" are the parties, the city after it their venue."""
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason
    assert "venue" in r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Russia, North Korea meet in Moscow on rail link"),
        ("ms", "Rusia, Korea Utara bertemu di Pyongyang bincang kereta api"),
    ],
)
def test_a_headline_comma_between_the_two_sides_still_pairs_them(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Which countries have the most tanks? Russia leads, North Korea in top ten"),
        ("de", "Welche Länder besitzen die meisten U-Boote? Russland vorn, auch Nordkorea dabei"),
        ("ko", "어느 나라가 병력이 가장 많을까…러시아 5위·북한 4위"),
        ("es", "¿Qué países tienen más soldados? Rusia y Corea del Norte, en el top 5"),
    ],
)
def test_a_which_countries_question_is_a_ranking(scorer: Scorer, language: str, title: str) -> None:
    """A title asking "which countries ...?" reads out a ranking: the two sides are its entries."""
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "How many North Korean troops are in Russia? Seoul gives a new estimate"),
        ("de", "Wie viele Soldaten schickt Nordkorea nach Russland? Neue Zahlen aus Seoul"),
    ],
)
def test_a_question_about_the_two_sides_dealings_stays(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title", "summary"),
    [
        (
            "ru",
            "Министр Козлов провёл в Москве переговоры о поставках зерна",
            "МОСКВА, 14 марта. /ТАСС/. Министр природных ресурсов РФ Александр Козлов и министр внешнеэкономических "
            "связей КНДР обсудили поставки зерна и рыбы.",
        ),
        (
            "uk",
            "У Москві обговорили нові квоти на робітників",
            "Київ, 3 квітня 2027 (Укрінформ). Росія і КНДР домовилися про нові квоти на північнокорейських "
            "робітників на будівництвах Далекого Сходу.",
        ),
    ],
)
def test_a_wire_dateline_is_not_the_lede(scorer: Scorer, language: str, title: str, summary: str) -> None:
    """The lede after a dateline ("МОСКВА, 14 марта. /ТАСС/.") is the first sentence of news, read with the title."""
    r = scorer.score(title, summary, language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("ru", "Приморье примет 3 тыс. строителей из КНДР в следующем году"),
        ("pl", "Rosja przyjmie ok. tysiąc robotników z Korei Płn. w przyszłym roku"),
    ],
)
def test_a_period_before_a_lower_case_word_ends_no_sentence(scorer: Scorer, language: str, title: str) -> None:
    """An abbreviation ("тыс.", "ok.") does not split the title: both sides stay in one sentence."""
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


def test_a_bulgarian_title_names_mongolia_by_its_adjective(scorer: Scorer) -> None:
    """ "Монголският премиер" is Mongolia: his visit to Pyongyang is theirs, his earlier stop in Moscow an aside."""
    r = scorer.score(
        "Монголският премиер пристига в Пхенян",
        "Премиерът на Монголия ще бъде в Северна Корея три дни. Преди това той посети Москва.",
        "bg",
    )
    assert not r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title", "summary"),
    [
        (
            "es",
            "Ortega recibe en Managua al viceministro de Exteriores norcoreano",
            "El mandatario nicaragüense habló de cooperación agrícola. Ambos criticaron las sanciones de Occidente "
            "contra Rusia y Corea del Norte.",
        ),
        (
            "pt",
            "Ortega recebe delegação norte-coreana em Manágua",
            "O encontro tratou de saúde e agricultura; o presidente citou a Rússia como exemplo de parceiro.",
        ),
    ],
)
def test_nicaraguas_president_hosting_north_korea_is_nicaraguas_story(
    scorer: Scorer, language: str, title: str, summary: str
) -> None:
    r = scorer.score(title, summary, language)
    assert not r.relevant, r.reason


def test_czech_lety_as_years_is_no_beat_word(scorer: Scorer) -> None:
    """ "Před třiceti lety" is "thirty years ago": a choir's old tour stops are venues, not the flights beat."""
    r = scorer.score("Kühnův sbor slaví výročí. Před třiceti lety zpíval v Moskvě a Pchjongjangu", "", "cs")
    assert not r.relevant, r.reason
    flights = scorer.score("Před deseti lety zahájily Moskva a Pchjongjang přímé lety, teď je obnoví", "", "cs")
    assert flights.relevant, flights.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("tr", "Kar fırtınası bölgeyi vurdu: Rusya'nın Uzak Doğusu ve Kuzey Kore beyaza büründü"),
        ("es", "Una tormenta de nieve paraliza el este de Rusia y el norte de Corea del Norte"),
    ],
)
def test_a_snowstorm_report_is_weather(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason


def test_romanian_topul_is_a_ranking(scorer: Scorer) -> None:
    """ "Topul" is Romanian for "the ranking": its entries are not parties."""
    r = scorer.score("Topul salariilor minime: Rusia devansează Coreea de Nord", "", "ro")
    assert not r.relevant, r.reason
    pact = scorer.score("Rusia și Coreea de Nord semnează un acord feroviar", "", "ro")
    assert pact.relevant, pact.reason
