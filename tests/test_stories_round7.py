"""Grouping round 7 (issue 16): different happenings that share their actors within 48 hours. The talks the morning
after the arrival, the answer to a claim, a report joining a story of the same kind hours later on kind alone, one
minister's two meetings, one delegation's two stops — and headlines that attribute a happening to unnamed sources.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nkru import events
from nkru.entities import extract, load_pipeline
from nkru.stories.grouping import EventMatcher
from nkru.stories.reports import report

T0 = datetime(2027, 2, 9, 11, 48, tzinfo=UTC)
VOLODIN = [("Vyacheslav Volodin", "PERSON"), ("Choe Ryong Hae", "PERSON"), ("State Duma", "ORG")]
LAVROV = ("Sergei Lavrov", "PERSON")


def test_the_agreement_signed_the_morning_after_the_arrival_is_the_next_step():
    """Volodin's arrival (its summary saying he will hold talks) and KCNA's arrival report ten hours later are one
    story; the agreement signed at the talks the next morning, with no date in any report, starts its own story."""
    matcher = EventMatcher()
    arrival = report(
        1,
        "Володин прилетел в КНДР",
        "У трапа его встречал Чвэ Рён Хэ; переговоры пройдут в Доме собраний Мансудэ.",
        T0,
        VOLODIN,
        language="ru",
    )
    matcher.assign(arrival, 1)
    kcna = report(
        2,
        "Parliamentary Delegation of Russian Federation Arrives",
        "The delegation led by Volodin was greeted at the airport by Choe Ryong Hae.",
        T0 + timedelta(hours=10),
        VOLODIN,
        language="en",
    )
    assert matcher.assign(kcna, 2).story_id == 1
    agreement = report(
        3,
        "Госдума и Верховное народное собрание КНДР создали межпарламентскую комиссию",
        "Соглашение подписали Вячеслав Володин и Чвэ Рён Хэ по итогам переговоров.",
        T0 + timedelta(hours=21, minutes=40),
        [*VOLODIN, ("Supreme People's Assembly", "ORG")],
        language="ru",
    )
    decision = matcher.assign(agreement, 3)
    assert decision.story_id is None
    assert "the next step" in decision.reason["note"]


def test_the_answer_to_a_claim_is_its_own_event():
    """The State Department's warning over the Rosatom deal and, seven hours later, Pyongyang's rejection of the
    US criticism share the deal, the countries and Rosatom, but are a claim and the answer to it."""
    matcher = EventMatcher()
    claim = report(
        1,
        '美국무부 "러 원자력공사-北 원전 협력은 안보리 결의 위반"',
        "미 국무부 대변인은 로사톰과 북한의 소형 원전 양해각서에 대해 이같이 밝혔다.",
        T0,
        [("United States Department of State", "ORG"), ("Rosatom", "ORG"), ("North Korea", "GPE")],
        language="ko",
    )
    matcher.assign(claim, 1)
    answer = report(
        2,
        "В КНДР отвергли критику США в связи с меморандумом с «Росатомом»",
        "Представитель министерства назвал заявления Вашингтона «вмешательством во внутренние дела».",
        T0 + timedelta(hours=7),
        [("North Korea", "GPE"), ("Rosatom", "ORG"), ("United States", "GPE")],
        language="ru",
    )
    assert answer.answers and not claim.answers
    decision = matcher.assign(answer, 2)
    assert decision.story_id is None
    assert "a claim and the answer to it" in decision.reason["note"]


def test_a_statement_by_the_same_named_speaker_is_no_answer_to_its_own_story():
    """Kim Yo Jong's statement, one outlet writing that she 'pushed back' (反発) hours after the others, stays one
    story: her name is the story's, so it is the same voice, not an answer to it."""
    matcher = EventMatcher()
    who = [("Kim Yo Jong", "PERSON"), ("National Intelligence Service", "ORG")]
    first = report(1, '김여정 "국정원 파병설은 날조"…담화 발표', "", T0, who, language="ko")
    matcher.assign(first, 1)
    later = report(2, "金与正氏、韓国の「追加派兵」報告に反発", "", T0 + timedelta(hours=7), who, language="ja")
    assert later.answers
    assert matcher.assign(later, 2).story_id == 1


def test_kind_and_time_alone_hours_later_needs_the_story_s_own_main_kind():
    """A report whose names the extract step did not share with the story joins on kind and time within hours
    (an Italian one-liner on the EU sanctions); a hacking report the next morning cueing arms, like the sanctions
    over munitions, does not join the sanctions story."""
    matcher = EventMatcher()
    sanctions = report(
        1,
        "EU sanctions North Korean officials, Russian shippers over munitions transfers",
        "The listings target companies whose vessels carried shells from Rajin, according to the Official Journal.",
        T0,
        [("European Union", "ORG"), ("Official Journal", "ORG"), ("Rason", "GPE")],
        language="en",
    )
    matcher.assign(sanctions, 1)
    italian = report(
        2,
        "Ue, nuove sanzioni a Pyongyang e ad armatori russi",
        "",
        T0 + timedelta(hours=2),
        [("Pyongyang", "GPE")],
        language="it",
    )
    joined = matcher.assign(italian, 2)
    assert (joined.story_id, joined.rule) == (1, "same-kind-and-time")
    hacking = report(
        3,
        "Северокорейские хакеры атаковали российский оборонный сектор",
        "Фишинговые рассылки группировки Kimsuky по предприятиям ракетно-космической отрасли.",
        T0 + timedelta(hours=18),
        [("Kaspersky", "ORG"), ("Kimsuky", "ORG")],
        language="ru",
    )
    decision = matcher.assign(hacking, 3)
    assert (decision.story_id, decision.rule) == (None, "new")


def test_one_minister_s_two_meetings_are_two_events():
    """Lavrov's talks with Choe Son Hui and, the same afternoon, Kim Jong Un receiving him: both talks, both name
    Lavrov, but each headline names someone the other never does."""
    matcher = EventMatcher()
    talks = report(
        1,
        "Lavrov meets Choe Son Hui in Pyongyang",
        "The two foreign ministers discussed the partnership treaty.",
        T0,
        [LAVROV, ("Choe Son Hui", "PERSON"), ("Pyongyang", "GPE")],
        language="en",
    )
    matcher.assign(talks, 1)
    reception = report(
        2,
        "Kim Jong Un receives Lavrov",
        "The leader thanked Russia for its support.",
        T0 + timedelta(hours=4),
        [("Kim Jong Un", "PERSON"), LAVROV],
        language="en",
    )
    decision = matcher.assign(reception, 2)
    assert decision.story_id is None
    assert "different counterparts" in decision.reason["note"]


def test_one_delegation_s_two_stops_are_two_events():
    """Shoigu's arrival in Pyongyang and his tour of Wonsan the next day: the same person and kind, but the
    headlines name different places (Pyongyang counts here, though a background name)."""
    matcher = EventMatcher()
    arrival = report(
        1,
        "Shoigu arrives in Pyongyang",
        "Russia's Security Council secretary was met at the airport.",
        T0,
        [("Sergei Shoigu", "PERSON"), ("Pyongyang", "GPE")],
        language="en",
    )
    matcher.assign(arrival, 1)
    same_day = report(
        2,
        "Шойгу прилетел в Пхеньян",
        "Секретаря Совбеза встретили в аэропорту.",
        T0 + timedelta(hours=3),
        [("Sergei Shoigu", "PERSON"), ("Pyongyang", "GPE")],
        language="ru",
    )
    assert matcher.assign(same_day, 2).story_id == 1
    stop = report(
        3,
        "Shoigu visits Wonsan",
        "He toured the resort with officials.",
        T0 + timedelta(hours=20),
        [("Sergei Shoigu", "PERSON"), ("Wonsan", "GPE")],
        language="en",
    )
    decision = matcher.assign(stop, 3)
    assert decision.story_id is None
    assert "different places in the headlines, hours apart" in decision.reason["note"]


def test_a_happening_attributed_to_unnamed_sources_is_no_statement():
    """'…, sources say' and '— источники' report the happening; a named speaker still makes a statement."""
    published = T0
    sources = events.features("North Korea resumes shell shipments to Russia, sources say", "", published)
    assert "statement" not in sources.headline_kinds and "arms" in sources.headline_kinds
    russian = events.features("КНДР отправила в Россию новые снаряды — источники", "", published)
    assert "statement" not in russian.headline_kinds
    named = events.features("Zakharova says Lavrov will visit Pyongyang", "", published)
    assert "statement" in named.headline_kinds


def test_a_sources_say_report_hours_later_joins_the_happening():
    """Rajin port imagery reported as a happening and, eight hours later, '…, sources say' about the same
    shipments: one story (a statement headline would have been kept apart as a reaction)."""
    matcher = EventMatcher()
    who = [("Rason", "GPE"), ("Russia", "GPE")]
    first = report(
        1, "Record container stacks at Rajin port point to shell shipments to Russia", "", T0, who, language="en"
    )
    matcher.assign(first, 1)
    later = report(
        2,
        "North Korea resumes shell shipments to Russia through Rajin, sources say",
        "",
        T0 + timedelta(hours=8),
        who,
        language="en",
    )
    assert not later.says
    assert matcher.assign(later, 2).story_id == 1


def test_a_day_of_the_month_alone_and_tomorrow_in_a_headline_date_the_happening_to_come():
    """'on the 17th' and '17-го числа' give the day; 'あす' (tomorrow) in a headline announces the talks; 'talks
    are due tomorrow' in an arrival's summary is not the arrival's own date."""
    published = datetime(2027, 4, 15, 9, 0, tzinfo=UTC)
    english = events.features("Lavrov to hold talks with Choe Son Hui on the 17th", "", published, language="en")
    russian = events.features("Лавров проведет переговоры с Чвэ Сон Хи 17-го числа", "", published, language="ru")
    assert english.event_date == russian.event_date == datetime(2027, 4, 17).date()
    japanese = events.features("ラブロフ外相、あす崔善姫外相と会談", "", published, language="ja")
    assert "announcement" in japanese.headline_kinds and japanese.event_date == datetime(2027, 4, 16).date()
    arrival = events.features("Lavrov arrives in Pyongyang", "Talks with Choe are due tomorrow.", published)
    assert "announcement" not in arrival.kinds and arrival.event_date is None


def test_tomorrow_s_talks_announced_in_a_headline_stay_apart_from_today_s_arrival():
    """Yonhap's 'Lavrov, talks with Choe tomorrow' and NHK's arrival report of the same afternoon are the
    announcement and the arrival: two stories."""
    published = datetime(2027, 4, 15, 9, 0, tzinfo=UTC)
    who = [LAVROV, ("Choe Son Hui", "PERSON")]
    matcher = EventMatcher()
    arrival = report(1, "Lavrov arrives in Pyongyang", "Choe Son Hui met him.", published, who, language="en")
    matcher.assign(arrival, 1)
    announced = report(2, "라브로프, 내일 최선희와 회담", "", published + timedelta(hours=1), who, language="ko")
    decision = matcher.assign(announced, 2)
    assert decision.story_id is None and "announcement vs happening" in decision.reason["note"]


def test_a_range_of_days_gives_its_first_day_and_tomorrow_in_seoul_is_still_to_come():
    """'6–7 апреля', '6∼7일' and '6日から' all date Lavrov's visit the 6th; Yonhap's headline published at 18:30 in
    Seoul on the 5th announces it (the 6th is tomorrow there), as the Russian and Japanese reports do."""
    published = datetime(2027, 4, 5, 9, 30, tzinfo=UTC)
    day = datetime(2027, 4, 6).date()
    russian = events.features("Лавров посетит КНДР 6–7 апреля, сообщила Захарова", "", published, language="ru")
    korean = events.features('러 외무부 "라브로프 장관, 6∼7일 북한 공식 방문"', "", published, language="ko")
    japanese = events.features("ロシア外相、6日から訪朝へ　報道官発表", "", published, language="ja")
    assert russian.event_date == korean.event_date == japanese.event_date == day
    assert "announcement" in korean.headline_kinds
    late = events.features("라브로프 장관, 6∼7일 북한 공식 방문", "", published.replace(hour=23), language="ko")
    assert "announcement" not in late.kinds  # 08:00 on the 6th in Seoul: the visit's own day


def test_the_dprk_s_own_spellings_are_the_same_people():
    """KCNA's Korean copy writes '라브로브' and '뿌찐': the extract step reads them as Lavrov and Putin, and an
    English 'Rosatom State Corporation' as Rosatom."""
    nlp = load_pipeline()
    kcna, english = extract(
        nlp,
        [
            "경애하는 김정은동지께서 로씨야련방 외무상 쎄.웨.라브로브동지를 접견하시였다",
            "Rosatom State Corporation signs memorandum",
        ],
        languages=["ko", "en"],
    )
    assert "Sergei Lavrov" in {m.name for m in kcna}
    assert "Rosatom" in {m.name for m in english}


def test_a_japanese_happening_headline_quoting_someone_after_a_comma_is_no_statement():
    """'金正恩氏、ロシア国防相と会談　クルスクでの「戦果」たたえる' reports the meeting and quotes Kim: the Japanese
    comma before the quotation makes it a happening's headline, as a comma does in Korean; '北朝鮮外務省「…」' stays
    a statement."""
    happening = events.features("金正恩氏、ロシア国防相と会談　クルスクでの「戦果」たたえる", "", T0, language="ja")
    assert "statement" not in happening.headline_kinds and "talks" in happening.headline_kinds
    statement = events.features("北朝鮮外務省「ウクライナの主張は捏造」", "", T0, language="ja")
    assert "statement" in statement.headline_kinds
