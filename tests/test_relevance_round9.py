"""Round 9 of the relevance scorer (issue 9): kinds of sentence that round 8's independent hand showed, each tested in
wording of its own — Russia implied by Ukraine's war, a title about something else with both sides only in passing
in the summary (reviews, listings, quizzes, obituaries, podiums), travel-danger lists, a pair word of one side with a
third country meeting in a city of the other, an earlier leg of a trip, "with" before each side, South Korea as a
source, and names the files lacked (abbreviations, provinces, "Korean soldiers")."""

from __future__ import annotations

import pytest

from nkru.relevance import Scorer


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer()


@pytest.mark.parametrize(
    ("language", "title", "summary"),
    [
        ("en", "Kim Yo Jong says Kyiv is lying about two captured soldiers", ""),
        ("fr", "Kiev affirme avoir abattu des missiles nord-coréens KN-23 près de Kharkiv", ""),
        ("pl", "Kijów: północnokoreańscy żołnierze walczą w obwodzie charkowskim", ""),
        ("es", "Kiev denuncia que Pyongyang envía más misiles", ""),
    ],
)
def test_north_korea_in_ukraines_war_implies_russia(scorer: Scorer, language: str, title: str, summary: str) -> None:
    r = scorer.score(title, summary, language)
    assert r.relevant, r.reason
    assert "Russia implied: North Korea in Ukraine's war" in r.reason


def test_ukraine_and_north_korea_without_the_war_imply_nothing(scorer: Scorer) -> None:
    friendly = scorer.score("North Korea and Ukraine draw 1-1 in women's football friendly", "", "en")
    assert not friendly.relevant and "implied" not in friendly.reason
    china = scorer.score("China urges Kyiv and Pyongyang to free captured soldiers", "", "en")
    assert not china.relevant and "implied" not in china.reason


@pytest.mark.parametrize(
    ("language", "title", "summary"),
    [
        (
            "es",
            "Quiz semanal: ¿cuánto sabe de geografía?",
            "De la capital de Corea del Norte a la ciudad más oriental de Rusia.",
        ),
        (
            "ru",
            "Обзор прессы: бюджет, погода и футбол",
            "«Известия» пишут о северокорейской ракете, а «Ведомости» — о российском урожае.",
        ),
        ("uk", "Вікторина: чи знаєте ви столиці світу?", "Від Пхеньяна до Москви: десять запитань."),
        (
            "fr",
            "Ce soir à la télé : « Le fils du dirigeant »",
            "Le documentaire montre Kim Jong Un lors de sa visite à Vladivostok.",
        ),
    ],
)
def test_a_title_about_something_else_leaves_the_summarys_mention_in_passing(
    scorer: Scorer, language: str, title: str, summary: str
) -> None:
    r = scorer.score(title, summary, language)
    assert not r.relevant, r.reason
    assert "passers-by" in r.reason


def test_a_neutral_title_over_a_summary_about_the_relation_is_kept(scorer: Scorer) -> None:
    briefing = scorer.score("Morning briefing", "Russia signs a grain deal with a North Korean delegation.", "en")
    assert briefing.relevant, briefing.reason
    # No title at all: the summary is all there is.
    assert scorer.score("", "North Korea and Russia open a second road bridge over the Tumen.", "en").relevant


@pytest.mark.parametrize(
    ("language", "title", "summary"),
    [
        (
            "de",
            "Buchkritik: Ein Roman über eine Ärztin in Pjöngjang",
            "Die Heldin reist 1956 über Moskau nach Nordkorea.",
        ),
        (
            "nl",
            "Recensie: roman over een Sovjet-arts in Pyongyang",
            "De hoofdpersoon reist via Moskou naar Noord-Korea.",
        ),
        ("pl", "Wystawa zdjęć: Gierek w Pjongjangu i Moskwie", ""),
        ("tr", "Halter Dünya Şampiyonası: Kuzey Koreli sporcu altın, Rus sporcu gümüş aldı", ""),
        ("ko", "[서평] 모스크바 유학생이 본 평양", ""),
        ("it", "È morto l'allenatore che guidò le nazionali di Urss e Corea del Nord", ""),
    ],
)
def test_reviews_exhibitions_podiums_and_obituaries_are_asides(
    scorer: Scorer, language: str, title: str, summary: str
) -> None:
    r = scorer.score(title, summary, language)
    assert not r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "The 10 most dangerous countries to visit in 2027, including Russia and North Korea"),
        ("de", "Die gefährlichsten Länder der Welt: Russland und Nordkorea vorne"),
        ("ar", "قائمة الدول الأخطر على المسافرين تضم روسيا وكوريا الشمالية"),
    ],
)
def test_travel_danger_lists_make_both_sides_entries(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant
    assert "entries of a ranking or list" in r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("ja", "日朝首脳、モスクワで会談へ"),
        ("zh", "中朝外长在莫斯科会晤"),
        ("ko", "북일, 블라디보스토크서 비공개 접촉"),
    ],
)
def test_a_pair_word_with_a_third_country_meets_in_a_city_of_the_other_side(
    scorer: Scorer, language: str, title: str
) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason
    assert "venue" in r.reason


def test_the_other_side_only_on_an_earlier_leg_of_the_trip_is_background(scorer: Scorer) -> None:
    r = scorer.score(
        "Araghchi holds talks with his counterpart in Pyongyang", "Before this trip he met Lavrov in Moscow.", "en"
    )
    assert not r.relevant, r.reason
    assert "background" in r.reason
    fa = scorer.score(
        "گفتگوی عراقچی با همتای خود در پیونگ‌یانگ", "عراقچی پیش از این سفر در مسکو با لاوروف گفتگو کرده بود.", "fa"
    )
    assert not fa.relevant, fa.reason
    onward = scorer.score("Lavrov holds talks in Beijing, then flies to Pyongyang", "", "en")
    assert onward.relevant, onward.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("es", "Trump: «Me llevo bien con Putin y con Kim Jong-un»"),
        ("de", "Trump will mit Putin und mit Kim sprechen"),
        ("ru", "Трамп готов встретиться и с Путиным, и с Ким Чен Ыном"),
    ],
)
def test_with_before_each_side_is_two_dealings_apart(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason
    assert "each apart" in r.reason


def test_one_with_between_the_two_sides_is_still_their_relation(scorer: Scorer) -> None:
    assert scorer.score("Russia signs treaty with North Korea", "", "en").relevant
    assert scorer.score("Rusia firma un tratado con Corea del Norte", "", "es").relevant


def test_south_korea_as_the_source_in_the_summary_does_not_weaken_north_korea(scorer: Scorer) -> None:
    r = scorer.score(
        "Media: Korea Płn. wysłała do Rosji kolejne pociski",
        "Według południowokoreańskiego wywiadu transporty przechodzą przez Chasan.",
        "pl",
    )
    assert r.relevant, r.reason
    assert "weaken" not in r.reason
    in_title = scorer.score("South Korea and Russia discuss fishing quotas, North Korea", "", "en")
    assert "South Korea cues" in in_title.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("ko", "함북 주민들 러 건설현장 파견"),
        ("pl", "Korea Płn. przekazała Rosji kolejne pociski"),
        ("ru", "Сев. Корея направила в РФ новую партию снарядов"),
        ("tr", "K.Kore Rusya'ya yeni asker gönderdi"),
        ("sk", "Kórejskí vojaci bojujú v Kurskej oblasti po boku Rusov"),
        ("ro", "Kim Jong Un, despre ajutorul rusesc pentru fabrica de drone"),
        ("cs", "Ruští inženýři pomáhají KLDR s výrobou dronů"),
    ],
)
def test_names_the_files_lacked_are_found(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


def test_a_two_letter_name_takes_no_ending(scorer: Scorer) -> None:
    r = scorer.score("Lính Triều Tiên bị bắt ở Kursk xin sang Hàn Quốc", "", "vi", explain=True)
    assert not any(c.side == "other country: China" for c in r.contributions)  # "xin" (to ask) is not "Xi"
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Obituary: former ambassador to Pyongyang and Moscow dies at 88"),
        ("de", "Nachruf: Ein Botschafter zwischen Moskau und Pjöngjang"),
        ("ko", "[부고] 모스크바·평양 대사 지낸 원로 외교관"),
    ],
)
def test_a_genre_kicker_files_the_item_under_that_genre_despite_beat_words(
    scorer: Scorer, language: str, title: str
) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason
    assert "something else" in r.reason


def test_a_kicker_that_is_no_genre_changes_nothing(scorer: Scorer) -> None:
    assert scorer.score("Analysis: Russia and North Korea deepen their military alliance", "", "en").relevant


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Trump says Putin, Kim are 'smart guys'"),
        ("en", "Trump to meet both Putin and Kim this year"),
        ("fr", "Trump veut rencontrer Poutine puis Kim"),
    ],
)
def test_a_third_countrys_person_speaking_of_both_leaders_deals_with_each(
    scorer: Scorer, language: str, title: str
) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason
    assert "each leader apart" in r.reason


def test_a_beat_word_after_the_two_leaders_keeps_their_relation(scorer: Scorer) -> None:
    r = scorer.score("Zelensky says Putin, Kim forge military alliance", "", "en")
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "North Korean workers arrive in occupied Donetsk"),
        ("de", "Nordkoreanische Artillerie an der Front bei Pokrowsk gesichtet"),
        ("en", "Kim's sister mocks Kyiv over prisoner swap offer"),
        ("ko", "김정은, 쿠르스크 참전 전사자 유가족 위로"),
    ],
)
def test_front_line_places_and_prisoners_are_the_war(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


def test_kcna_copy_in_the_present_tense_names_north_korea_by_here(scorer: Scorer) -> None:
    r = scorer.score("Delegation of Russian Federation Leaves Here", "", "en")
    assert r.relevant, r.reason


def test_the_russian_far_east_is_a_venue_next_to_a_third_countrys_pair(scorer: Scorer) -> None:
    r = scorer.score("Japan and North Korea to hold summit in Russia's Far East, report says", "", "en")
    assert not r.relevant and "venue" in r.reason, r.reason
    assert scorer.score("North Korean workers head to Russia's Far East", "", "en").relevant


def test_explain_lists_the_implied_side_but_the_stored_terms_are_only_those_found(scorer: Scorer) -> None:
    r = scorer.score("Kim Yo Jong says Kyiv is lying about captured soldiers", "", "en", explain=True)
    implied = [c for c in r.contributions if c.kind == "implied"]
    assert [(c.side, c.text) for c in implied] == [("Russia", "Kyiv: Russia's war")]
    assert "Kim Yo Jong" in r.terms and not any("Russia's war" in t for t in r.terms)


def test_hungarian_instrumental_assimilates_to_the_names_last_consonant(scorer: Scorer) -> None:
    r = scorer.score("Kim Dzsong Unnal tárgyalt az orosz védelmi miniszter Phenjanban", "", "hu")
    assert r.relevant and "Kim Dzsong Unnal" in r.terms, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Is Russia turning into North Korea?"),
        ("de", "Wird Russland zu einem zweiten Nordkorea?"),
        ("ja", "ロシアは「第二の北朝鮮」になるのか"),
        ("tr", "Rusya, Kuzey Kore'ye mi dönüşüyor?"),
        ("uk", "Росія стає схожою на КНДР, кажуть аналітики"),
    ],
)
def test_one_side_compared_with_the_other_is_a_comparison(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert not r.relevant, r.reason
    assert "a comparison with North Korea" in r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Russia helps launch a second North Korean spy satellite"),
        ("en", "Kim makes a second trip to Russia"),
        ("de", "Putins zweiter Nordkorea-Besuch: Vertrag unterzeichnet"),
        ("tr", "Kim Jong Un'un Rusya'ya ikinci ziyareti başladı"),
    ],
)
def test_ordinals_and_compounds_next_to_a_name_are_no_comparison(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Russia supplies passenger coaches to Pyongyang metro"),
        ("fr", "Le ministre russe Roman Starovoït attendu à Pyongyang"),
        ("zh", "俄罗斯向朝鲜提供教练机"),
    ],
)
def test_genre_words_that_are_also_the_beat_or_a_name_are_left_out(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


def test_a_genre_word_of_one_language_is_no_aside_in_anothers_beat(scorer: Scorer) -> None:
    r = scorer.score("Russia to supply trainer jets to North Korea, Seoul says", "", "en")
    assert r.relevant, r.reason


def test_a_third_countrys_trip_to_one_side_after_talks_with_the_other_does_not_pair_them(scorer: Scorer) -> None:
    r = scorer.score("Lukashenko to visit Pyongyang after talks with Putin last week", "", "en")
    assert not r.relevant, r.reason
    assert scorer.score("Lavrov arrives in Pyongyang, holds talks with Choe Son Hui", "", "en").relevant


def test_a_wire_kicker_is_no_parallel_word_of_another_language(scorer: Scorer) -> None:
    r = scorer.score("Exclusive: North Korea ships artillery to Russia via Rajin", "", "en")
    assert r.relevant, r.reason  # not the French "exclus" (left out) by its stem
    assert scorer.score("Rosyjscy turyści znów w Korei Północnej", "", "pl").relevant


def test_a_word_of_one_language_that_means_the_beat_in_another_counts_only_in_its_own(scorer: Scorer) -> None:
    trade = scorer.score("Obchod Ruska s KĽDR rastie", "", "sk")  # Slovak trade, not Polish "obchody"
    assert trade.relevant and "something else" not in trade.reason, trade.reason
    party = scorer.score("Partido russo envia delegação a Pyongyang", "", "pt")  # not Spanish "partido", a match
    assert party.relevant, party.reason


@pytest.mark.parametrize(
    "title",
    [
        "Russia helps North Korea build long-range missiles, Seoul says",  # not German "Rang" (a ranking)
        "Russia and North Korea come closer with new treaty",  # not Italian "come" (such as: a list)
    ],
)
def test_english_words_are_not_ranking_or_list_words_of_another_language(scorer: Scorer, title: str) -> None:
    r = scorer.score(title, "", "en")
    assert r.relevant, r.reason


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "NATO chief: Russia, North Korea deepen ties"),  # not Italian "nato" (born)
        ("it", "Kim Jong Un torna a Mosca"),  # not Hungarian "torna" (gymnastics)
    ],
)
def test_an_aside_word_of_another_language_does_not_halve_a_story(scorer: Scorer, language: str, title: str) -> None:
    r = scorer.score(title, "", language)
    assert r.relevant, r.reason


def test_a_list_word_right_after_two_countries_closes_a_list_only_where_lists_end_so(scorer: Scorer) -> None:
    allies = scorer.score("Русия и КНДР като съюзници: нов договор", "", "bg")  # "as allies", not a list
    assert allies.relevant, allies.reason
    listed = scorer.score("中国・ロシア・北朝鮮など権威主義国家", "", "ja")
    assert not listed.relevant, listed.reason
