"""The language of an item comes from its own text; the feed's declared language is only a hint."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nkru import language, pipeline
from tests.feedserver import FeedServer
from tests.test_pipeline import ingest_all, settings_for

HEADLINES = {
    "en": "North Korean troops arrive in Russia's Kursk region, Kyiv says",
    "ru": "Нарышкин прибыл в Пхеньян для переговоров с министром госбезопасности КНДР",
    "uk": "Війська КНДР прибули до Курської області Росії, повідомляє розвідка",
    "ko": "나리시킨 러시아 대외정보국장 방북…북러 정보협력 논의",
    "ja": "ロシア対外情報庁長官が平壌を訪問、北朝鮮と協力を協議",
    "zh": "俄罗斯对外情报局局长抵达平壤与朝鲜举行会谈",
    "de": "Nordkoreanische Truppen in russischer Region Kursk eingetroffen",
    "fr": "Des soldats nord-coréens sont arrivés dans la région russe de Koursk",
    "es": "Tropas norcoreanas llegan a la región rusa de Kursk, según Kiev",
    "vi": "Triều Tiên và Nga ký hiệp ước đối tác chiến lược toàn diện tại Bình Nhưỡng",
    "lv": "Ziemeļkorejas karavīri ieradušies Krievijas Kurskas apgabalā",
    "ar": "وصول قوات كورية شمالية إلى منطقة كورسك الروسية",
    "hi": "उत्तर कोरियाई सैनिक रूस के कुर्स्क क्षेत्र में पहुंचे",
    "tr": "Kuzey Kore askerleri Rusya'nın Kursk bölgesine ulaştı",
}


@pytest.mark.parametrize("code", sorted(HEADLINES))
def test_a_headline_is_detected_in_its_own_language_whatever_the_feed_declares(code):
    detected = language.detect(HEADLINES[code], "", hint="en" if code != "en" else "ru")
    assert (detected.code, detected.source) == (code, "text")


def test_too_little_text_falls_back_to_the_declared_language_or_none():
    assert language.detect("KCNA", "", hint="ko-KP") == language.Detection("ko", 0.0, "hint")
    assert language.detect("", "", hint=None) == language.Detection(None, 0.0, "none")
    assert language.detect("!!! 123 ???", "", hint="xx-YY").code == "xx"


SHORT_FRENCH = "La Russie et la Corée du Nord boudent la cérémonie du prix Nobel"  # lingua alone: Dutch


def test_a_short_headline_between_close_languages_takes_the_feeds_language():
    detected = language.detect(SHORT_FRENCH, "", hint="fr-FR")
    assert (detected.code, detected.source) == ("fr", "hint")
    assert detected.describe().startswith("fr (declared by the feed; the text")
    assert language.detect("Duma russa ratifica acordo de defesa com Pyongyang", "", hint="pt").code == "pt"
    assert language.detect("Šojgu odovzdal Kim Čong-unovi odkaz od Putina", "", hint="sk").code == "sk"
    # A long text is the text's own language whatever the feed says.
    lede = "Moscou et Pyongyang n'ont pas envoyé de délégation à Oslo, où le prix a été remis mercredi."
    assert language.detect(SHORT_FRENCH, lede, hint="nl").code == "fr"


def test_a_feed_declaring_english_for_everything_does_not_turn_short_headlines_english():
    for code in sorted(set(HEADLINES) - {"en"}):
        assert language.detect(HEADLINES[code], "", hint="en").code == code


def test_bad_input_is_detected_without_crashing():
    huge = "Северная Корея и Россия " * 50_000  # a summary of over a megabyte
    assert language.detect("", huge).code == "ru"
    assert language.detect("\x00\ud800\x1b[2J", "\u202e" * 100).code is None
    assert language.normalise_code("en_GB") == "en" and language.normalise_code("english") is None
    assert language.same_language("id", "ms") and not language.same_language("id", None)


def test_a_script_none_of_the_languages_uses_has_no_language_whatever_the_hint():
    detected = language.detect("ჩრდილოეთ კორეა და რუსეთი ხელშეკრულებას აწერენ ხელს", "", hint="en")
    assert (detected.code, detected.source) == (None, "script Georgian")
    assert detected.describe() == "language unknown (Georgian script)"


def test_detected_and_declared_languages_are_stored_and_rescore_detects_again(db, tmp_path):
    (tmp_path / "mixed.xml").write_text(
        """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Mixed</title>
        <link>https://wire.example/</link><description>x</description><language>en</language>
        <item><title>Нарышкин прибыл в Пхеньян для переговоров о сотрудничестве</title>
        <link>https://wire.example/1</link><guid>1</guid><description>Глава СВР встретился с министром.</description>
        <pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate></item></channel></rss>""",
        encoding="utf-8",
    )
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with FeedServer(tmp_path) as server:
        ingest_all(db, settings_for({"mixed": server.url("mixed.xml")}), "run-1", now)
    with db, db.cursor() as cur:
        cur.execute("SELECT language, declared_language FROM articles")
        assert cur.fetchall() == [("ru", "en")]
        cur.execute("UPDATE articles SET language = NULL")
    settings = settings_for({})
    pipeline.rescore_all(db, settings, now=now)
    with db, db.cursor() as cur:
        cur.execute("SELECT language FROM relevant_articles UNION ALL SELECT language FROM articles")
        assert {row[0] for row in cur.fetchall()} == {"ru"}
