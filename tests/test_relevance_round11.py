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
        ("ru", "Где не работает YouTube: от КНДР до России"),
        ("pl", "Gdzie nie działa Spotify: od Rosji po Koreę Północną"),
        ("tr", "Soğuk savaş plakları: Kuzey Kore'den Rusya'ya uzanan bir koleksiyon"),
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
        ("es", "De Moscú a Pyongyang: Lavrov inicia su gira asiática"),  # a journey between two cities
        ("ru", "От Москвы до Пхеньяна: Лавров начал азиатское турне"),
    ],
)
def test_a_route_or_a_message_from_one_side_to_the_other_stays(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "The world's coldest capitals: Russia and North Korea in the top ten"),
        ("lv", "Kur kafija ir visdārgākā: Krievija un Ziemeļkoreja pirmajā desmitniekā"),
        ("ja", "世界で最も寒い首都：ロシアと北朝鮮が上位に"),
        ("hu", "A legnagyobb tengeralattjáró-flották: Oroszország és Észak-Korea az élen"),
        ("de", "Wo das Bier am teuersten ist: Russland und Nordkorea weit vorn"),
    ],
)
def test_a_superlative_kicker_makes_the_sides_entries_of_a_ranking(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason
    assert "superlative in the kicker" in r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Largest delegation yet: Russian ministers arrive in Pyongyang for talks"),
        ("pl", "Najnowsze: Rosja i Korea Północna podpisały umowę o współpracy wojskowej"),
        ("ja", "最新：プーチン大統領、平壌で金総書記と会談"),
        ("en", "Russia's closest ally: Kim pledges more troops to Putin"),
        ("en", "Most important visit yet: Lavrov lands in Pyongyang"),  # the beat word is in the kicker
        ("en", "Top story: Putin and Kim exchange New Year greetings"),  # the two leaders named together
        ("pl", "Najważniejsze: Putin i Kim wymienili listy"),  # and "listy" are letters, not lists
    ],
)
def test_the_beat_a_latest_kicker_or_a_side_in_the_kicker_keeps_a_relation(
    scorer: Scorer, language: str, title: str
) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "China and Russia oppose a new UN resolution on North Korea"),
        ("de", "Iran und Russland kritisieren Sanktionen gegen Nordkorea"),
        ("ru", "Китай и Россия выступили против санкций в отношении КНДР"),
    ],
)
def test_a_third_country_and_one_side_opening_the_title_are_its_subject(
    scorer: Scorer, language: str, title: str
) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason
    assert "joint subject" in r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Russia and North Korea sign a new fisheries deal"),
        ("en", "Lavrov, after Beijing, flies on to Pyongyang"),
        ("en", "Belarus and North Korea send more workers to Russia"),
        ("de", "Belarus und Nordkorea liefern Russland Granaten"),
    ],
)
def test_the_two_sides_as_the_subject_a_partner_or_an_onward_trip_stay(
    scorer: Scorer, language: str, title: str
) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("lt", "Putinas pasveikino Kim Čen Yną su gimtadieniu"),  # the Lithuanian Wikipedia spelling, declined
        ("et", "Vene turistid sõitsid Masikryongi"),  # a North Korean place with an Estonian ending
        ("pl", "Rosyjscy turyści wypoczywają w Masikryongu"),
    ],
)
def test_spellings_and_places_of_inflecting_languages_name_a_side(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Airline safety list names Russia and North Korea among the riskiest skies"),
        ("cs", "Ministerstvo zveřejnilo seznam nebezpečných letišť, jsou na něm Rusko i KLDR"),
        ("lv", "Jaunajā bīstamo lidostu sarakstā arī Krievija un Ziemeļkoreja"),
    ],
)
def test_a_bare_list_word_frames_a_title_without_a_beat_word(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason
    assert "entries of a ranking or list" in r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "US adds Russian firms to sanctions list over North Korean arms deliveries"),
        ("ru", "Россия и КНДР подписали список совместных проектов"),
    ],
)
def test_a_list_on_the_beat_or_made_by_the_two_sides_stays(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


def test_the_bench_splits_dev_by_the_hand_that_wrote_it() -> None:
    from bench.bench_relevance import hands

    by_hand = hands()
    assert list(by_hand)[:2] == ["first", "round7"]  # the first hand's files, then each later round in order
    assert all(path.parent.name == "relevance" for path in by_hand["first"])
    assert "round10" in by_hand and all(path.parent.name == "round10" for path in by_hand["round10"])


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Burma and North Korea sign a military education pact in Moscow"),  # CLDR: "Myanmar (Burma)"
        ("pl", "Mjanma i Korea Północna podpisały w Moskwie umowę wojskową"),  # CLDR: "Mjanma (Birma)"
    ],
)
def test_a_country_cldr_names_with_an_alias_in_brackets_is_a_third_country(
    scorer: Scorer, language: str, title: str
) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason
    assert "only as the venue" in r.reason


def test_turkish_kabul_is_to_admit_not_kabul_the_city(scorer: Scorer) -> None:
    r = scorer.score("Kuzey Koreli öğrenciler Rusya üniversitelerine kabul edildi", "", "tr")
    assert r.relevant, r.reason
    assert "Afghanistan" not in r.reason
    # The English name of the city still counts as Afghanistan's.
    city = scorer.score("Taliban envoy in Kabul meets Russian and North Korean diplomats", "", "en")
    assert not city.relevant, city.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("lt", "Rusija ir Šiaurės Korėja taip pat pasirašė naują sutartį"),  # "taip pat": also, not Taipei
        ("pt", "Coreia do Norte fica com petróleo russo: Moscou envia 1 milhão de barris"),  # "fica": not Fico
        ("ru", "Груз российской нефти доставлен в Раджин"),  # "груз" (cargo): not Bulgarian "Грузия" (Georgia)
    ],
)
def test_common_words_that_look_like_a_third_countrys_name_in_another_language_are_no_country(
    scorer: Scorer, language: str, title: str
) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


def test_russian_eastern_is_not_the_cosmodrome_as_ukrainian_writes_it(scorer: Scorer) -> None:
    launch = scorer.score("КНДР запустила ракету в сторону Восточного моря", "", "ru")
    assert not launch.relevant, launch.reason
    assert "only North Korea mentioned" in launch.reason
    assert scorer.score("Кім відвідав космодром Восточний", "", "uk").relevant


def test_ukrainian_occupation_authorities_are_russia(scorer: Scorer) -> None:
    r = scorer.score("Окупанти вивозять українських дітей до КНДР", "", "uk")
    assert r.relevant, r.reason
    # Weakly: occupiers named only in passing in the summary do not make a North Korea story a relation.
    assert not scorer.score("КНДР провела ракетні випробування", "Окупанти тим часом обстріляли Херсон.", "uk").relevant


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("cs", "Severokorejští vojáci pochodovali po Rudém náměstí"),  # Red Square names Russia, as in English
        ("lt", "Chabarovsko krašto delegacija lankosi Pchenjane"),  # Khabarovsk, declined
    ],
)
def test_red_square_and_khabarovsk_name_russia_in_every_language(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("de", "Geburtsort von Kim Jong Il: Paektu oder Chabarowsk?"),  # a birthplace: a biography
        ("fr", "Moscou fête la Victoire, Pyongyang le Parti des travailleurs"),  # a party's name is not the beat
    ],
)
def test_a_birthplace_or_a_partys_name_is_no_relation(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason


def test_persian_was_born_is_a_biography_like_born(scorer: Scorer) -> None:
    r = scorer.score("کیم جونگ ایل واقعاً کجا به دنیا آمد؟", "برخی می‌گویند او نزدیک خاباروفسک روسیه متولد شد.", "fa")
    assert not r.relevant and "something else" in r.reason, r.reason


def test_a_streaming_series_is_entertainment(scorer: Scorer) -> None:
    r = scorer.score("Neue Netflix-Serie: eine russische Agentin und ein nordkoreanischer Überläufer", "", "de")
    assert not r.relevant and "something else" in r.reason, r.reason


def test_weather_is_a_genre_but_never_a_kicker(scorer: Scorer) -> None:
    cold = scorer.score("Арктический воздух принесет морозы в Приморье и на север КНДР", "", "ru")
    assert not cold.relevant and "something else" in cold.reason, cold.reason
    assert scorer.score("Frost no obstacle: Moscow train arrives in Pyongyang on time", "", "en").relevant


def test_a_genre_phrase_before_the_first_comma_is_a_kicker(scorer: Scorer) -> None:
    r = scorer.score("In his memoirs, a former envoy recalls winters in Pyongyang and Moscow", "", "en")
    assert not r.relevant and "something else" in r.reason, r.reason


@pytest.mark.parametrize(
    ("language", "title", "relevant"),
    [
        ("it", "Mondiale femminile Under 17: la Corea del Nord batte la Russia in semifinale", False),
        ("es", "Putin y Kim desafían el orden mundial", True),  # "mundial" alone is "world", not the World Cup
    ],
)
def test_the_world_cup_is_sport_but_world_is_not(scorer: Scorer, language: str, title: str, relevant: bool) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant is relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title", "summary"),
    [
        ("ar", "رحيل الشاعر السوري عادل محمود", "ترجم الشعر الروسي وزار بيونغ يانغ مع وفد من الأدباء العرب."),
        ("ko", "신간 '아무르강의 겨울'", "소설은 러시아 극동 벌목장에서 일한 북한 노동자의 삶을 그린다."),
    ],
)
def test_an_obituary_or_a_new_book_is_a_genre(scorer: Scorer, language: str, title: str, summary: str) -> None:
    r = scorer.score(title, summary, language)
    assert not r.relevant, r.reason


def test_an_arabic_delegations_departure_is_no_obituary(scorer: Scorer) -> None:
    r = scorer.score("رحيل الوفد الكوري الشمالي من موسكو بعد محادثات", "", "ar")
    assert r.relevant, r.reason
