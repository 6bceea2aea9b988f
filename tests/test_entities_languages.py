"""Entities in every language: each item goes the way its language says, and lands on the same canonical names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nkru import entities
from nkru.entities import EntityMention, extract, load_pipeline

ROOT = Path(__file__).resolve().parents[1]
GAZETTEER = ROOT / "config" / "gazetteer.yaml"


@pytest.fixture(scope="module")
def nlp() -> entities.Extractor:
    return load_pipeline(GAZETTEER)


def names(nlp, text: str, language: str | None) -> dict[str, EntityMention]:
    found = extract(nlp, [text], languages=[language])[0]
    return {m.name: m for m in found}


# The same visit as a wire in each language: every one lands on Kim Jong Un, Vladimir Putin and the places.
VISIT = {
    "ru": "Владимир Путин прибыл в Пхеньян, где провёл переговоры с Ким Чен Ыном. Северной Корее и России.",
    "uk": "Кім Чен Ин зустрівся з Путіним у Пхеньяні. Північна Корея і Росія підписали договір.",
    "ko": "김정은 국무위원장이 블라디미르 푸틴 러시아 대통령과 평양에서 회담했다. 북한과 러시아는",
    "ja": "北朝鮮の金正恩総書記は平壌でプーチン大統領と会談した。ロシアと北朝鮮は条約に署名した。",
    "zh": "朝鲜领导人金正恩在平壤会见了俄罗斯总统普京。朝中社报道。",
    "de": "Kim Jong-un empfängt Wladimir Putin in Pjöngjang. Nordkoreas Partnerschaft mit Russland wächst.",
    "fr": "Vladimir Poutine est arrivé à Pyongyang pour rencontrer Kim Jong-un. La Corée du Nord et la Russie.",
    "es": "Vladímir Putin llegó a Pionyang para reunirse con Kim Jong-un. Corea del Norte y Rusia.",
    "pl": "Kim Dzong Un spotkał się z Władimirem Putinem w Pjongjangu. Korea Północna i Rosja.",
    "cs": "Kim Čong-un přijal v Pchjongjangu Vladimira Putina. Severní Koreje a Ruska.",
    "lv": "Ziemeļkorejas līderis Kims Čenuns tikās ar Putinu Phenjanā. Krievijas prezidents.",
    "lt": "Šiaurės Korėjos lyderis Kim Jong Unas susitiko su Putinu Pchenjane. Rusijos prezidentas.",
    "et": "Põhja-Korea liider Kim Jong-un kohtus Putiniga Pyongyangis. Venemaa president.",
    "hu": "Putyin Phenjanban tárgyalt Kim Dzsongunnal. Oroszország és Észak-Korea.",
    "tr": "Kuzey Kore lideri Kim Jong-un, Rusya Devlet Başkanı Putin ile Pyongyang'da görüştü.",
    "ar": "التقى الزعيم الكوري الشمالي كيم جونغ أون بالرئيس فلاديمير بوتين في بيونغ يانغ، وروسيا وكوريا الشمالية.",
    "fa": "کیم جونگ اون رهبر کره شمالی با پوتین در پیونگ یانگ دیدار کرد. روسیه",
    "hi": "उत्तर कोरिया के नेता किम जोंग उन ने रूस के राष्ट्रपति व्लादिमीर पुतिन से प्योंगयांग में मुलाकात की।",
    "vi": "Nhà lãnh đạo Triều Tiên Kim Jong-un tiếp Tổng thống Nga Vladimir Putin tại Bình Nhưỡng.",
    "id": "Pemimpin Korea Utara Kim Jong Un bertemu Presiden Rusia Vladimir Putin di Pyongyang.",
    "bg": "Ким Чен Ун се срещна с Путин в Пхенян. Северна Корея и Русия.",
}


@pytest.mark.parametrize("language", sorted(VISIT))
def test_the_same_visit_in_every_language_lands_on_the_same_canonical_names(nlp, language):
    found = names(nlp, VISIT[language], language)
    assert {"Kim Jong Un", "Vladimir Putin", "Pyongyang"} <= set(found) or {"Kim Jong Un", "Vladimir Putin"} <= set(
        found
    ), sorted(found)
    assert {"North Korea", "Russia"} & set(found), sorted(found)
    assert all(m.label in entities.LABELS for m in found.values())


def test_russian_inflected_names_are_put_in_the_nominative_and_spelled_in_latin(nlp):
    found = names(nlp, "Переговоры с Игорем Моргуловым и Марией Захаровой прошли в Министерстве обороны России.", "ru")
    # Not in the gazetteer: one canonical spelling whatever the case, in Latin letters like the English copy's
    assert found["Igor Morgulov"].aliases == ("Игорем Моргуловым",)
    assert "Maria Zakharova" in found
    assert "Ministry of Defence of Russia" in found
    again = names(nlp, "Игорь Моргулов заявил, что Моргулов прибудет в Пхеньян.", "ru")
    assert again["Igor Morgulov"].count == 2
    assert "Igor Morgulov" in names(nlp, "Russian ambassador Igor Morgulov arrived in Pyongyang.", "en")
    ukrainian = names(nlp, "Головнокомандувач Олександр Сирський заявив, що Сирський відвідав фронт.", "uk")
    assert ukrainian["Oleksandr Syrskyi"].count == 2


def test_korean_particles_are_not_part_of_the_name(nlp):
    found = names(nlp, "러시아와 북한은 루덴코 차관과 최선희 외무상의 회담을 발표했다.", "ko")
    assert found["Russia"].aliases == ("러시아",)
    assert found["North Korea"].aliases == ("북한",)
    assert "Choe Son Hui" in found
    assert found["루덴코"].label == "PERSON"  # a proper noun before a title the gazetteer does not know


def test_other_languages_never_go_through_the_english_model(nlp):
    """The English model invents "Partnerschaft" PERSON, "Durante" ORG, "Šéf" PERSON, "Dit" GPE."""
    texts = {
        "de": "Partnerschaft mit Moskau: Kim Jong-un lobt die Zusammenarbeit.",
        "it": "Durante la visita a Mosca, Kim Jong-un ha incontrato Putin.",
        "sk": "Šéf ruskej diplomacie Lavrov pricestoval do Pchjongjangu.",
        "nl": "Dit is de eerste reis. Vluchten van Moskou naar Pyongyang.",
    }
    for language, text in texts.items():
        found = names(nlp, text, language)
        assert not set(found) & {"Partnerschaft", "Durante", "Šéf", "Dit", "Vluchten van Moskou"}, found
        assert set(found) <= {e.name for e in nlp.gazetteer.entries}


def test_country_names_come_from_cldr_in_every_language(nlp):
    found = names(nlp, "Il Giappone, la Cina e la Mongolia hanno protestato.", "it")
    assert {"Japan", "China", "Mongolia"} <= set(found)
    found = names(nlp, "Ông Putin thăm Mông Cổ và Trung Quốc.", "vi")
    assert {"Mongolia", "China"} <= set(found)


def test_a_capitalised_country_name_matches_only_capitalised(nlp):
    assert "Turkey" not in names(nlp, "They ate turkey in Pyongyang.", "en")
    assert "Chad" not in names(nlp, "A chad is a bit of paper.", "en")


def test_nationality_keeps_its_label_and_names_its_country(nlp):
    found = names(nlp, "Die nordkoreanischen Soldaten kämpfen für Russland.", "de")
    assert found["North Korean"].label == "NORP"
    assert ("North Korean", "North Korea") in entities.nationality_links(GAZETTEER)


# --- The error classes of issue 10 ---------------------------------------------------------------------------------


def test_a_gazetteer_match_extends_to_the_longer_name_the_model_found(nlp):
    found = names(
        nlp,
        "Sergei Viktorovich Lavrov landed at Pyongyang International Airport and went on to Wonsan Kalma. "
        "The Foreign Ministry of the DPRK welcomed him.",
        "en",
    )
    assert "Sergei Lavrov" in found and found["Sergei Lavrov"].aliases == ("Sergei Viktorovich Lavrov",)
    assert {"Pyongyang International Airport", "Wonsan Kalma", "Ministry of Foreign Affairs of the DPRK"} <= set(found)
    assert "Sergei Viktorovich" not in found and "Foreign Ministry of the" not in found


def test_lone_kim_in_a_putin_kim_headline_is_kim_jong_un(nlp):
    found = names(nlp, "Putin–Kim Summit Ends With Pledge\nThe leaders signed a pact in Pyongyang.", "en")
    assert found["Kim Jong Un"].aliases == ("Kim",)


def test_lone_kim_beside_kim_yo_jong_is_her(nlp):
    found = names(nlp, "Kim Yo Jong said the envoy was welcome. Kim added that Putin would come.", "en")
    assert found["Kim Yo Jong"].count == 2 and "Kim Jong Un" not in found


def test_zelenskiy_is_a_person(nlp):
    found = names(nlp, "Zelenskiy says North Korean troops are in Kursk\nZelenskiy said so on Monday.", "en")
    assert found["Volodymyr Zelensky"].label == "PERSON"


def test_a_countrys_foreign_ministry_is_that_countrys(nlp):
    found = names(nlp, "Russia's Foreign Ministry said the visit went well. The Foreign Ministry said more.", "en")
    assert found["Ministry of Foreign Affairs of Russia"].count == 1
    assert "Foreign Ministry" not in found


def test_a_middle_initial_stays_in_the_name(nlp):
    found = names(nlp, "Sergei E. Naryshkin met officials in Pyongyang.", "en")
    assert found["Sergei Naryshkin"].aliases == ("Sergei E. Naryshkin",)
    assert "Sergei E" not in found


def test_title_case_headline_phrases_are_not_names(nlp):
    found = names(
        nlp,
        "Kim Jong Un Meets Her Russian Guests as Artillery Shells Pile Up\nThe North Korean leader hosted them.",
        "en",
    )
    assert not {"Meets Her", "Artillery Shells", "Artillery Shells Pile"} & set(found)
    assert "Kim Jong Un" in found


# --- Bad input -----------------------------------------------------------------------------------------------------


def test_bad_input_never_crashes_and_says_why_anything_was_skipped(nlp):
    long_name = "Kim " + "Abcdefghij" * 50
    texts = [
        "ข่าวเกาหลีเหนือและรัสเซีย Pyongyang",  # Thai: no model, no inflections
        "Putin met Kim Jong Un in Pyongyang. " * 40_000,  # a 1 MB summary
        f"{long_name} met Putin in Moscow.",
        "Kim Чен Ын met Путин in Pyongyang on Monday, officials said.",
        "",
        "\x00\x01 ###",
    ]
    results = extract(nlp, texts, languages=["th", "en", "en", "en", "en", None])
    assert "Pyongyang" in {m.name for m in results[0]}
    assert any("gazetteer names only" in note for note in results[0].notes)
    assert any("cut to its first" in note for note in results[1].notes)
    assert {m.name for m in results[1]} >= {"Vladimir Putin", "Kim Jong Un", "Pyongyang"}
    assert all(len(m.name) <= entities.MAX_ENTITY_CHARS for r in results for m in r)
    assert all(len(a) <= entities.MAX_ENTITY_CHARS for r in results for m in r for a in m.aliases)
    assert results[4] == [] and results[5] == []


def test_models_load_lazily_only_for_the_languages_present():
    script = (
        "import sys; from nkru import entities as e; assert 'spacy' not in sys.modules;"
        "nlp = e.load_pipeline(); e.extract(nlp, ['Kim Jong-un empfängt Putin in Pjöngjang.'], languages=['de']);"
        "print(sorted(m for m in ('spacy', 'natasha', 'kiwipiepy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_a_korean_name_in_hangul_is_the_person_english_and_russian_copy_name(nlp):
    # Ri Song Hak is in the gazetteer by his hangul only: his Latin and Cyrillic spellings are generated.
    assert "Ri Song Hak" in names(nlp, "리성학 부총리가 동방경제포럼에 참석했다", "ko")
    assert "Ri Song Hak" in names(nlp, "Vice-premier Ri Song-hak arrived in Vladivostok.", "en")
    assert "Ri Song Hak" in names(nlp, "Вице-премьер Ли Сон Хак прибыл во Владивосток.", "ru")
    assert "Ri Song Hak" in names(nlp, "이성학 북한 부총리", "ko")  # South Korea's spelling of 리


def test_a_korean_name_the_gazetteer_does_not_know_gets_kcnas_latin_spelling(nlp):
    assert "Kim Chol Su" in names(nlp, "김철수 외무성 국장이 모스크바에 도착했다", "ko")
    assert "Kim Chol Su" in names(nlp, "Kim Chol Su, a director at the DPRK Foreign Ministry, arrived.", "en")
    assert "루덴코" in names(nlp, "루덴코 차관이 평양에 도착했다", "ko")  # a Russian name in hangul keeps its hangul


@pytest.mark.parametrize(
    ("text", "language", "who"),
    [
        ("キム総書記 ロシア下院議長と会談", "ja", {"Kim Jong Un", "Vyacheslav Volodin"}),
        ("러 국방장관, 평양 도착", "ko", {"Andrei Belousov"}),
        ("朝鲜外相访问莫斯科", "zh", {"Choe Son Hui"}),
        ("Встреча с министром обороны России прошла в Пхеньяне", "ru", {"Andrei Belousov"}),
        ("Russia's security chief returns to North Korea", "en", {"Sergei Shoigu"}),
    ],
)
def test_a_title_without_a_name_is_the_office_holder(nlp, text, language, who):
    found = names(nlp, text, language)
    assert who <= {n for n, m in found.items() if m.label == "PERSON"}


def test_a_title_beside_a_name_gives_way_to_the_name(nlp):
    found = names(nlp, "Former Russian defence minister Sergei Shoigu met Kim Jong Un.", "en")
    assert "Sergei Shoigu" in found and "Andrei Belousov" not in found
    assert "Andrei Belousov" not in names(nlp, "라브로프 러 외무장관은 말했다", "ko")


def test_the_names_inside_a_title_or_beside_a_body_are_still_found(nlp):
    found = names(nlp, "Russia's defence minister arrived in Pyongyang on Tuesday.", "en")
    assert {"Andrei Belousov", "Russia", "Pyongyang"} <= set(found)
    found = names(nlp, "Secondo il ministero degli Esteri di Mosca, i colloqui sono andati bene.", "it")
    assert {"Ministry of Foreign Affairs of Russia", "Moscow"} <= set(found)
