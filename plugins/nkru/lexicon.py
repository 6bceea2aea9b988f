"""The relevance lexicon: which words name North Korea, Russia and the other countries, in every language nkru
reads, loaded from data files under `config/lexicon/` and matched in one pass over an item's text.

Files (one per language, `config/lexicon/<code>.yaml`, plus `_cldr.yaml`) hold the words and say where they come
from; a user adds a language by adding a file. Country and capital names are not typed in them: the loader takes
them from CLDR through Babel (`babel.Locale(locale).territories` and the time-zone exemplar cities) for the
locales a file lists under `cldr:`, for the territories `_cldr.yaml` puts on each side.

Morphology is dealt with when the lexicon is loaded, so the per-item path is one Aho-Corasick pass
(pyahocorasick) over the case-folded text plus a cheap check of each candidate:

* Russian and Ukrainian terms are expanded to their inflected forms with pymorphy3 ("Пхеньян" → "Пхеньяне").
* For languages with case endings a term is stored as its stem (its nominative ending cut off, using the
  file's `endings:` list) and a match must end a word or go on with one of those endings ("Krievija" → key
  "krievij", matching "Krievijas", "Krievijā"). Where PyStemmer has a Snowball stemmer for the language, a word
  whose stem equals the term's stem also counts ("Oroszországgal").
* `compounds: true` (German, Dutch, ...) lets a name begin a compound ("Nordkoreabesuch", "Kremlchef").
* `prefixes:` are clitics that may stick to the front of a word (Arabic و، ب، ل، ال).
* `boundaries: none` (Japanese, Chinese) matches inside runs of characters; `boundaries: short` (Korean) asks
  only one-syllable terms to stand alone, so particles and compounds may follow ("러시아와", "북한군").

Hyphens and dashes fold to spaces, so "Kim Jong-un" and "Kim Jong Un", or "Põhja-Korea" and "Põhja Korea", are
one key. Terms written in capitals (KCNA, ТАСС, US) match only in capitals.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nkru.paths import project_root

CLDR_FILE = "_cldr.yaml"

# Sides a term can count for.
NK = "nk"  # North Korea
RU = "ru"  # Russia
BOTH = "both"  # one word naming both ("북러", "朝俄")
SOUTH = "south"  # South Korea: "Korea" there is the South
KOREA = "korea"  # "Korea" alone: reported, counts for nobody
COUNTRY = "country"  # a third country (lists, parties)
CUE = "cue"  # a beat word (treaty, troops, rail...)
LIST_CUE = "list"  # a word introducing a generic list ("adversaries such as")
STOP = "stop"  # a longer word hiding a term inside it ("Pyeongchang", "평양냉면"): matches nothing
RANKING = "ranking"  # a ranking, index or list frame ("passport index", "blacklist"): countries are entries
ASIDE = "aside"  # a story about something else ("died", "memoir", "match"): countries are passers-by
HOST = "host"  # a third country's leader receiving a side ("Xi receives Kim"): that side is the guest
JOINT = "joint"  # a joint statement or declaration: its signers are the parties, the countries it names topics
BACKGROUND = "background"  # "last year", "in which": a summary sentence of background, not the news
PARALLEL = "parallel"  # both sides doing one thing apart ("hackers", "condemn", "skip"): parallel actors
TRAVEL = "travel"  # an onward trip ("then flies to", "weiter nach", "平壌入り"): the next stop is a party, not a topic

SIDE_SECTIONS = {"north_korea": NK, "russia": RU, "both": BOTH, "south_korea": SOUTH, "korea": KOREA}

# What each kind of term weighs on its side (see nkru.relevance). A file may give a number instead of a kind.
KIND_WEIGHTS = {
    "name": 1.0,  # the country's name, adjective, demonym
    "capital": 1.0,
    "leader": 1.0,  # head of state, foreign and defence ministers
    "body": 0.9,  # the Kremlin, the Korean People's Army
    "official": 0.8,
    "place": 0.8,  # other cities, ports, border crossings
    "media": 0.7,  # state news agencies: often only attribution
    "dateline": 1.0,  # KCNA copy datelined Pyongyang, where the capital is only "here" ("arrived here")
    "weak": 0.5,  # historical or ambiguous (Soviet, a bare Kim)
}
PLACE_KINDS = frozenset({"capital", "place"})

_DASHES = "-‐‑‒–—―−"
# One character for another, never changing the length: dashes as spaces, one apostrophe, ё as е, Arabic and
# Persian forms of ya, kaf and alef as one, Romanian s and t with a cedilla as with a comma.
_FOLD_MAP = {
    **{d: " " for d in _DASHES},
    **dict.fromkeys("’ʼ‘`", "'"),
    "\u00a0": " ",
    "ё": "е",
    "Ё": "Е",
    "ي": "ی",
    "ى": "ی",
    "ك": "ک",
    **dict.fromkeys("أإآ", "ا"),
    "ş": "ș",
    "Ş": "Ș",
    "ţ": "ț",
    "Ţ": "Ț",
}
# Letters and the marks that are part of words (Devanagari vowel signs, Arabic harakat, Persian ZWNJ).
_WORD_CHAR = (
    r"[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670"
    r"\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963\u0981-\u0983\u200c]"
)
_WORD_RUN = re.compile(f"(?:{_WORD_CHAR})*")
_IS_WORD_CHAR = re.compile(_WORD_CHAR)


_FOLDED_CHARS = re.compile("[" + re.escape("".join(_FOLD_MAP)) + "]")


def _fold_char(match: re.Match[str]) -> str:
    return _FOLD_MAP[match.group()]


def fold(text: str) -> str:
    """Lower case, dashes as spaces, same length as `text` (so positions map back to the original)."""
    text = _FOLDED_CHARS.sub(_fold_char, text)  # faster than str.translate, which looks up every character
    folded = text.lower()
    if len(folded) != len(text):  # a few letters lower to two characters ("İ"): keep the first
        folded = "".join(ch.lower()[0] for ch in text)
    return folded


@dataclass(frozen=True)
class Term:
    """One entry of the lexicon."""

    side: str
    weight: float
    text: str  # as written in the file (or in CLDR)
    language: str  # the file it comes from ("settings" for a user's extra terms)
    kind: str = "name"
    country: str = ""  # which country a COUNTRY term names ("cn", "us"...)
    source: str = "lexicon"  # "cldr", "lexicon" or "settings"
    case_sensitive: bool = False
    only_in_language: bool = False  # counts only in items written in `language` (or of unknown language)
    surname: bool = False  # not when another capitalised name follows ("Kim Keon-hee" is not "Kim")


@dataclass(frozen=True)
class Rules:
    """How the words of one language attach to their surroundings."""

    code: str
    endings: frozenset[str] = frozenset()
    strip: bool = False  # store terms as stems: cut the longest of `endings` off the end of the last word
    stemmer: str | None = None  # a PyStemmer (Snowball) algorithm
    compounds: bool = False  # a term of 5+ letters may begin a longer word
    prefixes: frozenset[str] = frozenset()
    boundaries: str = "words"  # "words", "short" (only 1-letter terms stand alone), "none"
    free_suffix: bool = False  # any letters may follow (Korean: particles and compound nouns)

    @functools.cached_property
    def _stem(self):  # noqa: ANN202 - PyStemmer's type
        if not self.stemmer:
            return None
        import Stemmer

        return Stemmer.Stemmer(self.stemmer).stemWord

    def stem(self, word: str) -> str | None:
        return self._stem(word) if self._stem else None

    def __getstate__(self) -> dict[str, Any]:
        """For the compiled-lexicon cache: the stemmer is made again on first use."""
        return {k: v for k, v in self.__dict__.items() if k != "_stem"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


@dataclass
class Lexicon:
    """Every term of every language file, and how each language's words attach."""

    terms: list[Term] = field(default_factory=list)
    rules: dict[str, Rules] = field(default_factory=dict)
    joiners: dict[str, set[str]] = field(default_factory=dict)  # language -> "and", "и", "und", "와"...
    to_words: dict[str, set[str]] = field(default_factory=dict)  # language -> "to", "a", "do": before a recipient
    clause_words: dict[str, set[str]] = field(default_factory=dict)  # language -> "as", "while": a clause begins
    with_words: dict[str, set[str]] = field(default_factory=dict)  # language -> "with", "con", "с": before a party
    # language -> the words of a "from ... to ..." range ("von ... bis", "от ... до", "から ... まで") and whether they
    # follow their noun (postpositions, case endings written "-'dan"), and whether a route never uses them, so
    # they may stand anywhere in the title's part ("bis", "tot"): a title's range frame (round 11)
    range_words: dict[str, tuple[frozenset[str], frozenset[str], bool, bool]] = field(default_factory=dict)
    superlatives: dict[str, list[str]] = field(default_factory=dict)  # language -> "most", "naj*", "!najnow*"
    # language -> the words before a side that is only a topic ("sanctions | against | North Korea") and after it
    topic_words: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # language -> where its words come from
    observers: frozenset[str] = frozenset()  # third countries that are sources, not parties (see _cldr.yaml)


# ---------------------------------------------------------------------------------------------------------------
# Loading


def lexicon_dir() -> Path:
    return project_root() / "config" / "lexicon"


@functools.cache
def load(directory: Path | None = None) -> Lexicon:
    """Read every language file of `directory` (default `config/lexicon/`), once per process."""
    directory = directory or lexicon_dir()
    cldr = _read_yaml(directory / CLDR_FILE)
    lexicon = Lexicon(observers=frozenset(k for k, v in cldr["countries"].items() if v.get("observer")))
    for path in sorted(directory.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        data = _read_yaml(path) or {}
        _check_strings(data, path.name)
        _add_language(lexicon, data, cldr, path)
    return lexicon


def _read_yaml(path: Path) -> Any:
    """YAML with libyaml's parser where installed (ten times faster than the pure-Python one)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _check_strings(node: Any, where: str) -> None:
    """Every word in a lexicon file must be text: YAML reads a bare `on` or `no` as true/false."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in ("morphology",) or isinstance(value, dict):
                _check_strings(value, f"{where}: {key}")
    elif isinstance(node, list):
        for item in node:
            if not isinstance(item, str):
                raise ValueError(f"{where}: {item!r} is not text; put it in quotes")


def _add_language(lexicon: Lexicon, data: dict[str, Any], cldr: dict[str, Any], path: Path) -> None:
    code = str(data.get("language") or path.stem)
    morphology = data.get("morphology") or {}
    rules = Rules(
        code=code,
        endings=frozenset(fold(e) for e in morphology.get("endings", [])),
        strip=bool(morphology.get("strip", False)),
        stemmer=morphology.get("stemmer"),
        compounds=bool(morphology.get("compounds", False)),
        prefixes=frozenset(fold(p) for p in morphology.get("prefixes", [])),
        boundaries=str(morphology.get("boundaries", "words")),
        free_suffix=bool(morphology.get("free_suffix", False)),
    )
    lexicon.rules[code] = rules
    lexicon.sources[code] = str(data.get("source", "")).strip()
    lexicon.joiners[code] = {str(j) for j in data.get("joiners", [])}
    lexicon.to_words[code] = {str(j) for j in data.get("to_words", []) or []}
    lexicon.clause_words[code] = {str(j) for j in data.get("clause_words", []) or []}
    lexicon.with_words[code] = {str(j) for j in data.get("with_words", []) or []}
    lexicon.superlatives[code] = [str(w) for w in data.get("superlative_words", []) or []]
    before, after = data.get("topic_words", []) or [], data.get("topic_words_after", []) or []
    lexicon.topic_words[code] = ([str(w) for w in before], [str(w) for w in after])
    if ranges := data.get("range_words"):
        after, anywhere = bool(ranges.get("after", False)), bool(ranges.get("anywhere", False))
        lexicon.range_words[code] = (frozenset(ranges["from"]), frozenset(ranges["to"]), after, anywhere)
    only_here = {fold(t) for t in data.get("only_in_this_language", [])}
    surnames = {fold(t) for t in data.get("surnames", [])}

    def add(
        side: str, text: str, kind: str, weight: float, country: str = "", source: str = "lexicon", only: bool = False
    ) -> None:
        text = str(text).strip()
        if not text:
            return
        lexicon.terms.append(
            Term(
                side=side,
                weight=weight,
                text=text,
                language=code,
                kind=kind,
                country=country,
                source=source,
                case_sensitive=is_acronym(text),
                only_in_language=only or fold(text) in only_here,
                surname=fold(text) in surnames,
            )
        )

    for name, weight, kind, side, country in _cldr_names(cldr, data.get("cldr", [])):
        add(side, name, kind, weight, country, source="cldr")
    for section, side in SIDE_SECTIONS.items():
        for kind, weight, text in _entries(data.get(section)):
            add(side, text, kind, weight)
    for country, texts in (data.get("countries") or {}).items():
        for text in texts or []:
            add(COUNTRY, text, "name", 1.0, country=str(country))
    for text in data.get("beat", []) or []:
        add(CUE, text, "beat", 1.0)
    for text in data.get("list_cues", []) or []:
        add(LIST_CUE, text, "list", 1.0)
    for text in data.get("not_terms", []) or []:
        add(STOP, text, "stop", 0.0)
    for text in data.get("ranking_words", []) or []:
        add(RANKING, text, "ranking", 0.0)
    for text in data.get("list_words", []) or []:
        add(RANKING, text, "list_noun", 0.0)  # a bare "list": a list frame only in a title with no beat word
    for text in data.get("aside_words", []) or []:
        add(ASIDE, text, "aside", 0.0)
    for text in data.get("weather_words", []) or []:
        add(ASIDE, text, "weather", 0.0)  # an aside, but never the title's kicker: "Frost no obstacle: train on time"
    for text in data.get("succession_words", []) or []:
        add(ASIDE, text, "succession", 0.0)  # an aside unless the title pairs both sides or has a beat word
    for text in data.get("commemoration_words", []) or []:
        add(ASIDE, text, "commemoration", 0.0)  # an aside unless one clause of the title names both sides
    for text in data.get("background_words", []) or []:
        add(BACKGROUND, text, "background", 0.0)
    for text in data.get("parallel_words", []) or []:
        add(PARALLEL, text, "parallel", 0.0)  # with the two sides as its joint subject: not parties
    for text in data.get("respectively_words", []) or []:
        add(PARALLEL, text, "respectively", 0.0)  # "respectively", "それぞれ": a sentence of two things apart
    for text in data.get("reciprocal_words", []) or []:
        add(PARALLEL, text, "reciprocal", 0.0)  # "each other", "друг друга": the two are parties after all
    for text in data.get("likeness_words", []) or []:
        # "turning into", "a second", "第二の": one side compared with the other. Short words that mean something else
        # next door (Latvian "otro", Spanish "otros"): only in items of their own language.
        add(PARALLEL, text, "likeness", 0.0, only=True)
    for text in data.get("likeness_words_after", []) or []:
        add(PARALLEL, text, "likeness_after", 0.0, only=True)  # after the name: "Kuzey Kore gibi", "北朝鮮のような"
    for text in data.get("host_words", []) or []:
        add(HOST, text, "host", 0.0)
    for text in data.get("talk_words", []) or []:
        add(HOST, text, "talk", 0.0)  # only right after a side and a third country named as a pair: their talks
    for text in data.get("joint_words", []) or []:
        add(JOINT, text, "joint", 0.0)
    for text in data.get("travel_words", []) or []:
        add(TRAVEL, text, "travel", 0.0)  # before the next stop: "flies to", "затем в", "转往"
    for text in data.get("travel_words_after", []) or []:
        add(TRAVEL, text, "travel_after", 0.0)  # after it: "平壌入り", "평양행", "Pyongyang'a geçti"


def _entries(section: Any) -> Iterable[tuple[str, float, str]]:
    """(kind, weight, text) of a side's section: a list (all names) or a mapping kind/weight -> list."""
    if not section:
        return
    if isinstance(section, list):
        section = {"name": section}
    for kind, texts in section.items():
        if isinstance(kind, (int, float)):
            weight, kind = float(kind), "name"
        else:
            weight = KIND_WEIGHTS[str(kind)]
        for text in texts or []:
            yield str(kind), weight, str(text)


def _cldr_names(cldr: dict[str, Any], locales: list[str]) -> Iterable[tuple[str, float, str, str, str]]:
    """(name, weight, kind, side, country) from CLDR for each of `locales`: territory names and the exemplar
    city of each listed time zone (`babel.Locale(locale).time_zones[zone]["city"]`)."""
    if not locales:
        return
    import babel

    def city(locale: babel.Locale, zone: str) -> str:
        # CLDR's exemplar city; where a locale has none, CLDR's root rule: the zone id's last part.
        return (locale.time_zones.get(zone) or {}).get("city") or zone.rsplit("/", 1)[-1].replace("_", " ")

    for locale_code in locales:
        locale = babel.Locale.parse(locale_code)
        for key, spec in cldr["sides"].items():
            side = SIDE_SECTIONS[key]
            for territory in spec.get("territories", []):
                if territory in locale.territories:
                    yield locale.territories[territory], 1.0, "name", side, ""
            for zone, kind in (spec.get("cities") or {}).items():
                yield city(locale, zone), KIND_WEIGHTS[kind], kind, side, ""
        for country, spec in cldr["countries"].items():
            for territory in spec.get("territories", []):
                for name in _aliases(locale.territories.get(territory, "")):
                    yield name, 1.0, "name", COUNTRY, country
            for zone in spec.get("cities", []):
                yield city(locale, zone), 1.0, "capital", COUNTRY, country


_ALIAS = re.compile(r"\s*[(（]([^)）]+)[)）]\s*$")


def _aliases(name: str) -> list[str]:
    """A CLDR territory name and the other name it gives in brackets, each alone ("Myanmar (Burma)" -> Myanmar,
    Burma; "Mjanma (Birma)"): written whole, it matched no text (round 11)."""
    alias = _ALIAS.search(name)
    return [name[: alias.start()], alias.group(1)] if alias else [name] if name else []


def is_acronym(text: str) -> bool:
    """KCNA, ТАСС, US, KĽDR: all capitals, one word, short. Matched in capitals only."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and len(text) <= 6 and " " not in text and all(c.isupper() for c in letters)


def script_of(text: str) -> str:
    """The main script of a text, by Unicode names of its letters ("LATIN", "CYRILLIC", "HANGUL"...)."""
    counts: dict[str, int] = {}
    for ch in text[:2000]:
        if ch.isalpha():
            name = unicodedata.name(ch, "UNKNOWN").split()[0]
            counts[name] = counts.get(name, 0) + 1
    return max(counts, key=counts.get) if counts else ""
