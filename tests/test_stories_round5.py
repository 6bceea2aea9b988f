"""Grouping round 5 (issue 16): what an independent hand's cross-language set showed us. A Yonhap or Xinhua line
dated by the day KCNA reported it, an announcement repeated as "state media says", two ministries' answers to one
sanctions package, and the governor who sent off a train and arrived in Rason the next morning.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from nkru import events
from nkru.stories import apart, names, rule
from nkru.stories.grouping import EventMatcher
from nkru.stories.reports import report

T0 = datetime(2026, 12, 9, 2, 0, tzinfo=UTC)


def _date(title: str, summary: str, when: datetime) -> date | None:
    return events.features(title, summary, when).event_date


def test_a_wire_line_dated_by_the_agencys_report_gives_the_day_before():
    """'KCNA reported on the 11th that Kim received him the day before' is the 10th; the Chinese 'according to
    KCNA's report of the 18th, ... on the 17th' is the 17th; a 'day before' in the next sentence is another
    happening recalled, not this one's day."""
    evening = datetime(2026, 12, 10, 21, 44, tzinfo=UTC)
    assert _date(
        "김정은, 러 국방장관 접견", "조선중앙통신은 11일 김정은 위원장이 전날 국방장관을 접견했다고 보도했다.", evening
    ) == date(2026, 12, 10)
    night = datetime(2026, 12, 18, 1, 20, tzinfo=UTC)
    assert _date("朝鲜内阁总理会见代表团", "据朝中社18日报道，朝鲜内阁总理17日在平壤会见了代表团。", night) == date(
        2026, 12, 17
    )
    assert _date("朝鲜内阁总理会见代表团", "据朝中社18日报道，朝鲜内阁总理在平壤会见了代表团。", night) == date(
        2026, 12, 18
    )
    noon = datetime(2026, 12, 23, 11, 55, tzinfo=UTC)
    text = "연방평의회는 23일 본회의에서 법안을 승인했다. 하원이 전날 비준안을 처리한 데 이어 하루 만이다."
    assert _date("러 상원도 협정 승인", text, noon) == date(2026, 12, 23)


def test_an_announcement_repeated_as_what_state_media_said_joins_it_hours_later():
    """Rule 5 leaves announcements alone: 'X to visit soon, state media says' eight hours after KCNA's own line
    is the same announcement, not a reaction to it."""
    matcher = EventMatcher()
    who = [("Andrei Belousov", "PERSON"), ("North Korea", "GPE")]
    kcna = report(1, "Russian defence minister Belousov to visit DPRK", "", T0, who, language="en")
    matcher.assign(kcna, 1)
    later = report(
        2,
        "Russian defence chief Belousov to visit North Korea soon, state media says",
        "",
        T0 + timedelta(hours=8),
        who,
    )
    assert later.says and later.exclusive
    assert matcher.decide(later).story_id == 1
    korean = report(3, "러 국방장관 곧 방북", "", T0 + timedelta(hours=1), who, language="ko")
    assert korean.exclusive  # "곧 방북" (to visit the North soon) is an announcement too


def test_two_ministries_answering_one_sanctions_package_stay_two_stories_without_shared_names():
    """The kind-and-time fallback compares speakers when both were read as names: Moscow's foreign ministry and
    Pyongyang's, both on Japan's sanctions the same day, are two statements."""
    matcher = EventMatcher()
    moscow = report(
        1,
        '러 외무부 "日 제재에 대응할 것"',
        "",
        T0,
        [("Ministry of Foreign Affairs of Russia", "ORG")],
        language="ko",
    )
    assert moscow.speaker == "Ministry of Foreign Affairs of Russia" and moscow.speaker_sure
    matcher.assign(moscow, 1)
    pyongyang = report(
        2,
        "Spokesman for DPRK Foreign Ministry slams Japan's sanctions",
        "",
        T0 + timedelta(hours=6),
        [("Ministry of Foreign Affairs of the DPRK", "ORG"), ("Japan", "GPE")],
        language="en",
    )
    assert not rule.same_kind_and_time(pyongyang, matcher.stories[1], matcher.cues.rules)
    assert matcher.decide(pyongyang).story_id is None


def test_the_governors_arrival_the_morning_after_his_train_is_the_next_happening():
    """Rule 11: fifteen hours after the train's send-off, a report leading on the governor's arrival in Rason is
    not another report of the train, though its summary recalls the train's arrival."""
    matcher = EventMatcher()
    places = [("Oleg Kozhemyako", "PERSON"), ("Vladivostok", "GPE"), ("Rason", "GPE")]
    train = report(
        1,
        "Russia launches weekly container train to North Korea's Rajin port",
        "Governor Oleg Kozhemyako saw off the first train in Vladivostok.",
        T0,
        places,
    )
    matcher.assign(train, 1)
    arrival = report(
        2,
        "Делегация Приморья во главе с губернатором прибыла в Расон",
        "Кожемяко осмотрит причал в порту Раджин, куда вечером прибыл первый контейнерный поезд из Владивостока.",
        T0 + timedelta(hours=15),
        places,
        language="ru",
    )
    decision = matcher.decide(arrival)
    assert decision.story_id is None
    assert "the headline leads on a kind the story never had" in decision.reason["note"]


def test_a_statement_story_and_a_happening_story_hours_apart_are_never_merged():
    """Merging two stories follows rule 5 too: Seoul's defence ministry in the morning and Kim's reception of the
    minister in the afternoon stay two stories even when a later report scores well against both."""
    matcher = EventMatcher()
    seoul = report(
        1,
        'Seoul defence ministry: "closely watching" Belousov\'s plan with Pyongyang',
        "",
        T0,
        [("Andrei Belousov", "PERSON"), ("Ministry of National Defense of South Korea", "ORG")],
    )
    kim = report(
        2,
        "Kim Jong Un receives Belousov in Pyongyang",
        "",
        T0 + timedelta(hours=8),
        [("Andrei Belousov", "PERSON"), ("Kim Jong Un", "PERSON")],
    )
    matcher.assign(seoul, 1)
    matcher.assign(kim, 2)
    assert rule.stories_differ(matcher.stories[1], matcher.stories[2])


def test_a_spokeswoman_and_her_ministry_speak_with_one_voice():
    """Zakharova's words and Yonhap's '러 외무부 "…"' on the same briefing are not two speakers (rule 10): the
    office she holds speaks for the ministry (gazetteer/offices.yaml). Another ministry still is another voice."""
    assert names.one_voice("Maria Zakharova", "Ministry of Foreign Affairs of Russia")
    assert not names.one_voice("Maria Zakharova", "Ministry of Foreign Affairs of the DPRK")
    matcher = EventMatcher()
    who = [("Maria Zakharova", "PERSON"), ("Japan", "GPE")]
    zakharova = report(1, "Zakharova: Moscow will answer Japan's new sanctions", "", T0, who)
    matcher.assign(zakharova, 1)
    ministry = report(
        2,
        '러 외무부 "日 제재에 대응할 것"',
        "",
        T0 + timedelta(hours=3),
        [("Ministry of Foreign Affairs of Russia", "ORG"), ("Japan", "GPE")],
        language="ko",
    )
    assert apart.different_speakers(ministry, matcher.stories[1]) is None
