"""What happened and when, read from report texts in many languages (nkru.events): kinds, event dates, figures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from nkru import events

# Wednesday 25 March 2026, 10:00 UTC
PUBLISHED = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)


def _kinds(title: str, summary: str = "") -> tuple[str, ...]:
    return events.features(title, summary, PUBLISHED).kinds


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Russia's Shoigu to visit North Korea soon, Kremlin says", "announcement"),
        ("Шойгу по поручению Путина посетит Пхеньян", "announcement"),
        ("Нарышкин прибыл в Пхеньян", "visit"),
        ("나리시킨, 평양 도착", "visit"),
        ("ナルイシキン長官が訪朝", "visit"),
        ("Госдума ратифицировала соглашение с КНДР о трудовой деятельности", "lower_house"),
        ("러 상원도 북러 노동자 협정 비준안 승인", "upper_house"),
        ("Arbeitsabkommen zwischen Russland und Nordkorea in Kraft", "in_force"),
        ("Poutine promulgue l'accord sur les travailleurs nord-coréens", "law_signed"),
        ("EE.UU. sanciona a navieras por transportar armas norcoreanas", "sanctions"),
        ("朝鲜发射侦察卫星", "technology"),
        ("Rusya ile Kuzey Kore arasında ilk doğrudan uçuş", "transport"),
        ("وصول أول مجموعة من السياح الروس إلى منتجع وونسان", "tourism"),
    ],
)
def test_the_main_kind_is_read_in_each_language(title, kind):
    assert _kinds(title)[0] == kind


def test_cues_start_words_in_alphabetic_scripts():
    assert "visit" not in _kinds("Analysts revisit the question")
    assert "visit" in _kinds("Lavrov visits Wonsan")


def test_a_headline_in_one_language_and_a_summary_in_another_get_both_kinds():
    kinds = _kinds("Шойгу прибыл в Пхеньян", "The two sides signed a plan on the deployment of military engineers.")
    assert {"visit", "signing", "troops"} <= set(kinds)


def test_the_treaty_step_comes_from_the_headline_before_the_summary():
    f = events.features(
        "Russia's upper house signs off on North Korean labor agreement",
        "The Federation Council vote came a day after the Duma approved the deal.",
        PUBLISHED,
    )
    assert f.step == "upper_house"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Naryshkin arrived in Pyongyang on March 24", date(2026, 3, 24)),
        ("Нарышкин прибыл в Пхеньян 24 марта", date(2026, 3, 24)),
        ("나리시킨은 3월 24일 평양에 도착했다", date(2026, 3, 24)),
        ("조선중앙통신이 24일 보도했다", date(2026, 3, 24)),
        ("ナルイシキン氏は3月24日に平壌に到着した", date(2026, 3, 24)),
        ("Naryshkin traf am 24. März in Pjöngjang ein", date(2026, 3, 24)),
        ("Naryshkin llegó el 24 de marzo a Pyongyang", date(2026, 3, 24)),
        ("Naryshkin held talks in Pyongyang on Monday", date(2026, 3, 23)),
        ("Нарышкин во вторник провел переговоры", date(2026, 3, 24)),
        ("Naryshkin arrived in Pyongyang yesterday", date(2026, 3, 24)),
        ("Вчера Нарышкин прибыл в Пхеньян", date(2026, 3, 24)),
    ],
)
def test_the_event_date_is_read_from_the_text(text, expected):
    assert events.features(text, "", PUBLISHED).event_date == expected


def test_a_recalled_date_is_not_the_report_own():
    f = events.features("The treaty signed on June 19, 2024 entered into force", "", PUBLISHED)
    assert f.event_date is None


def test_an_announced_weekday_lies_ahead():
    f = events.features("Shoigu will visit Pyongyang on Friday, the Kremlin said", "", PUBLISHED)
    assert f.event_date == date(2026, 3, 27)


def test_figures_are_the_same_in_every_script():
    assert events.figures("about 3,000 more troops and 5 000 builders") == {"3000", "5000"}
    assert events.figures("병력 3000명과 건설 인력 5000명") == {"3000", "5000"}
    assert events.figures("on 25 March 2026, 12 people") == set()


def test_a_language_is_added_by_a_data_file(tmp_path: Path):
    rules = (events.DEFAULT_DIR / events.RULES_FILE).read_text(encoding="utf-8")
    (tmp_path / events.RULES_FILE).write_text(rules, encoding="utf-8")
    (tmp_path / "nl.yaml").write_text(
        "# Dutch cue words (test)\nlanguage: nl\nkinds:\n  visit: [bezoek, aangekomen]\n"
        "relative_days:\n  yesterday: [gisteren]\n",
        encoding="utf-8",
    )
    cues = events.load_cues(tmp_path)
    f = events.features("Sjojgoe gisteren aangekomen in Pyongyang voor bezoek", "", PUBLISHED, cues)
    assert f.kinds == ("visit",)
    assert f.event_date == date(2026, 3, 24)


def test_a_malformed_cue_file_names_itself(tmp_path: Path):
    rules = (events.DEFAULT_DIR / events.RULES_FILE).read_text(encoding="utf-8")
    (tmp_path / events.RULES_FILE).write_text(rules, encoding="utf-8")
    (tmp_path / "xx.yaml").write_text("language: xx\nkinds:\n  picnic: [picnic]\n", encoding="utf-8")
    with pytest.raises(events.EventCuesError, match=r"xx\.yaml.*unknown kind 'picnic'"):
        events.load_cues(tmp_path)


def test_every_supported_language_has_cues():
    from nkru import language

    assert set(language.SUPPORTED) <= set(events.load_cues().languages)


def test_bad_text_does_not_crash():
    f = events.features("\x00" * 10 + "ʼ" * 1000, "9" * 100_000, PUBLISHED)
    assert f.kinds == ()


def test_weekday_names_of_other_languages_do_not_date_a_text():
    # Bulgarian "неделя" (Sunday) is Russian for "week"; Romanian "joi" (Thursday) begins English "joint".
    ru = events.features("Шойгу вновь прибыл в Пхеньян спустя неделю", "", PUBLISHED, language="ru")
    en = events.features("Kim and Putin issue joint message", "", PUBLISHED, language="en")
    assert ru.event_date is None and en.event_date is None


@pytest.mark.parametrize(
    ("title", "statement"),
    [
        ('외교부 "북러 협력, 안보리 결의 위반"', True),  # speaker, then the quotation: a statement
        ('北 외무성 "EU 제재는 미국 추종"', True),
        ("Захарова: санкции ЕС незаконны", True),
        ("Ukrayna: Kuzey Koreli askerler cephede", True),
        ('김정은, 라브로프 접견…"조러 관계 새로운 높이로"', False),  # a happening quoting someone
        ("Breaking: Kim meets Putin in Vladivostok", False),
        ("Kim meets Putin in Vladivostok", False),
    ],
)
def test_an_attributed_headline_is_a_statement_in_any_language(title, statement):
    found = events.features(title, "", datetime(2026, 3, 25, tzinfo=UTC))
    assert ("statement" in found.headline_kinds) is statement


def test_a_date_that_names_the_day_is_exact_and_a_relative_one_is_not():
    published = datetime(2026, 3, 26, 9, tzinfo=UTC)
    assert events.features("Kim receives Naryshkin on Thursday", "", published).date_exact
    assert not events.features("Kim received Naryshkin yesterday", "", published).date_exact
    # A wire dateline's date is where and when the wire wrote, not necessarily the happening's day.
    wire = events.features("Kim receives Naryshkin", "SEOUL, March 26 (Yonhap) -- Kim Jong Un met him.", published)
    assert wire.event_date is not None and not wire.date_exact


def test_a_step_named_only_in_the_summary_counts_when_the_text_is_about_ratification():
    published = datetime(2026, 12, 7, 9, tzinfo=UTC)
    visit = events.features("Володин прибыл в Пхеньян", "Председатель Госдумы провел переговоры.", published)
    assert visit.step is None  # the Duma's speaker on a visit is no Duma vote
    vote = events.features("Russia backs labour deal", "The State Duma ratified the agreement on Tuesday.", published)
    assert vote.step == "lower_house"
