"""Grouping round 8 (issue 16): what a new writer's reports taught. Headlines in the voice of a statement that the
cue words missed (urges, threatens, denies in its headline form, a congratulatory telegram), a country's denial of
a claim about it, and an envoy handing over a leader's message, which is his visit, not the message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nkru import events
from nkru.stories.grouping import EventMatcher
from nkru.stories.reports import report

T0 = datetime(2027, 8, 3, 9, 0, tzinfo=UTC)
NK = ("North Korea", "GPE")
RUSSIA = ("Russia", "GPE")
PUTIN, KIM = ("Vladimir Putin", "PERSON"), ("Kim Jong Un", "PERSON")


@pytest.mark.parametrize(
    ("title", "language"),
    [
        ("Tokyo urges Moscow to halt arms dealings with Pyongyang", "en"),
        ("Pyongyang threatens 'countermeasures' over new EU listings", "en"),
        ("Corea del Norte amenaza con represalias por las sanciones europeas", "es"),
        ("Korea Utara bantah kirim tentara ke Rusia", "id"),
        ("Chủ tịch Nga gửi điện mừng nhà lãnh đạo Triều Tiên", "vi"),
        ("Пхеньян пригрозил ответными мерами", "ru"),
    ],
)
def test_headlines_urging_threatening_or_denying_are_statements(title: str, language: str):
    """The headline forms a new writer used for words, not deeds, make a statement's headline (`Report.says`)."""
    rep = report(1, title, "", T0, [NK], language=language)
    assert rep.says


def test_a_threat_after_sanctions_is_not_a_report_of_the_sanctions():
    """The EU's sanctions on North Korean generals and, fifteen hours later, Pyongyang threatening measures over
    them share the EU, the country and the kind: the threat is a statement on the happening, its own story."""
    matcher = EventMatcher()
    listing = report(
        1,
        "EU adds three North Korean generals to Russia sanctions list",
        "The European Union said the officers oversaw missile deliveries to Russia.",
        T0,
        [("European Union", "ORG"), NK, RUSSIA],
        language="en",
    )
    matcher.assign(listing, 1)
    threat = report(
        2,
        "Corea del Norte amenaza con medidas tras las sanciones de la UE",
        "Pyongyang calificó la decisión de la Unión Europea de hostil.",
        T0 + timedelta(hours=15),
        [("European Union", "ORG"), NK, ("Pyongyang", "GPE")],
        language="es",
    )
    decision = matcher.assign(threat, 2)
    assert decision.story_id is None
    assert "a statement and the happening it refers to" in decision.reason["note"]


def test_a_countrys_denial_the_next_day_is_the_answer_not_the_claim():
    """Kyiv's intelligence says North Korean gunners reached the border region; eighteen hours later "North
    Korea denies…", naming only the two sides, is the answer to the claim. The country speaking is named by the
    claim too (it is what the claim is about), which does not make it the claim's own voice."""
    matcher = EventMatcher()
    claim = report(
        1,
        "ГУР: до Курської області прибули північнокорейські артилеристи",
        "Про це заявили в розвідці, посилаючись на перехоплення.",
        T0,
        [("Defence Intelligence of Ukraine", "ORG"), NK, RUSSIA],
        language="uk",
    )
    matcher.assign(claim, 1)
    denial = report(
        2,
        "North Korea denies sending artillery troops to Russia",
        "Pyongyang called the reports a fabrication by Kyiv.",
        T0 + timedelta(hours=18),
        [NK, RUSSIA, ("Pyongyang", "GPE")],
        language="en",
    )
    assert denial.answers
    assert matcher.assign(denial, 2).story_id is None


def test_an_envoy_delivering_the_leaders_message_is_his_visit_not_the_message():
    """Putin's telegram to Kim on the war anniversary: a second outlet's report of it joins as the same leaders'
    statement. The next afternoon the minister who hands Kim a verbal message from Putin in Pyongyang (a talks
    and visit report naming him) starts his own story, though it names the same two leaders as a message."""
    matcher = EventMatcher()
    cues = events.load_cues()
    telegram = report(1, "Путин поздравил Ким Чен Ына с годовщиной победы", "", T0, [PUTIN, KIM, RUSSIA], cues)
    matcher.assign(telegram, 1)
    again = report(2, "푸틴, 김정은에 축전…'동맹' 강조", "", T0 + timedelta(hours=2), [PUTIN, KIM], cues, language="ko")
    decision = matcher.assign(again, 2)
    assert (decision.story_id, decision.rule) == (1, "leaders-statement")
    envoy = report(
        3,
        "Козлов передал Ким Чен Ыну устное послание Путина",
        "Встреча прошла в Пхеньяне в ходе визита российской правительственной делегации.",
        T0 + timedelta(hours=15),
        [("Alexander Kozlov", "PERSON"), PUTIN, KIM, ("Pyongyang", "GPE")],
        cues,
        language="ru",
    )
    assert not envoy.says and "talks" in envoy.kinds  # a message handed over: the meeting (kinds.yaml)
    assert matcher.assign(envoy, 3).story_id is None


def test_a_person_new_to_the_story_in_a_headline_the_next_day_is_the_next_meeting():
    """The KCNA report of the foreign ministers' talks names only their offices and, in its text, Choe Son Hui; the
    next morning "Shoigu met the DPRK foreign minister" shares her but leads on a man no report of the talks named:
    his own meeting, a story of its own. A later report of the talks naming only her joins them."""
    matcher = EventMatcher()
    choe = ("Choe Son Hui", "PERSON")
    talks = report(
        1,
        "조선민주주의인민공화국 외무상과 로씨야련방 외무상사이의 회담 진행",
        "최선희 외무상은 모스크바에서 회담을 진행하였다.",
        T0,
        [choe, RUSSIA, NK],
        language="ko",
    )
    matcher.assign(talks, 1)
    shoigu = report(
        2,
        "Шойгу встретился с министром иностранных дел КНДР",
        "Секретарь Совбеза провел переговоры с Чвэ Сон Хи.",
        T0 + timedelta(hours=14),
        [("Sergei Shoigu", "PERSON"), choe, NK],
        language="ru",
    )
    decision = matcher.assign(shoigu, 2)
    assert decision.story_id is None
    assert "a new person in the headline" in decision.reason["note"]
    late = report(
        3,
        "Choe Son Hui holds talks with Russian counterpart in Moscow",
        "The North Korean foreign minister held talks at the Russian foreign ministry.",
        T0 + timedelta(hours=3),
        [choe, RUSSIA, ("Moscow", "GPE")],
        language="en",
    )
    assert matcher.assign(late, 3).story_id == 1


def test_the_ensembles_concert_reported_in_russian_and_korean_is_one_story():
    """The culture week's opening concert, reported by a Russian outlet and by Yonhap: both name the Alexandrov
    Ensemble (config/gazetteer/wider.yaml), which the extract step now reads in either language; one story."""
    from nkru.entities import extract, load_pipeline

    texts = [
        ("Ансамбль Александрова выступил в Пхеньяне на открытии Дней культуры России", "ru"),
        ("러 알렉산드로프 앙상블, 평양서 러시아 문화주간 개막 공연", "ko"),
    ]
    found = extract(load_pipeline(), [t for t, _ in texts], languages=[lang for _, lang in texts])
    matcher = EventMatcher()
    decisions = []
    for key, ((title, lang), mentions) in enumerate(zip(texts, found, strict=True), start=1):
        rep = report(
            key, title, "", T0 + timedelta(hours=3 * key), [(m.name, m.label) for m in mentions], language=lang
        )
        assert "Alexandrov Ensemble" in rep.entities
        decisions.append(matcher.assign(rep, key))
    assert decisions[1].story_id == 1
    assert "Alexandrov Ensemble" in decisions[1].reason["shared_entities"]


@pytest.mark.parametrize(
    ("title", "language", "step"),
    [
        ("Russian lawmakers back trade treaty with Pyongyang in final reading", "en", "lower_house"),
        ("Сенаторы поддержали договор с КНДР о правовой помощи", "ru", "upper_house"),
        ("Putin signs off on North Korea legal assistance treaty", "en", "law_signed"),
    ],
)
def test_a_treaty_step_backed_or_signed_off_is_that_step(title: str, language: str, step: str):
    """A chamber that "backs" a treaty, or the President who "signs off on" it, names the step it takes, so the
    vote and the signature stay apart (rule 2) and each outlet's report of one step can meet the others."""
    assert report(1, title, "", T0, [NK], language=language).step == step


def test_the_state_departments_condemnation_in_japanese_and_ukrainian_is_one_story():
    """Yonhap's 미 국무부, NHK's 米国務省 and Ukrinform's Держдеп are one speaker (config/gazetteer/wider.yaml): the
    three reports of its condemnation, an hour or two apart, are one story, not three statements sharing places."""
    from nkru.entities import extract, load_pipeline

    texts = [
        ('미 국무부 "北 대러 포탄 이전, 책임 물을 것"', "ko"),
        ("米国務省、北朝鮮からロシアへの砲弾移転を非難", "ja"),
        ("Держдеп США засудив постачання Пхеньяном снарядів до Росії", "uk"),
    ]
    found = extract(load_pipeline(), [t for t, _ in texts], languages=[lang for _, lang in texts])
    matcher = EventMatcher()
    stories = []
    for key, ((title, lang), mentions) in enumerate(zip(texts, found, strict=True), start=1):
        rep = report(key, title, "", T0 + timedelta(hours=key), [(m.name, m.label) for m in mentions], language=lang)
        assert "United States Department of State" in rep.entities
        decision = matcher.assign(rep, key)
        stories.append(decision.story_id if decision.story_id is not None else key)
    assert stories == [1, 1, 1]
