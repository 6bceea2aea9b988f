"""Grouping round 9 (issue 16): what the eighth writer's reports taught. Statement verbs the cue words missed
(French "fustige", Spanish "advierte"), a capital written the French way ("Séoul") opening a statement, and
the speaker of a statement named by title alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nkru.stories.grouping import EventMatcher
from nkru.stories.reports import report

T0 = datetime(2027, 9, 14, 6, 0, tzinfo=UTC)
NK = ("North Korea", "GPE")
RUSSIA = ("Russia", "GPE")
KIM = ("Kim Jong Un", "PERSON")


@pytest.mark.parametrize(
    ("title", "language"),
    [
        ("Pyongyang fustige les nouvelles mesures de Tokyo", "fr"),
        ("Washington advierte a Moscú por su cooperación naval con Corea del Norte", "es"),
    ],
)
def test_castigating_and_warning_headlines_are_statements(title: str, language: str):
    """A headline castigating or warning someone reports words, not a deed (`Report.says`)."""
    assert report(1, title, "", T0, [NK], language=language).says


def test_seoul_in_french_opening_a_statement_is_its_speaker():
    """ "Séoul" is how French outlets write Seoul: a headline opening on it gives Seoul as the speaker."""
    rep = report(
        1,
        "Séoul critique l'escale du navire russe à Rajin",
        "",
        T0,
        [("Seoul", "GPE"), ("Rajin", "GPE"), RUSSIA],
        language="fr",
    )
    assert rep.says
    assert (rep.speaker, rep.speaker_sure) == ("Seoul", True)


def test_seouls_french_headline_on_a_reception_is_a_third_partys_word():
    """Kim Jong Un receives Russia's emergencies minister; three hours later a French wire headline has Seoul
    denouncing the minister's trip. It names the minister, the city and the trip, but Seoul, speaking, is named by
    no report of the reception: a third party's statement, its own story."""
    matcher = EventMatcher()
    minister = ("Alexander Kurenkov", "PERSON")
    reception = report(
        1,
        "Kim Jong Un receives Russian emergencies minister Kurenkov",
        "The North Korean leader received Alexander Kurenkov in Pyongyang, KCNA said.",
        T0,
        [KIM, minister, ("Pyongyang", "GPE"), RUSSIA],
        language="en",
    )
    matcher.assign(reception, 1)
    reaction = report(
        2,
        "Séoul dénonce la visite de Kourenkov à Pyongyang",
        "Le ministère sud-coréen des Affaires étrangères a appelé Moscou à cesser sa coopération avec le Nord.",
        T0 + timedelta(hours=3),
        [("Seoul", "GPE"), minister, ("Pyongyang", "GPE"), ("Moscow", "GPE")],
        language="fr",
    )
    decision = matcher.assign(reaction, 2)
    assert decision.story_id is None


def test_a_speaker_given_by_title_is_the_office_holder():
    """Japanese copy gives the chief cabinet secretary by title alone ("官房長官、…に「…」"): that is the holder the
    gazetteer's offices name, the statement's speaker."""
    rep = report(
        1, "官房長官、露朝の軍事協力に「重大な懸念」", "", T0, [("Minoru Kihara", "PERSON"), NK, RUSSIA], language="ja"
    )
    assert (rep.speaker, rep.speaker_sure) == ("Minoru Kihara", True)


def test_tokyos_concern_is_not_washingtons_warning_on_kind_and_time():
    """Washington warns Moscow over satellite help to Pyongyang; five hours later Tokyo's chief cabinet secretary
    voices concern about the same help. Same kind, same hours, another language: the kind-and-time fallback would
    take them for one statement, but the second gives a speaker by title that the first never names."""
    matcher = EventMatcher()
    warning = report(
        1,
        "US warns Russia over satellite help for North Korea",
        "A State Department spokesperson said any transfer of space technology would breach UN resolutions.",
        T0,
        [("United States", "GPE"), ("United States Department of State", "ORG"), NK, RUSSIA],
        language="en",
    )
    matcher.assign(warning, 1)
    concern = report(
        2,
        "官房長官、露朝の衛星協力に「深刻な懸念」",
        "官房長官は記者会見で、ロシアと北朝鮮の宇宙協力について述べた。",
        T0 + timedelta(hours=5),
        [("Minoru Kihara", "PERSON"), NK, RUSSIA],
        language="ja",
    )
    assert matcher.assign(concern, 2).story_id is None


def test_tomorrow_in_the_headline_announces_even_when_the_summary_gives_the_date():
    """ "ロシア国防相、あすから訪朝" announces the visit; its summary's date to come ("16日から") must not keep the
    headline's "tomorrow" from making the headline an announcement (`Report.exclusive`), or the report would be
    told apart from the other announcements of the visit as a happening."""
    published = datetime(2027, 9, 15, 10, 0, tzinfo=UTC)
    rep = report(
        1,
        "ロシア国防相、あすから訪朝　今年3度目",
        "ロシア国防省は、国防相が16日から2日間の日程で北朝鮮を訪れると発表した。",
        published,
        [("Andrei Belousov", "PERSON"), NK, RUSSIA],
        language="ja",
    )
    assert rep.exclusive == frozenset({"announcement"})


def test_indonesian_headline_abbreviating_the_law_names_the_presidents_signature():
    """Indonesian headlines write a law as "UU" (undang-undang): "Putin teken UU …" is the President's signature,
    the treaty step, so it is not told apart from the other reports of the signature by its kind."""
    rep = report(1, "Putin Teken UU Kerja Sama Nuklir dengan Korea Utara", "", T0, [NK, RUSSIA], language="id")
    assert rep.step == "law_signed"


def test_one_countrys_warning_in_two_outlets_is_one_statement():
    """ "US warns Russia over naval help for North Korea" and, an hour later, "U.S. warns Russia against…": each
    headline gives the United States outright as its speaker (a place: the country speaks), so sharing only places
    does not make them two voices (rule 12). Spanish copy gives it as "EE.UU."."""
    matcher = EventMatcher()
    us = ("United States", "GPE")
    warning = report(
        1,
        "US warns Russia over naval help for North Korea",
        "A State Department spokesperson said any transfer of submarine technology would breach UN resolutions.",
        T0,
        [us, ("United States Department of State", "ORG"), NK, RUSSIA],
        language="en",
    )
    matcher.assign(warning, 1)
    spanish = report(3, "EE.UU. advierte a Rusia", "", T0, [us, RUSSIA], language="es")
    assert (spanish.speaker, spanish.speaker_sure) == ("United States", True)
    again = report(
        2,
        "U.S. warns Russia against naval aid to North Korea",
        "The United States said the transfer of submarine technology would violate Security Council resolutions.",
        T0 + timedelta(hours=1),
        [us, RUSSIA, NK],
        language="en",
    )
    assert matcher.assign(again, 2).story_id == 1


def test_a_country_and_its_foreign_ministry_are_one_voice_on_one_statement():
    """Pyongyang's foreign ministry calls a claim of missile transfers a fabrication; three hours
    later "North Korea denies…" names no body, only places. The country speaking and its foreign ministry are one
    voice: the speaker is what the two statements share (rules 8 and 12), not nothing."""
    matcher = EventMatcher()
    ministry = report(
        1,
        "DPRK Foreign Ministry: missile transfer claim is a fabrication",
        "A spokesman for the ministry answered a question from KCNA.",
        T0,
        [("Ministry of Foreign Affairs of the DPRK", "ORG"), NK],
        language="en",
    )
    matcher.assign(ministry, 1)
    denial = report(
        2,
        "North Korea denies transferring missiles to Russia",
        "Pyongyang said the claim was a fabrication by hostile forces.",
        T0 + timedelta(hours=3),
        [NK, RUSSIA, ("Pyongyang", "GPE")],
        language="en",
    )
    assert matcher.assign(denial, 2).story_id == 1


def test_a_surname_alone_still_finds_the_full_name_when_comparisons_are_skipped():
    """Grouping skips the short-form comparison when two sides share no surname or Korean name key
    (`names.alias_keys`): "Kurenkov" alone still shares its key with "Alexander Kurenkov", so the second report
    of his arrival joins the first."""
    matcher = EventMatcher()
    first = report(
        1,
        "Alexander Kurenkov arrives in Pyongyang",
        "Russia's emergencies minister landed at Sunan airport.",
        T0,
        [("Alexander Kurenkov", "PERSON"), ("Pyongyang", "GPE"), ("Sunan International Airport", "FAC")],
        language="en",
    )
    matcher.assign(first, 1)
    second = report(
        2,
        "Kurenkov lands in Pyongyang for disaster-relief talks",
        "The minister arrived at Sunan airport on Monday.",
        T0 + timedelta(hours=1),
        [("Kurenkov", "ORG"), ("Pyongyang", "GPE"), ("Sunan International Airport", "FAC")],
        language="en",
    )
    assert second.alias_keys & matcher.stories[1].alias_keys
    assert matcher.assign(second, 2).story_id == 1


@pytest.mark.parametrize(
    ("title", "language", "speaker"),
    [
        ('北 외무성, 日 추가 제재에 "적대 행위…대가 치를 것"', "ko", "Ministry of Foreign Affairs of the DPRK"),
        ("外交部：中方注意到有关报道", "zh", None),
        ("Beijing plays down Russia-North Korea rail link", "en", "Beijing"),
    ],
)
def test_statement_headline_shapes_of_korean_chinese_and_english_wires(title: str, language: str, speaker: str | None):
    """Yonhap's speaker, a comma, what the words are about ("…에") and the quotation; a Chinese full-width colon after
    the speaker; an English headline playing something down: each is a statement's headline, and where the
    speaker is one of the report's names it is given outright."""
    found = [("Ministry of Foreign Affairs of the DPRK", "ORG"), ("Beijing", "GPE"), ("China", "GPE"), NK]
    rep = report(1, title, "", T0, found, language=language)
    assert rep.says
    if speaker is not None:
        assert (rep.speaker, rep.speaker_sure) == (speaker, True)


def test_the_country_speaking_is_not_a_place_its_headline_tells_apart():
    """Beijing's "Foreign Ministry spokesperson: Tumen River rail link is normal cooperation" and, an hour later,
    "China calls rail link with Russia 'normal cooperation'": the second headline names China as its voice, not as
    where anything happened, so the two headlines' places (Tumen River; China) do not tell them apart (rule 7)."""
    matcher = EventMatcher()
    china, ministry, tumen = ("China", "GPE"), ("Ministry of Foreign Affairs of China", "ORG"), ("Tumen River", "LOC")
    first = report(
        1,
        "Foreign Ministry spokesperson: Tumen River rail link is normal cooperation",
        "The spokesperson said cooperation between sovereign states was their own affair.",
        T0,
        [ministry, tumen, china, NK, RUSSIA],
        language="en",
    )
    matcher.assign(first, 1)
    second = report(
        2,
        "China calls rail link with Russia and North Korea 'normal cooperation'",
        "The Chinese Foreign Ministry said the new line over the Tumen River was a matter for the two states.",
        T0 + timedelta(hours=1),
        [china, ministry, tumen, NK, RUSSIA],
        language="en",
    )
    assert matcher.assign(second, 2).story_id == 1


def test_a_speaker_given_in_words_is_not_another_voice():
    """Yonhap's '외교부, 라브로프 발언에 "깊은 유감"' and, half an hour later, '정부 "…"…라브로프 발언 반박':
    "정부" (the government) is a speaker given in words no name stands for, so the ministry's never being named
    there does not make the two statements two voices (rule 10)."""
    matcher = EventMatcher()
    lavrov = ("Sergei Lavrov", "PERSON")
    ministry = report(
        1,
        "외교부, 라브로프 '北 미사일 이해' 발언에 \"깊은 유감\"",
        "외교부 대변인은 정례 브리핑에서 라브로프 장관의 발언에 유감을 표했다.",
        T0,
        [("Ministry of Foreign Affairs of South Korea", "ORG"), lavrov, NK, RUSSIA],
        language="ko",
    )
    assert (ministry.speaker, ministry.speaker_sure) == ("Ministry of Foreign Affairs of South Korea", True)
    matcher.assign(ministry, 1)
    government = report(
        2,
        '정부 "러, 안보리 상임이사국 책임 다해야"…라브로프 발언 비판',
        "정부는 라브로프 장관의 발언이 안보리 결의에 어긋난다고 밝혔다.",
        T0 + timedelta(minutes=30),
        [lavrov, RUSSIA],
        language="ko",
    )
    assert matcher.assign(government, 2).story_id == 1


def test_reports_of_a_gala_are_one_happening_apart_from_the_signing_before_it():
    """The culture ministers sign an exchange plan; the next evening Kim Jong Un watches the Russian circus's gala
    with the minister. The gala's reports name only the leader and the city, but they cue a performance: the
    Spanish report joins the Russian one, and neither joins the signing."""
    matcher = EventMatcher()
    minister = ("Olga Lyubimova", "PERSON")
    signing = report(
        1,
        "Russia and North Korea sign culture exchange plan for 2028-2030",
        "Culture minister Olga Lyubimova signed the plan in Pyongyang.",
        T0,
        [minister, NK, RUSSIA, ("Pyongyang", "GPE")],
        language="en",
    )
    matcher.assign(signing, 1)
    gala = report(
        2,
        "Ким Чен Ын посетил гала-представление Большого московского цирка",
        "Северокорейский лидер аплодировал артистам.",
        T0 + timedelta(hours=20),
        [KIM],
        language="ru",
    )
    assert matcher.assign(gala, 2).story_id is None
    spanish = report(
        3,
        "Kim Jong-un asiste a un espectáculo del circo ruso en Pionyang",
        "El líder norcoreano presenció la función.",
        T0 + timedelta(hours=22),
        [KIM, ("Pyongyang", "GPE")],
        language="es",
    )
    assert matcher.assign(spanish, 3).story_id == 2


@pytest.mark.parametrize(
    ("title", "language", "says"),
    [
        ("Шойгу в Вонсане: курорт примет российских туристов летом", "ru", False),
        ("Lawrow in Wonsan: Russland will Urlaubsflüge ausbauen", "de", False),
        ("Захарова: визит Шойгу в Вонсан согласован", "ru", True),
    ],
)
def test_someone_in_a_place_before_a_colon_is_the_visit_not_a_speaker(title: str, language: str, says: bool):
    """ "Шойгу в Вонсане: …" (Shoigu in Wonsan: …) reports his stop there; only a name alone before the colon
    ("Захарова: …") gives a speaker."""
    found = [("Sergei Shoigu", "PERSON"), ("Sergei Lavrov", "PERSON"), ("Wonsan", "GPE"), ("Maria Zakharova", "PERSON")]
    assert report(1, title, "", T0, found, language=language).says is says


def test_a_governors_stop_headlined_with_a_colon_meets_its_later_reports():
    """ "Кожемяко в Сонбоне: …" in the morning and Yonhap's report of the governor's visit to Sonbong nine hours
    later: the Russian headline is the visit's, not the governor's statement, so the later report is not kept
    apart as the happening a statement refers to."""
    matcher = EventMatcher()
    governor = ("Oleg Kozhemyako", "PERSON")
    first = report(
        1,
        "Кожемяко в Сонбоне: Приморье построит в КНДР рыбный завод",
        "Губернатор Приморья осмотрел порт и договорился о совместном предприятии.",
        T0,
        [governor, ("Primorsky Krai", "GPE"), NK],
        language="ru",
    )
    matcher.assign(first, 1)
    later = report(
        2,
        "연해주 주지사 선봉 방문…수산물 가공 공장 합의",
        "코제먀코 주지사가 선봉항을 둘러보고 합작 공장 건설에 합의했다.",
        T0 + timedelta(hours=9),
        [governor, ("Primorsky Krai", "GPE"), NK],
        language="ko",
    )
    assert matcher.assign(later, 2).story_id == 1


@pytest.mark.parametrize(
    ("title", "says", "speaker"),
    [
        (
            "N. Korea sent 2,000 more engineers to Russia's Kursk region: JCS",
            True,
            "Joint Chiefs of Staff of South Korea",
        ),
        ("Kim Jong Un inspects new destroyer ahead of Russian port call: KCNA", False, None),
    ],
)
def test_the_english_wires_trailing_source_after_a_colon(title: str, says: bool, speaker: str | None):
    """Yonhap's English headlines put the source last, after a colon: "…: JCS" is the Joint Chiefs' statement,
    given outright; "…: KCNA" is a news agency carrying the happening, not a speaker."""
    found = [("Joint Chiefs of Staff of South Korea", "ORG"), ("KCNA", "ORG"), NK, RUSSIA, KIM]
    rep = report(1, title, "", T0, found, language="en")
    assert rep.says is says
    if speaker:
        assert (rep.speaker, rep.speaker_sure) == (speaker, True)


@pytest.mark.parametrize(
    ("title", "says"),
    [
        ("Coopération spatiale : Roscosmos signe un accord avec Pyongyang", False),
        ("Zakharova : la visite de Choe Son Hui est confirmée", True),
    ],
)
def test_a_french_rubric_before_a_colon_is_no_speaker(title: str, says: bool):
    """French headlines open on a rubric before a spaced colon ("Coopération spatiale : …"): the topic, not who
    speaks, so the headline reports the signing; a name alone before it ("Zakharova : …") still gives a speaker."""
    found = [("Roscosmos", "ORG"), ("Maria Zakharova", "PERSON"), ("Choe Son Hui", "PERSON"), ("Pyongyang", "GPE")]
    rep = report(1, title, "", T0, found, language="fr")
    assert rep.says is says
