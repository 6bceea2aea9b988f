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
import hashlib
import os
import pickle
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from nkru.language import same_language
from nkru.paths import data_dir

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


@functools.lru_cache(maxsize=4096)
def _is_word_char(ch: str) -> bool:
    return bool(_IS_WORD_CHAR.match(ch))


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
    sources: dict[str, str] = field(default_factory=dict)  # language -> where its words come from
    observers: frozenset[str] = frozenset()  # third countries that are sources, not parties (see _cldr.yaml)


# ---------------------------------------------------------------------------------------------------------------
# Loading


def lexicon_dir() -> Path:
    return Path(__file__).with_name("lexicon")  # frozen: the lexicon files as round 1 left them


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
    only_here = {fold(t) for t in data.get("only_in_this_language", [])}
    surnames = {fold(t) for t in data.get("surnames", [])}

    def add(side: str, text: str, kind: str, weight: float, country: str = "", source: str = "lexicon") -> None:
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
                only_in_language=fold(text) in only_here,
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
    for text in data.get("aside_words", []) or []:
        add(ASIDE, text, "aside", 0.0)


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
                if territory in locale.territories:
                    yield locale.territories[territory], 1.0, "name", COUNTRY, country
            for zone in spec.get("cities", []):
                yield city(locale, zone), 1.0, "capital", COUNTRY, country


def is_acronym(text: str) -> bool:
    """KCNA, ТАСС, US, KĽDR: all capitals, one word, short. Matched in capitals only."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and len(text) <= 6 and " " not in text and all(c.isupper() for c in letters)


# ---------------------------------------------------------------------------------------------------------------
# Matching


class Match(NamedTuple):
    """A term found in a text: where, and as written there."""

    term_id: int
    start: int
    end: int  # end of the whole word (ending included)
    text: str


@dataclass(frozen=True, slots=True)
class _Key:
    term_id: int
    rules: Rules
    stem: str | None  # Snowball stem of the term's last word, if the language has a stemmer
    exact_prefix: bool  # the key is a stem with its ending cut off: an ending must or may follow
    own_ending: str = ""  # the ending this key's last word carries ("o" of "Rusko"): "Ruskom" = stem + "om"
    side: tuple[str, str] = ("", "")  # the term's side and country: one match per side at one place
    only_language: str | None = None  # the term counts only in items of this language
    surname: bool = False


class Matcher:
    """Finds every lexicon term in a text with one Aho-Corasick pass and per-language boundary checks.

    Automatons per script (see `_SCRIPT_GROUPS`), over the case-folded text, and over the text as written for
    acronyms (so "US" is not looked at in every "thus"). Each yields the longest key at each place
    (`iter_long`): "North Korea" rather than its "Korea", "Krievija" rather than its stem "Krievij"; where the
    longest key carries an ending ("Rusko"), another ending may replace it ("Ruskom").
    """

    def __init__(self, terms: list[Term], rules: dict[str, Rules]) -> None:
        self.terms = terms
        self.keys = [fold(t.text) for t in terms]  # one key per term: the same name in two files counts once
        folded: dict[str, dict[str, list[_Key]]] = {}  # script group -> key -> entries
        exact: dict[str, dict[str, list[_Key]]] = {}
        for term_id, term in enumerate(terms):
            lang_rules = rules.get(term.language) or _rules_for_script(term.text, rules)
            stem = lang_rules.stem(self.keys[term_id].split()[-1]) if lang_rules.stemmer else None
            side = (term.side, term.country)
            only = term.language if term.only_in_language else None
            if term.case_sensitive:
                group = exact.setdefault(_script_group(term.text), {})
                entry = _Key(term_id, lang_rules, stem, False, "", side, only, term.surname)
                group.setdefault(term.text, []).append(entry)
                continue
            for key in _keys(term, lang_rules):
                own = key[len(_strip(key, lang_rules.endings)) :] if lang_rules.strip else ""
                group = folded.setdefault(_script_group(key), {})
                entry = _Key(term_id, lang_rules, stem, key != self.keys[term_id], own, side, only, term.surname)
                group.setdefault(key, []).append(entry)
        # One automaton per script: an automaton's root holds one branch per first character, and a root with
        # thousands (Chinese, Korean) slows the scan of every text, even one without a single such character.
        self._automatons = [
            (_SCRIPT_GROUPS[group], False, _automaton(keys)) for group, keys in sorted(folded.items())
        ] + [(_SCRIPT_GROUPS[group], True, _automaton(keys)) for group, keys in sorted(exact.items())]
        # Every folded key, to try the shorter ones at a place where the longest was refused.
        self._folded_keys = {key: _by_side(entries) for keys in folded.values() for key, entries in keys.items()}

    def find(self, text: str, language: str | None = None) -> list[Match]:
        """Matches in `text`, longest first where they overlap (a STOP term hides what it covers).
        Terms marked for one language count only when `language` is that one, or is None."""
        if not text:
            return []
        folded = fold(text)
        found: list[Match] = []
        terms = self.terms
        ascii_only = text.isascii()
        for present, as_written, automaton in self._automatons:
            if (ascii_only and present in _NON_ASCII) or not present.search(text):
                continue  # no letter of this script in the text
            for end_index, (length, entries, whole_word) in automaton.iter_long(text if as_written else folded):
                start = end_index + 1 - length
                if whole_word and start and _is_word_char(folded[start - 1]):
                    continue  # inside a longer word, and no entry may start there
                end = end_index + 1
                if self._accept_entries(entries, text, folded, start, end, language, found) or as_written:
                    continue
                # The longest key here was refused ("zelensk" of other languages in "Zelenskému"): try the
                # shorter keys starting at the same place ("zelen", the Czech stem).
                for shorter in range(end - 1, start, -1):
                    others = self._folded_keys.get(folded[start:shorter])
                    if others and self._accept_entries(others, text, folded, start, shorter, language, found):
                        break
        if len(found) < 2:
            return [m for m in found if terms[m.term_id].side != STOP]
        return _longest(found, terms)

    def _accept_entries(
        self,
        sides: tuple[tuple[_Key, ...], ...],
        text: str,
        folded: str,
        start: int,
        end: int,
        language: str | None,
        found: list[Match],
    ) -> bool:
        """Add a match for each side of a key that stands at folded[start:end]; any added?"""
        prev_is_word = start > 0 and _is_word_char(folded[start - 1])
        rest = _WORD_RUN.match(folded, end).group() if end < len(folded) else ""
        added = False
        for entries in sides:
            for entry in entries:
                only = entry.only_language
                if only and language is not None and not same_language(language, only):
                    continue
                word_end = _accept(folded, start, end, entry, prev_is_word, rest)
                if word_end is None or (entry.surname and _followed_by_name(text, word_end)):
                    continue
                found.append(Match(entry.term_id, start, word_end, text[start:word_end]))
                added = True
                break
        return added


# Scripts, by the first character of a key; each has a test for whether a text holds any of its letters.
_SCRIPT_GROUPS = {
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]"),
    "cyrillic": re.compile(r"[\u0400-\u052f]"),
    "arabic": re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]"),
    "devanagari": re.compile(r"[\u0900-\u097f]"),
    "hangul": re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]"),
    "cjk": re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]"),
    "other": re.compile(r"[^\s]"),
}


_NON_ASCII = tuple(_SCRIPT_GROUPS[g] for g in ("cyrillic", "arabic", "devanagari", "hangul", "cjk"))


def _script_group(key: str) -> str:
    first = key.lstrip()[:1]
    for group, pattern in _SCRIPT_GROUPS.items():
        if pattern.match(first):
            return group
    return "other"


def _by_side(entries: list[_Key]) -> tuple[tuple[_Key, ...], ...]:
    """A key's entries grouped by side: at one place, the first entry of a side that stands wins."""
    groups: dict[tuple[str, str], list[_Key]] = {}
    for entry in entries:
        groups.setdefault(entry.side, []).append(entry)
    return tuple(tuple(group) for group in groups.values())


def _automaton(keys: dict[str, list[_Key]]):  # noqa: ANN202 - pyahocorasick's type
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for key, entries in keys.items():
        # True when every entry must start a word: a match inside a word is dropped before looking at them.
        whole_word = all(
            e.rules.boundaries == "words" and not e.rules.prefixes or (e.rules.boundaries == "short" and len(key) == 1)
            for e in entries
        )
        automaton.add_word(key, (len(key), _by_side(entries), whole_word))
    if not keys:
        automaton.add_word("\x00\x00", (2, (), False))  # an empty automaton cannot be searched
    automaton.make_automaton()
    return automaton


def _accept(folded: str, start: int, end: int, key: _Key, prev_is_word: bool, rest: str) -> int | None:
    """Where the matched word ends, if the match at folded[start:end] stands as a word of its language;
    `prev_is_word`: a letter precedes it; `rest`: the letters that follow it in the same word."""
    rules = key.rules
    if rules.boundaries == "none":
        return end
    if prev_is_word and not (rules.boundaries == "short" and end - start > 1):
        if not rules.prefixes:
            return None
        word_start = start - 1
        while word_start > 0 and _is_word_char(folded[word_start - 1]):
            word_start -= 1
        if folded[word_start:start] not in rules.prefixes:
            return None
    if not rest:
        return end
    if rules.free_suffix:  # Korean: keep the term, not its particle, as the matched text
        return end if (rules.boundaries != "short" or end - start > 1 or rest in rules.endings) else None
    if rest in rules.endings or (key.own_ending and key.own_ending + rest in rules.endings):
        return end + len(rest)
    if rules.compounds and end - start >= 5 and not key.exact_prefix:
        return end + len(rest)  # the whole compound, as found ("Russlandreise")
    if key.stem is not None:
        word = folded[start : end + len(rest)].split()[-1]
        if rules.stem(word) == key.stem:
            return end + len(rest)
    return None


def _rules_for_script(text: str, rules: dict[str, Rules]) -> Rules:
    """How a user's extra term attaches: as Korean words do if it is in Hangul, as Japanese/Chinese if in
    CJK characters or kana, else as a whole word."""
    script = script_of(text)
    if script == "HANGUL" and "ko" in rules:
        return rules["ko"]
    if script in ("CJK", "HIRAGANA", "KATAKANA") and "ja" in rules:
        return rules["ja"]
    return Rules(code="settings")


def _followed_by_name(text: str, end: int) -> bool:
    """A capitalised word right after `end`, joined by a space or hyphen ("Kim Keon-hee", "Kim Ki-duk")."""
    after = text[end : end + 2]
    return len(after) == 2 and after[0] in " -‐" and after[1].isupper()


def _longest(found: list[Match], terms: list[Term]) -> list[Match]:
    """Drop matches inside a longer one ("Korea" inside "South Korea"); drop STOP matches themselves."""
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Match] = []
    covered_to = -1
    span_sides: set[tuple[str, str]] = set()  # sides already kept for the span of kept[-1]
    for match in found:
        term = terms[match.term_id]
        same_span = bool(kept) and (match.start, match.end) == (kept[-1].start, kept[-1].end)
        if match.start < covered_to and not (same_span and (term.side, term.country) not in span_sides):
            continue  # inside a longer match (a second side of the very same word is kept: "日朝")
        if not same_span:
            span_sides = set()
        span_sides.add((term.side, term.country))
        kept.append(match)
        covered_to = max(covered_to, match.end)
    return [m for m in kept if terms[m.term_id].side != STOP]


def _keys(term: Term, rules: Rules) -> set[str]:
    """The folded strings to look for: the term, its inflected forms (pymorphy3 for Russian and Ukrainian) and,
    where the language strips endings, its stem."""
    base = fold(term.text)
    keys = {base}
    if rules.code in ("ru", "uk") and not term.case_sensitive:
        keys |= _inflections(base, rules.code)
    if rules.strip and not term.case_sensitive:
        keys |= {_strip(k, rules.endings) for k in list(keys)}
        keys |= _vary_inner_words(base, rules.endings)
    return {k for k in keys if k.strip()}


def _vary_inner_words(key: str, endings: frozenset[str], limit: int = 400) -> set[str]:
    """For a phrase in a language with case endings, every ending on the words before the last one ("Korea
    Północna" → "korei północn", "koreą północn"...), the last one stripped (its ending is checked when matching)."""
    words = key.split()
    if len(words) < 2:
        return set()
    options = []
    for word in words[:-1]:
        stem = _strip(word, endings)
        options.append({word} | ({stem + e for e in endings} | {stem} if stem != word else set()))
    total = 1
    for o in options:
        total *= len(o)
    if total > limit:
        return set()
    import itertools

    last = _strip(words[-1], endings)
    return {" ".join([*combo, last]) for combo in itertools.product(*options)}


def _strip(key: str, endings: frozenset[str], min_stem: int = 4) -> str:
    """`key` with the longest of `endings` cut off its last word, keeping at least `min_stem` letters."""
    head, _, last = key.rpartition(" ")
    for ending in sorted(endings, key=len, reverse=True):
        if ending and last.endswith(ending) and len(last) - len(ending) >= min_stem:
            last = last[: -len(ending)]
            break
    return f"{head} {last}" if head else last


@functools.cache
def _morph(code: str):  # noqa: ANN202 - pymorphy3's type
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=code)


_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")


def _inflections(phrase: str, code: str) -> set[str]:
    """Every case form of a one- or two-word phrase ("северная корея" → "северной кореи", ...)."""
    words = phrase.split()
    if len(words) > 2 or not all(w.isalpha() for w in words):
        return set()
    morph = _morph(code)
    parses = [morph.parse(w)[0] for w in words]
    if len(words) == 1:
        return {f.word for f in parses[0].lexeme}
    forms = set()
    for case in _CASES:
        inflected = [p.inflect({case}) for p in parses]
        if all(inflected):
            forms.add(" ".join(f.word for f in inflected))
    return forms


def script_of(text: str) -> str:
    """The main script of a text, by Unicode names of its letters ("LATIN", "CYRILLIC", "HANGUL"...)."""
    counts: dict[str, int] = {}
    for ch in text[:2000]:
        if ch.isalpha():
            name = unicodedata.name(ch, "UNKNOWN").split()[0]
            counts[name] = counts.get(name, 0) + 1
    return max(counts, key=counts.get) if counts else ""


# ---------------------------------------------------------------------------------------------------------------
# The compiled lexicon, cached on disk


CACHE_VERSION = 1


def compile_lexicon(directory: Path | None, extra: list[Term]) -> tuple[Lexicon, Matcher]:
    """The lexicon of `directory` and a matcher for its terms after `extra` (the user's terms, which win where
    they overlap a built-in one).

    Building takes seconds (YAML, CLDR, pymorphy3's inflections, the automatons); a task process that scores one
    batch of feeds should not pay that each time. So the result is kept in nkru's data directory, under a name
    made from everything it depends on (the files, the extra terms, this module's code, Babel's CLDR version),
    and read back from there next time. A cache that cannot be written or read is simply rebuilt.
    """
    directory = directory or lexicon_dir()
    path = _cache_path(directory, extra)
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except Exception:  # missing, stale format, unreadable: build it
        pass
    lexicon = load(directory)
    compiled = (lexicon, Matcher([*extra, *lexicon.terms], lexicon.rules))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(compiled, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:  # a read-only data directory: scoring works, only start-up is slower
        pass
    return compiled


def _cache_path(directory: Path, extra: list[Term]) -> Path:
    from importlib.metadata import version

    digest = hashlib.sha256()
    for part in (str(CACHE_VERSION), version("babel"), Path(__file__).read_text(encoding="utf-8"), repr(extra)):
        digest.update(part.encode())
    for path in sorted(directory.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return data_dir() / "cache" / f"lexicon-{digest.hexdigest()[:24]}.pickle"
