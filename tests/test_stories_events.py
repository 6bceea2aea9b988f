"""One story per event, in any language (issue 16): what lands in the database, what is alerted, what is shown."""

from __future__ import annotations

from datetime import timedelta

from nkru import mail
from nkru.stories.coverage import coverage
from nkru.stories.grouping import CANDIDATES_PER_KEY, EventMatcher
from nkru.stories.index import StoryIndex
from nkru.stories.reports import report
from tests.alert_data import NOW, NewsDB, rule, settings

T0 = NOW - timedelta(hours=6)

VISIT_EN = (
    "Russian spy chief Naryshkin arrives in Pyongyang for talks on security cooperation",
    "Sergei Naryshkin, director of Russia's Foreign Intelligence Service, arrived in Pyongyang and held talks with "
    "Minister of State Security Ri Chang Dae, KCNA said.",
)
VISIT_RU = (
    "Нарышкин прибыл в Пхеньян и провел переговоры с министром госбезопасности КНДР",
    "Директор СВР Сергей Нарышкин обсудил с Ли Чхан Дэ противодействие разведкам третьих стран.",
)
VISIT_KO_EN = (
    "나리시킨 러 대외정보국장 방북…리창대 국가보위상과 회담",
    "Naryshkin met Ri Chang Dae in Pyongyang, the North's state media said.",  # summary in another language
)
ANNOUNCEMENT = (
    "Naryshkin says he will visit Pyongyang shortly",
    "Sergei Naryshkin told reporters he would travel to Pyongyang to meet Ri Chang Dae.",
)
SIGNED = (
    "Naryshkin and Ri Chang Dae sign intelligence cooperation agreement in Pyongyang",
    "The two spy chiefs signed an agreement on exchanging information during the visit.",
)
DUMA = (
    "State Duma ratifies labour agreement with North Korea",
    "Deputies voted 412 to 0 for the law ratifying the agreement signed by Alexander Kozlov in March.",
)
FEDERATION_COUNCIL = (
    "Federation Council approves ratification of labour agreement with North Korea",
    "Senators backed the law ratifying the agreement signed by Alexander Kozlov in March.",
)

NARYSHKIN = [("Sergei Naryshkin", "PERSON", 2), ("Ri Chang Dae", "PERSON", 1), ("Pyongyang", "GPE", 1)]
KOZLOV = [("Alexander Kozlov", "PERSON", 1), ("North Korea", "GPE", 1), ("State Duma", "ORG", 1)]


def _member(news: NewsDB, article_id: int) -> tuple[str, dict]:
    with news.conn, news.conn.cursor() as cur:
        cur.execute("SELECT rule, reason FROM story_members WHERE article_id = %s", (article_id,))
        return cur.fetchone()


def _report(news: NewsDB, feed: str, text: tuple[str, str], hours: float, language: str = "en"):
    return news.article(feed, text[0], text[1], published_at=T0 + timedelta(hours=hours), language=language)


def test_reports_of_one_visit_in_three_languages_are_one_story_with_reasons(db):
    news = NewsDB(db)
    en = _report(news, "Yonhap English", VISIT_EN, 0)
    ru = _report(news, "TASS", VISIT_RU, 1.5, "ru")
    ko = _report(news, "Yonhap", VISIT_KO_EN, 3, "ko")
    story = news.process(settings(), en, NARYSHKIN)
    assert news.process(settings(), ru, NARYSHKIN[:2]) == story
    assert news.process(settings(), ko, []) == story
    assert news.scalar("SELECT count(*) FROM stories") == 1

    rule_en, why_en = _member(news, en.id)
    assert rule_en == "new"
    rule_ru, why_ru = _member(news, ru.id)
    assert rule_ru == "same-event"
    assert {"Sergei Naryshkin", "Ri Chang Dae"} <= set(why_ru["shared_entities"])
    assert why_ru["time_gap_hours"] == 1.5 and why_ru["kind"] in ("talks", "visit")
    rule_ko, why_ko = _member(news, ko.id)
    assert rule_ko in ("same-event", "same-kind-and-time")
    assert "time_gap_hours" in why_ko and "similarity" in why_ko


def test_the_announcement_of_a_visit_and_the_visit_are_two_stories(db):
    news = NewsDB(db)
    announced = news.process(settings(), _report(news, "Reuters", ANNOUNCEMENT, -20), NARYSHKIN)
    visit = _report(news, "Yonhap English", VISIT_EN, 0)
    assert news.process(settings(), visit, NARYSHKIN) != announced
    rule_, why = _member(news, visit.id)
    assert rule_ == "new" and "announcement vs happening" in why["note"]


def test_a_second_visit_a_week_later_is_a_new_story(db):
    news = NewsDB(db)
    first = news.process(settings(), _report(news, "Yonhap English", VISIT_EN, -24 * 7), NARYSHKIN, now=NOW)
    again = _report(news, "TASS", VISIT_RU, 0, "ru")
    assert news.process(settings(), again, NARYSHKIN) != first


def test_the_duma_vote_and_the_federation_council_vote_next_day_are_two_stories(db):
    news = NewsDB(db)
    duma = news.process(settings(), _report(news, "Interfax", DUMA, -22), KOZLOV)
    council = _report(news, "Interfax", FEDERATION_COUNCIL, 0)
    assert news.process(settings(), council, KOZLOV) != duma
    assert "different treaty steps" in _member(news, council.id)[1]["note"]


def test_an_article_with_no_entities_and_no_cues_is_left_alone_with_its_reason(db):
    news = NewsDB(db)
    news.process(settings(), _report(news, "Yonhap English", VISIT_EN, 0), NARYSHKIN)
    odd = _report(news, "Blog", ("Notes from the border", "Rain again."), 1)
    news.process(settings(), odd, [])
    rule_, why = _member(news, odd.id)
    assert rule_ == "new" and why["note"] == "no entities and no kind cues to match on"


def test_a_report_dated_far_from_its_siblings_is_a_new_story(db):
    news = NewsDB(db)
    first = news.process(settings(), _report(news, "Yonhap English", VISIT_EN, -60), NARYSHKIN)
    late = _report(news, "TASS", VISIT_RU, 0, "ru")
    assert news.process(settings(), late, NARYSHKIN) != first
    assert "first reported too long before or after" in _member(news, late.id)[1]["note"]


def test_one_alert_per_event_then_one_update_when_an_agreement_is_signed(db, smtp_server):
    news = NewsDB(db)
    cfg = settings(rule("all", ("a@example.org",)))
    story = news.process(cfg, _report(news, "Yonhap English", VISIT_EN, 0), NARYSHKIN)
    assert news.process(cfg, _report(news, "TASS", VISIT_RU, 1, "ru"), NARYSHKIN) == story
    assert len(news.outbox()) == 1  # the second report of the visit does not alert
    mail.send_pending(db, cfg, smtp_server.target, now=NOW)
    first_mail = smtp_server.messages[-1]
    assert "First reported by Yonhap English (en) at" in first_mail.get_body(("plain",)).get_content()
    assert "in 2 languages (en, ru)" in first_mail.get_body(("plain",)).get_content()

    # The spy chiefs sign an agreement at the talks: the picture changes, one update goes out.
    assert news.process(cfg, _report(news, "AFP", SIGNED, 2), NARYSHKIN) == story
    assert news.process(cfg, _report(news, "Reuters", SIGNED, 2.5), NARYSHKIN) == story
    mail.send_pending(db, cfg, smtp_server.target, now=NOW)
    mail.send_pending(db, cfg, smtp_server.target, now=NOW)
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert len(subjects) == 2
    assert "Update: " in subjects[1] and "Update: " not in subjects[0]
    assert len(set(smtp_server.message_ids())) == 2


def test_rerunning_never_moves_an_alerted_article_to_another_story(db):
    news = NewsDB(db)
    cfg = settings(rule("all", ("a@example.org",)))
    en = _report(news, "Yonhap English", VISIT_EN, 0)
    story = news.process(cfg, en, NARYSHKIN)
    # Re-extraction with other entities, and a fresh index from the database: the article keeps its story.
    assert news.process(cfg, en, [("Someone Else", "PERSON", 1)], now=NOW + timedelta(hours=1)) == story
    assert len(news.outbox()) == 1


def test_the_index_reloaded_from_the_database_still_finds_the_event(db):
    news = NewsDB(db)
    story = news.process(settings(), _report(news, "Yonhap English", VISIT_EN, 0), NARYSHKIN)
    with db, db.cursor() as cur:
        index = StoryIndex.load(cur, now=NOW + timedelta(hours=2))
    ru = _report(news, "TASS", VISIT_RU, 2, "ru")
    with db, db.cursor() as cur:
        assigned = index.assign(cur, ru, [(n, label) for n, label, _ in NARYSHKIN])
    assert (assigned.story_id, assigned.rule) == (story, "same-event")


def test_ten_thousand_articles_in_one_window_are_grouped_without_a_crash():
    matcher = EventMatcher()
    for key in range(10_000):
        rep = report(
            key,
            f"Delegation {key % 97} visits Pyongyang",
            "",
            T0 + timedelta(seconds=key),
            [(f"Person {key % 211}", "PERSON"), ("Pyongyang", "GPE")],
        )
        matcher.assign(rep, key)
    assert len(matcher) == 10_000
    assert max(len(p) for p in matcher._postings.values()) <= CANDIDATES_PER_KEY


def test_coverage_says_who_was_first_and_how_many_followed():
    rows = [
        {"outlet": "Yonhap", "language": "ko", "published_at": "2026-03-25T07:30:00+00:00"},
        {"outlet": "TASS", "language": "ru", "published_at": "2026-03-25T08:00:00+00:00"},
        {"outlet": "Reuters", "language": "en", "published_at": "2026-03-25T09:00:00+00:00"},
    ]
    assert coverage(rows) == (
        "First reported by Yonhap (ko) at 2026-03-25 07:30 UTC, then 2 more reports from 2 other outlets"
        " in 3 languages (en, ko, ru): TASS (ru) 08:00, Reuters (en) 09:00."
    )


def test_a_report_that_bridges_two_stories_merges_them_into_the_first_without_a_second_alert(db, smtp_server):
    news = NewsDB(db)
    cfg = settings(rule("all", ("a@example.org",)))
    first = news.process(
        cfg, _report(news, "Yonhap English", VISIT_EN, 0), [("Sergei Naryshkin", "PERSON", 1), ("Pyongyang", "GPE", 1)]
    )
    mail.send_pending(db, cfg, smtp_server.target, now=NOW)
    # Another outlet names only the North Korean side: nothing shared yet, so a story of its own (and an alert,
    # queued but not sent yet).
    ri_only = [("Ri Chang Dae", "PERSON", 1), ("Ministry of State Security", "ORG", 1)]
    ri_text = (
        "Minister of State Security Ri Chang Dae receives visiting Russian intelligence delegation",
        "The minister held talks with the delegation on countering espionage, state media said.",
    )
    second = news.process(cfg, _report(news, "KCNA Watch", ri_text, 0.5), ri_only)
    assert second != first
    # A third report names both sides' actors: the two stories are one event, merged into the first.
    both = (
        "Naryshkin and Ri Chang Dae hold talks in Pyongyang on countering espionage",
        "Russia's foreign intelligence chief arrived for talks with the North's state security minister.",
    )
    bridge = _report(news, "Reuters", both, 1)
    assert news.process(cfg, bridge, NARYSHKIN + ri_only[1:]) == first
    assert news.scalar("SELECT count(DISTINCT story_id) FROM articles") == 1
    assert news.scalar("SELECT merged_into FROM stories WHERE id = %s", (second,)) == first
    assert _member(news, bridge.id)[1]["merged_stories"] == [second]
    mail.send_pending(db, cfg, smtp_server.target, now=NOW)
    assert len(smtp_server.messages) == 1  # the second story's pending alert went with the merge
    # Re-running keeps everything where it is.
    assert news.process(cfg, bridge, NARYSHKIN) == first


def test_a_late_report_giving_the_same_event_date_still_joins():
    matcher = EventMatcher()
    who = [("Sergei Naryshkin", "PERSON"), ("Ri Chang Dae", "PERSON")]
    first = report(1, "Naryshkin holds talks in Pyongyang on March 25", "", T0, who, language="en")
    late = report(2, "Нарышкин 25 марта провел переговоры в Пхеньяне", "", T0 + timedelta(hours=40), who, language="ru")
    undated = report(3, "Нарышкин провел переговоры в Пхеньяне", "", T0 + timedelta(hours=40), who)
    matcher.assign(first, 1)
    assert matcher.decide(late).story_id == 1
    assert matcher.decide(undated).story_id is None
