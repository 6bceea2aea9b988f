"""Grouping round 10 (issue 16): what the ninth and tenth writers' reports taught. Bodies and places of the beat
that outlets name in their own script (Russia's Pacific Fleet, Mount Kumgang, the EU as Italian wires write it):
without one canonical name the reports of one happening share no actor and stay apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nkru.stories.grouping import EventMatcher
from nkru.stories.reports import report

T0 = datetime(2028, 5, 10, 6, 0, tzinfo=UTC)


def _stories(texts: list[tuple[str, str]], hours: float = 2.0) -> tuple[list[int], list]:
    """The story of each (title, language), grouped in order `hours` apart with the real extract step."""
    from nkru.entities import extract, load_pipeline

    found = extract(load_pipeline(), [t for t, _ in texts], languages=[lang for _, lang in texts])
    matcher = EventMatcher()
    stories, reps = [], []
    for key, ((title, lang), mentions) in enumerate(zip(texts, found, strict=True), start=1):
        names = [(m.name, m.label) for m in mentions]
        rep = report(key, title, "", T0 + timedelta(hours=hours * key), names, language=lang)
        decision = matcher.assign(rep, key)
        stories.append(decision.story_id if decision.story_id is not None else key)
        reps.append(rep)
    return stories, reps


@pytest.mark.parametrize(
    ("texts", "name"),
    [
        (
            [
                ("Отряд кораблей Тихоокеанского флота зашёл в порт Расон", "ru"),
                ("러 태평양함대 함정, 나선항 입항", "ko"),
            ],
            "Russian Pacific Fleet",
        ),
        (
            [
                ("Первые российские туристы посетили горы Кымгансан", "ru"),
                ("金剛山にロシア人観光客の第1陣", "ja"),
            ],
            "Mount Kumgang",
        ),
        (
            [
                ("EU adds North Korean shipping firms to Russia sanctions list", "en"),
                ("L'Ue sanziona armatori nordcoreani per le forniture a Mosca", "it"),
            ],
            "European Union",
        ),
    ],
)
def test_one_happening_named_in_two_scripts_is_one_story(texts: list[tuple[str, str]], name: str):
    """A fleet's port call, the first tourists at a resort, a sanctions listing: each outlet names the body or place
    in its own script (config/gazetteer/wider.yaml, round 10), read as one name, so the reports are one story."""
    stories, reps = _stories(texts)
    assert all(name in rep.entities for rep in reps)
    assert stories == [1, 1]


def test_japans_defence_minister_by_title_is_the_office_holder():
    """Japanese and Korean headlines name Japan's defence minister by title alone ("防衛相", "日 방위상"): both are the
    holder config/gazetteer/offices.yaml gives, so the two reports of his remarks share their speaker."""
    stories, reps = _stories(
        [("防衛相、露朝の合同演習に「重大な懸念」", "ja"), ('日 방위상 "러북 연합훈련 중대 우려"', "ko")]
    )
    assert all("Shinjiro Koizumi" in rep.entities for rep in reps)
    assert stories == [1, 1]


@pytest.mark.parametrize(
    ("title", "language"),
    [
        ("Серед загиблих військових КНДР є офіцери, заявили в ГУР", "uk"),
        ("Среди переданных КНДР систем есть средства ПВО", "ru"),
    ],
)
def test_among_is_no_wednesday(title: str, language: str):
    """Ukrainian "серед" and Russian "среди" mean "among": they begin like Wednesday ("середа", "среда") but give
    the report no event date (a cut weekday name takes an ending; config/events/ru.yaml `not_weekdays`)."""
    assert report(1, title, "", T0, [("North Korea", "GPE")], language=language).event_date is None


def test_a_claim_with_among_in_it_meets_the_claims_dated_report():
    """Seoul's intelligence tells lawmakers on a Monday of more North Koreans sent to Russia; a Ukrainian outlet's
    report of it two hours later says "among them engineers". Reading "серед" as Wednesday dated it two days off
    the claim's (rule 3, different event dates); it is one story."""
    nis, nk, russia = ("National Intelligence Service", "ORG"), ("North Korea", "GPE"), ("Russia", "GPE")
    matcher = EventMatcher()
    monday = datetime(2028, 5, 8, 9, 0, tzinfo=UTC)
    first = report(
        1,
        "NIS says North Korea sent 4,000 more to Russia",
        "South Korea's spy agency told lawmakers on Monday that more North Koreans were sent.",
        monday,
        [nis, nk, russia],
        language="en",
    )
    matcher.assign(first, 1)
    second = report(
        2,
        "Розвідка Південної Кореї: КНДР відправила до Росії ще 4 тисячі осіб, серед них інженерів",
        "",
        monday + timedelta(hours=2),
        [nis, nk, russia],
        language="uk",
    )
    assert second.event_date is None
    assert matcher.assign(second, 2).story_id == 1


@pytest.mark.parametrize(
    "title",
    [
        '[속보] 합참 "北, 서해상으로 단거리탄도미사일 발사"',
        "防衛省「北朝鮮が弾道ミサイル発射」",
        "北朝鮮「衛星」発射　九州にJアラート",
    ],
)
def test_a_launch_flashed_by_the_military_or_scare_quoted_is_the_launch(title: str):
    """Yonhap's and NHK's flash of a launch the military detected (합참 "北 … 발사", 防衛省「…発射」), and a
    Japanese headline scare-quoting what was launched (北朝鮮「衛星」発射), report the launch, not someone's words."""
    language = "ko" if "합참" in title else "ja"
    assert not report(1, title, "", T0, [("North Korea", "GPE")], language=language).says


def test_the_militarys_flash_and_the_launchs_reports_are_one_story_apart_from_tokyos_protest():
    """Seoul's military flashes a missile launch; an hour later a wire reports the launch itself, naming the
    missile's type. Both report one happening (the flash is no statement now), one story; Tokyo's protest the same
    afternoon, a statement, stays its own."""
    nk, jcs = ("North Korea", "GPE"), ("Joint Chiefs of Staff of South Korea", "ORG")
    matcher = EventMatcher()
    flash = report(1, '[속보] 합참 "北, 서해상으로 단거리탄도미사일 발사"', "", T0, [jcs, nk], language="ko")
    matcher.assign(flash, 1)
    wire = report(
        2,
        "North Korea fires short-range ballistic missiles into the Yellow Sea",
        "South Korea's Joint Chiefs of Staff said the missiles flew about 300 km.",
        T0 + timedelta(hours=1),
        [nk, jcs, ("Yellow Sea", "LOC")],
        language="en",
    )
    assert matcher.assign(wire, 2).story_id == 1
    protest = report(
        3,
        "官房長官、北朝鮮の弾道ミサイル発射に「厳重に抗議」",
        "",
        T0 + timedelta(hours=6),
        [("Minoru Kihara", "PERSON"), nk],
        language="ja",
    )
    assert matcher.assign(protest, 3).story_id is None


@pytest.mark.parametrize(
    ("title", "language", "drills"),
    [
        ("Russian and North Korean warships hold joint drills off Wonsan", "en", True),
        ("Флоты России и КНДР начали совместные учения в Японском море", "ru", True),
        ("북러, 원산 앞바다서 연합해상훈련 돌입", "ko", True),
        ("露朝海軍が合同演習　日本海で", "ja", True),
        ('러 우주공사 "北 우주비행사 훈련 지원"', "ko", False),
        ("Российские вузы примут 300 учеников из КНДР", "ru", False),
    ],
)
def test_a_military_exercise_is_its_own_kind(title: str, language: str, drills: bool):
    """A joint exercise is a kind of happening (`drills`); a cosmonaut's training or pupils ("учеников") are not."""
    assert ("drills" in report(1, title, "", T0, [("North Korea", "GPE")], language=language).kinds) is drills


def test_reports_of_one_naval_exercise_in_three_languages_are_one_story():
    """Three outlets report the two navies' exercise within hours, each naming its own fleet or neither. With the
    exercise as a kind of happening and the fleets read as one name, they are one story."""
    stories, _ = _stories(
        [
            ("Корабли Тихоокеанского флота и ВМС КНДР провели совместные учения", "ru"),
            ("러 태평양함대·북한 해군, 동해서 연합해상훈련", "ko"),
            ("Russia's Pacific Fleet and North Korean navy wrap up joint exercise", "en"),
        ]
    )
    assert stories == [1, 1, 1]


def test_a_chambers_vote_named_by_its_members_meets_the_report_naming_the_chamber():
    """One outlet writes that the State Duma ratified the legal-aid treaty with the DPRK, another two hours later that
    "the deputies approved" it. Both name the lower house's step; the chamber taking it is an actor of both
    (`step_actors` in config/events/kinds.yaml), so they share more than the two countries: one story."""
    matcher = EventMatcher()
    named = report(
        1,
        "Госдума ратифицировала договор с КНДР о правовой помощи",
        "",
        T0,
        [("State Duma", "ORG"), ("North Korea", "GPE")],
        language="ru",
    )
    matcher.assign(named, 1)
    members = report(
        2,
        "Депутаты одобрили договор о правовой помощи с Пхеньяном",
        "",
        T0 + timedelta(hours=2),
        [("Pyongyang", "GPE")],
        language="ru",
    )
    assert members.step == "lower_house" and "State Duma" in members.entities
    assert matcher.assign(members, 2).story_id == 1


def test_the_senators_vote_is_not_the_deputies_vote():
    """The Federation Council's approval the next week names its senators; it stays apart from the Duma's vote
    (rule 2, different treaty steps), its chamber another actor."""
    matcher = EventMatcher()
    matcher.assign(report(1, "Госдума ратифицировала договор с КНДР о правовой помощи", "", T0, [], language="ru"), 1)
    senators = report(
        2, "Сенаторы одобрили договор с КНДР о правовой помощи", "", T0 + timedelta(hours=20), [], language="ru"
    )
    assert "Federation Council" in senators.entities
    assert matcher.assign(senators, 2).story_id is None


def test_south_korean_intelligence_named_by_what_it_is_is_the_nis():
    """Ukrainian and German outlets write "South Korea's intelligence" where Yonhap writes 국정원: one body, so the
    reports of its briefing share it and are one story."""
    stories, reps = _stories(
        [
            ('국정원 "北, 러시아에 공병 2천명 추가 파견"', "ko"),
            ("Розвідка Південної Кореї: КНДР направила до Росії ще 2 тисячі саперів", "uk"),
            ("Südkoreas Geheimdienst: Nordkorea schickt 2000 weitere Pioniere nach Russland", "de"),
        ]
    )
    assert all("National Intelligence Service" in rep.entities for rep in reps)
    assert stories == [1, 1, 1]


def test_two_answers_of_one_spokesman_at_one_briefing_stay_two_stories():
    """At one briefing Peskov declines to comment on North Korean troops near Kherson ("военных КНДР": the troops
    kind, config/events/ru.yaml) and, minutes later, says the dates of Putin's trip to Pyongyang are not set. One
    speaker, two matters: two stories (rule 9), not one."""
    peskov, nk, putin = ("Dmitry Peskov", "PERSON"), ("North Korea", "GPE"), ("Vladimir Putin", "PERSON")
    matcher = EventMatcher()
    troops = report(
        1,
        "Песков не стал комментировать данные о военных КНДР под Херсоном",
        "Пресс-секретарь президента переадресовал вопрос Минобороны.",
        T0,
        [peskov, nk],
        language="ru",
    )
    assert "troops" in troops.kinds
    matcher.assign(troops, 1)
    trip = report(
        2,
        "Песков: сроки визита Путина в КНДР пока не согласованы",
        "Приглашение остается в силе, сказал Песков журналистам.",
        T0 + timedelta(minutes=20),
        [peskov, nk, putin],
        language="ru",
    )
    assert matcher.assign(trip, 2).story_id is None
