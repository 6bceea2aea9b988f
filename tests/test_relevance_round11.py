"""Round 11 of the relevance scorer (issue 9): a title part that spans a list by its two ends, "from North Korea to
Russia", makes the two sides its entries, not the parties of one relation; a route on the beat ("from Moscow to
Pyongyang by train") stays. Each case in wording of its own, not an item of the labelled sets."""

from __future__ import annotations

import pytest

from nkru.relevance import Scorer


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer()


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Where you cannot buy a Coca-Cola: from North Korea to Russia"),
        ("de", "Zehn Länder ohne Schaltjahr-Feiertag – von Russland bis Nordkorea"),
        ("nl", "Waarom leiders van Rusland tot Noord-Korea zo graag marathons lopen"),
        ("es", "Los países sin horario de verano: de Rusia a Corea del Norte"),
        ("ru", "Где не работает Netflix: от КНДР до России"),
        ("pl", "Gdzie nie działa Spotify: od Rosji po Koreę Północną"),
        ("tr", "Soğuk savaş plakları: Moskova'dan Pyongyang'a uzanan bir koleksiyon"),
        ("zh", "全球最难申请签证的国家：从朝鲜到俄罗斯"),
    ],
)
def test_a_range_spans_a_list_whose_entries_are_the_two_sides(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason
    assert "a range" in r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "From Moscow to Pyongyang by train: the new sleeper service"),
        ("ru", "От Москвы до Пхеньяна: поезд снова в пути"),
        ("tr", "Putin'den Kim'e mektup"),
        ("de", "Von Pjöngjang nach Moskau: Kim reist im Panzerzug"),
    ],
)
def test_a_route_or_a_message_from_one_side_to_the_other_stays(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason
