"""Grouping round 6 (issue 16): what the fourth and fifth independent sets showed us. A parliamentary visit whose
reports all name the Duma is no Duma vote; a Korean headline giving a day still to come announces the talks; the
day KCNA reported is not the happening's own; two statements that share only the countries they are about are two
voices; and titles, abbreviations and local names outlets use instead of the canonical name.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from nkru import events
from nkru.entities import extract, load_pipeline
from nkru.stories import rule
from nkru.stories.grouping import EventMatcher
from nkru.stories.reports import report

GAZETTEER = Path(__file__).resolve().parents[1] / "config" / "gazetteer.yaml"
T0 = datetime(2027, 2, 9, 11, 48, tzinfo=UTC)
VOLODIN = [("Vyacheslav Volodin", "PERSON"), ("Choe Ryong Hae", "PERSON"), ("State Duma", "ORG")]


def test_naming_the_duma_in_a_visit_report_is_no_duma_vote():
    """The speaker's body named in a visit report ("спикера Госдумы", "Постоянного комитета") cues neither the
    Duma's step nor ratification; the Duma's own act ("ратифицировала", "одобрила") still does."""
    visit = events.features(
        "Володин прилетел в КНДР",
        "У трапа спикера Госдумы встречал председатель Постоянного комитета ВНС Чвэ Рён Хэ.",
        T0,
    )
    assert visit.step is None
    assert "ratification" not in visit.kinds and "lower_house" not in visit.kinds
    vote = events.features("Госдума одобрила безвизовые поездки в КНДР", "", T0)
    assert vote.step == "lower_house" and "ratification" in vote.kinds


def test_a_visit_report_naming_the_duma_joins_the_visit_not_a_vote():
    """Two reports of Volodin's arrival, one naming 'the Duma speaker', land in one story; a report of the Duma's
    vote on a treaty the same day does not join it (it shares the Duma, but the visit's reports cued no vote)."""
    matcher = EventMatcher()
    arrival = report(1, "Volodin arrives in Pyongyang", "Choe Ryong Hae met him.", T0, VOLODIN, language="en")
    matcher.assign(arrival, 1)
    russian = report(
        2,
        "Володин прилетел в КНДР",
        "У трапа спикера Госдумы встречал Чвэ Рён Хэ.",
        T0 + timedelta(hours=1),
        VOLODIN,
        language="ru",
    )
    assert matcher.assign(russian, 2).story_id == 1
    vote = report(
        3,
        "Госдума ратифицировала соглашение с КНДР",
        "За закон проголосовали 402 депутата.",
        T0 + timedelta(hours=2),
        [("State Duma", "ORG"), ("North Korea", "GPE")],
        language="ru",
    )
    decision = matcher.decide(vote)
    assert decision.story_id is None and "different kinds" in decision.reason["note"]


def test_a_day_still_to_come_in_the_headline_announces_the_happening():
    """'최선희, 19일 모스크바서 라브로프와 회담' published on the 15th has no future verb, but its day is four days
    ahead: it is the announcement, grouped with the Russian ministry's announcement, and its event date is the 19th."""
    published = datetime(2027, 1, 15, 15, 40, tzinfo=UTC)
    who = [("Choe Son Hui", "PERSON"), ("Sergei Lavrov", "PERSON")]
    korean = report(2, "최선희 北외무상, 19일 모스크바서 라브로프와 회담", "", published, who, language="ko")
    assert korean.exclusive == frozenset({"announcement"})
    assert korean.event_date == date(2027, 1, 19)
    matcher = EventMatcher()
    russian = report(
        1,
        "Глава МИД КНДР посетит Россию",
        "Переговоры Чхве Сон Хи и Сергея Лаврова запланированы на 19 января.",
        published - timedelta(minutes=35),
        who,
        language="ru",
    )
    matcher.assign(russian, 1)
    decision = matcher.decide(korean)
    assert decision.story_id == 1 and decision.reason["event_date"] == "2027-01-19"
    # A treaty's date to come is when it takes effect, not an announcement.
    treaty = events.features("Госдума ратифицировала соглашение", "Оно вступит в силу 1 февраля.", published)
    assert "announcement" not in treaty.kinds


def test_the_day_kcna_reported_is_not_the_happenings_exact_day():
    """'조선중앙통신은 17일 … 논의했다고 보도했다' is the agency's day; the meeting was on the 16th, as KCNA's own
    English line says: the two reports land in one story."""
    evening = datetime(2027, 2, 16, 21, 40, tzinfo=UTC)
    who = [("Pak Thae Song", "PERSON"), ("Oleg Kozhemyako", "PERSON"), ("Primorsky Krai", "GPE")]
    matcher = EventMatcher()
    kcna = report(
        1,
        "Premier Pak Thae Song Meets Delegation of Primorsky Territory of Russia",
        "Pak Thae Song met the delegation headed by O. N. Kozhemyako at the Mansudae Assembly Hall on Feb. 16.",
        evening,
        who,
        language="en",
    )
    matcher.assign(kcna, 1)
    yonhap = report(
        2,
        "北 박태성 총리, 러 연해주 대표단 접견",
        "조선중앙통신은 17일 박 총리가 오렉 코제먀코 연해주 주지사 일행과 논의했다고 보도했다.",
        evening + timedelta(hours=3),
        who,
        language="ko",
    )
    assert yonhap.event_date == date(2027, 2, 17) and not yonhap.date_exact
    assert matcher.decide(yonhap).story_id == 1


def test_two_statements_sharing_only_the_countries_are_two_voices():
    """Rule 12: the US–Japan–ROK statement on Russia's space help and the North Korean space agency's rejection of
    it share Japan, South Korea and the United States, no person or body: two stories, and the reason says why."""
    matcher = EventMatcher()
    allies = [("United States", "GPE"), ("Japan", "GPE"), ("South Korea", "GPE"), ("Russia", "GPE")]
    joint = report(
        1,
        "US, Japan, South Korea warn Russia over space help to North Korea",
        "The three governments said any transfer would violate U.N. resolutions, the State Department said.",
        T0,
        [*allies, ("United States Department of State", "ORG")],
    )
    matcher.assign(joint, 1)
    nata = report(
        2,
        "Spokesperson for NATA Slams U.S.-Japan-ROK Joint Statement",
        "The spokesperson said the DPRK's cooperation with Russia is a legitimate right.",
        T0 + timedelta(hours=21),
        [*allies, ("National Aerospace Technology Administration", "ORG")],
    )
    verdict = rule.score(nata, matcher.stories[1], matcher.cues.rules)
    assert verdict.veto == "statements sharing only places"
    decision = matcher.decide(nata)
    assert decision.story_id is None


def test_another_voice_in_another_language_does_not_join_on_kind_and_time():
    """The kind-and-time fallback keeps rule 12: Pyongyang's foreign ministry on Japan's sanctions, in English, does
    not join the story of Zakharova's answer to them that morning, in Russian, though both are sanctions statements
    the same day."""
    morning = datetime(2027, 1, 13, 10, 35, tzinfo=UTC)
    matcher = EventMatcher()
    zakharova = report(
        1,
        "Захарова пообещала ответ на новые санкции Японии",
        "",
        morning,
        [("Maria Zakharova", "PERSON"), ("Japan", "GPE")],
        language="ru",
    )
    assert zakharova.says  # "пообещала" (promised) is words, not a happening
    matcher.assign(zakharova, 1)
    dprk = report(
        2,
        "Spokesman for DPRK Foreign Ministry Slams Japan's Sanctions Racket",
        "",
        morning + timedelta(hours=10),
        [("Ministry of Foreign Affairs of the DPRK", "ORG"), ("Japan", "GPE")],
        language="en",
    )
    assert not rule.same_kind_and_time(dprk, matcher.stories[1], matcher.cues.rules)
    assert matcher.decide(dprk).story_id is None


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(GAZETTEER)


@pytest.mark.parametrize(
    ("language", "text", "name"),
    [
        ("en", "Russian parliament chief to head to Pyongyang", "Vyacheslav Volodin"),
        ("en", "The delegation led by V. V. Volodin arrived in Pyongyang", "Vyacheslav Volodin"),
        ("en", "Russian defence chief to visit North Korea soon", "Andrei Belousov"),
        ("ru", "ГД одобрила безвизовый обмен туристическими группами", "State Duma"),
        ("ko", "러 하원, 북한과 단체관광 무비자 협정 비준", "State Duma"),
        ("ru", "У трапа встречал председатель Постоянного комитета ВНС", "Supreme People's Assembly"),
        ("ru", "Передача технологий нарушит резолюции СБ ООН", "UN Security Council"),
        ("ko", "만경봉호, 블라디보스토크-라진 정기 운항 재개", "Mangyongbong"),
        ("ru", "«Манбёнбон» снова вышел из Владивостока в Раджин", "Mangyongbong"),
        ("ru", "Дегтярев встретился с министром спорта КНДР Ким Ир Гуком", "Kim Il Guk"),
        ("ko", "北 김일국 체육상, 러 체육장관과 회담", "Mikhail Degtyarev"),
        ("ja", "ムラシコ保健相が平壌で覚書に署名した", "Mikhail Murashko"),
        ("ko", '北 우주기술총국 "한미일 성명은 주권 침해"', "National Aerospace Technology Administration"),
        ("zh", "俄罗斯小麦专列驶入朝鲜图们江站", "Tumangang"),
    ],
)
def test_titles_abbreviations_and_local_names_are_the_canonical_name(nlp, language, text, name):
    """What one outlet writes as a title ("Russian parliament chief"), an abbreviation (ГД, ВНС, СБ ООН) or a
    local name (만경봉호) is the name another outlet gives: grouping sees one actor."""
    found = extract(nlp, [text], languages=[language])[0]
    assert name in {m.name for m in found}


def test_a_report_sharing_only_places_with_a_story_does_not_merge_it_into_another():
    """Merging two stories needs a person, a body or a figure shared with each: the ferry's sailing to Rajin, which
    shares Rason and 'transport' with the governor's container-line deal of the day before, joins the ferry's story
    and leaves the governor's alone."""
    day = datetime(2027, 2, 18, 2, 0, tzinfo=UTC)
    matcher = EventMatcher()
    deal = report(
        1,
        "연해주 주지사 나선 방문…라진항 컨테이너 항로 합의",
        "",
        day,
        [("Primorsky Krai", "GPE"), ("Rason", "GPE")],
        language="ko",
    )
    matcher.assign(deal, 1)
    ferry = report(
        2,
        "만경봉호, 승객 190명 싣고 블라디보스토크 출항",
        "정기 운항 재개 첫 항차로 라진항으로 향했다.",
        day + timedelta(hours=1, minutes=30),
        [("Mangyongbong", "PRODUCT"), ("Vladivostok", "GPE"), ("Rason", "GPE")],
        language="ko",
    )
    assert matcher.assign(ferry, 2).story_id is None  # the headlines name different places
    korean = report(
        3,
        "만경봉호, 블라디보스토크-라진 정기 운항 재개",
        "만경봉호는 승객 190여 명과 화물을 싣고 블라디보스토크항을 출발했다.",
        day + timedelta(hours=7, minutes=40),
        [("Mangyongbong", "PRODUCT"), ("Vladivostok", "GPE"), ("Rason", "GPE")],
        language="ko",
    )
    decision = matcher.assign(korean, 3)
    assert decision.story_id == 2 and not decision.merge
    assert matcher.resolve(1) == 1 and matcher.resolve(2) == 2


def test_a_capital_opening_a_statement_headline_is_its_speaker():
    """'Kyiv says …' is Ukraine speaking: it does not join the story of Seoul's defence ministry on the same plan,
    though both name Belousov; 'Seoul calls …' is South Korea's foreign ministry speaking, and joins its story."""
    morning = datetime(2026, 12, 10, 2, 8, tzinfo=UTC)
    matcher = EventMatcher()
    seoul = report(
        1,
        '국방부 "북러 군사협력 면밀히 주시…안보리 결의 위반 안 돼"',
        "",
        morning,
        [("Ministry of National Defense of South Korea", "ORG"), ("Andrei Belousov", "PERSON")],
        language="ko",
    )
    matcher.assign(seoul, 1)
    kyiv = report(
        2,
        "Kyiv says Moscow-Pyongyang military plan makes North Korea a 'direct party' to the war",
        "The plan was signed by Russian Defense Minister Andrei Belousov in Pyongyang.",
        morning + timedelta(hours=4),
        [("Kyiv", "GPE"), ("Andrei Belousov", "PERSON"), ("Pyongyang", "GPE")],
    )
    assert (kyiv.speaker, kyiv.speaker_sure) == ("Kyiv", True)
    decision = matcher.decide(kyiv)
    assert decision.story_id is None and "statements by different speakers" in decision.reason["note"]

    ministry = EventMatcher()
    deal = report(
        1,
        '외교부 "북러 노동자 협정, 안보리 결의 위반…깊은 우려"',
        "",
        morning,
        [("Ministry of Foreign Affairs of South Korea", "ORG"), ("UN Security Council", "ORG")],
        language="ko",
    )
    ministry.assign(deal, 1)
    calls = report(
        2,
        "Seoul calls Russia-North Korea worker deal a breach of UN sanctions",
        "",
        morning + timedelta(hours=3),
        [("Seoul", "GPE"), ("United Nations", "ORG")],
        language="en",
    )
    assert calls.speaker == "Seoul"
    assert ministry.decide(calls).story_id == 1
