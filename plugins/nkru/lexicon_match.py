"""Matching the lexicon (nkru.lexicon) in an item's text: Aho-Corasick automatons (pyahocorasick), one per
script, over the case-folded text, with each language's word-boundary and ending rules checked on each candidate;
and the compiled lexicon (terms, keys, automatons) cached on disk, since building it takes seconds.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from nkru.language import same_language
from nkru.lexicon import (
    _IS_WORD_CHAR,
    _WORD_RUN,
    BOTH,
    KOREA,
    NK,
    RU,
    SOUTH,
    STOP,
    Lexicon,
    Rules,
    Term,
    fold,
    lexicon_dir,
    load,
    script_of,
)
from nkru.lexicon_morph import _keys, _strip
from nkru.paths import data_dir

MIN_STEMMED = 5  # letters in a term's last word for its Snowball stem to count
MAX_BARE = 2  # a key of at most this many letters matches only as a whole word, without endings


@functools.lru_cache(maxsize=4096)
def _is_word_char(ch: str) -> bool:
    return bool(_IS_WORD_CHAR.match(ch))


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
            # A word with the term's Snowball stem counts too ("Oroszországgal"), but not for short names: French
            # "Tass" and Italian "tassi" (rates) share a stem.
            last_word = self.keys[term_id].split()[-1] if self.keys[term_id].strip() else ""
            stem = lang_rules.stem(last_word) if lang_rules.stemmer and len(last_word) >= MIN_STEMMED else None
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
        # The quick first pass: does the text hold any key of a side at all, standing where a word may start?
        # One automaton per script here too (a Latin text need not walk the Cyrillic and CJK keys).
        self._sided = [
            (group, _presence_automaton({k: e for k, e in keys.items() if _names_a_side(e, terms)}))
            for group, keys in sorted(folded.items())
        ]
        self._sided_as_written = _presence_automaton(
            {key: entries for keys in exact.values() for key, entries in keys.items() if _names_a_side(entries, terms)}
        )

    def may_name_a_side(self, text: str, folded: str) -> bool:
        """Whether `text` (`folded` = `fold(text)`) holds a key of North Korea, Russia or Korea where a word may
        start, endings and languages aside: when it does not, `find` would find none of them. A scan in C of the
        automatons of the scripts present and a look at the letter before each candidate; most feed items stop
        here."""
        scripts = _scripts_in(text)
        scans = [
            (automaton, folded)
            for group, automaton in self._sided
            if (group in scripts if scripts is not None else _SCRIPT_GROUPS[group].search(text))
        ]
        for automaton, haystack in [*scans, (self._sided_as_written, text)]:
            for end_index, (length, whole_word) in automaton.iter(haystack):
                start = end_index + 1 - length
                if not (whole_word and start and _is_word_char(folded[start - 1])):
                    return True
        return False

    def find(self, text: str, language: str | None = None, folded: str | None = None) -> list[Match]:
        """Matches in `text` (`folded` is `fold(text)` if already made), longest first where they overlap (a STOP
        term hides what it covers). Terms marked for one language count only when `language` is that one, or is
        None."""
        if not text:
            return []
        folded = folded if folded is not None else fold(text)
        found: list[Match] = []
        terms = self.terms
        latin_only = _scripts_in(text) is _LATIN_ONLY
        for present, as_written, automaton in self._automatons:
            if (latin_only and present in _NON_ASCII) or not present.search(text):
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
        rest = _WORD_RUN.match(folded, end).group() if end < len(folded) and _is_word_char(folded[end]) else ""
        added = False
        for entries in sides:
            for entry in entries:
                only = entry.only_language
                if only and language is not None and not same_language(language, only):
                    continue
                word_end = _accept(folded, start, end, entry, prev_is_word, rest)
                if word_end is None or (entry.surname and not _stands_as_surname(text, start, end, word_end)):
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


# Any letter of a script other than Latin (Greek to Devanagari, kana, CJK, Hangul, Arabic forms).
_NOT_LATIN = re.compile(r"[\u0370-\u1dff\u3040-\u9fff\uac00-\ud7a3\uf900-\ufaff\ufb50-\ufeff\uff66-\uff9f]")


def _scripts_in(text: str) -> frozenset[str] | None:
    """The script groups to look in: Latin alone when `text` has no other letter (one regex search, most
    items), else None: every script whose letters it holds."""
    return _LATIN_ONLY if text.isascii() or not _NOT_LATIN.search(text) else None


_LATIN_ONLY = frozenset({"latin"})


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


_PARTY_SIDES = frozenset({NK, RU, BOTH, SOUTH, KOREA})


def _names_a_side(entries: list[_Key], terms: list[Term]) -> bool:
    return any(terms[e.term_id].side in _PARTY_SIDES for e in entries)


def _presence_automaton(keys: dict[str, list[_Key]]):  # noqa: ANN202 - pyahocorasick's type
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for key, entries in keys.items():
        automaton.add_word(key, (len(key), _whole_word(key, entries)))
    if not keys:
        automaton.add_word("\x00\x00", (2, True))  # an empty automaton cannot be searched
    automaton.make_automaton()
    return automaton


def _whole_word(key: str, entries: list[_Key]) -> bool:
    """True when every entry must start a word: a match inside a word can be dropped before looking at them."""
    return all(
        e.rules.boundaries == "words" and not e.rules.prefixes or (e.rules.boundaries == "short" and len(key) == 1)
        for e in entries
    )


def _automaton(keys: dict[str, list[_Key]]):  # noqa: ANN202 - pyahocorasick's type
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for key, entries in keys.items():
        automaton.add_word(key, (len(key), _by_side(entries), _whole_word(key, entries)))
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
    if end - start <= MAX_BARE:
        return None  # a name of two letters takes no ending: Vietnamese "xin" (to ask) is not "Xi" + "n"
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


# One syllable of a romanised Korean given name (Revised Romanization and McCune-Reischauer shapes: an optional
# initial, a vowel, an optional final): "Jong", "Un", "Keon", "Yo". Words of that shape that are common in
# title-case headlines ("In", "To", "No") are not taken for one.
_KOREAN_SYLLABLE = re.compile(
    r"(?:kk|tt|pp|ss|jj|ch|ts|sh|ng|[gkncdtrlmbpsjhwy])?"
    r"(?:y[aeou]|w[aeio]|eo|eu|ae|oe|ui|[aeiouŏŭ])(?:ng|[nmlkptrgb])?",
    re.IGNORECASE,
)
_NOT_GIVEN_NAMES = frozenset(
    [
        "a",
        "an",
        "as",
        "at",
        "be",
        "by",
        "do",
        "go",
        "he",
        "in",
        "is",
        "it",
        "me",
        "my",
        "no",
        "of",
        "on",
        "or",
        "so",
        "to",
        "up",
        "we",
    ]
)


def _stands_as_surname(text: str, start: int, key_end: int, end: int) -> bool:
    """Whether a bare surname ("Kim", "Kimem", "Кима") at text[start:end] stands for the person the lexicon
    means: written with a capital where the script has one ("kim" is Vietnamese for "needle"), and not followed
    by another name ("Kim Keon-hee", "Kim Basinger"). A hyphen or dash after it joins it to another word, not to a
    given name ("Putin-Kim-Pakt", "Kim-Putin summit"). In a title-case headline every word is capitalised, so
    there only a romanised Korean given name counts as one ("Putin Hails Kim As Ally", not "Kim Ki Duk"). A
    declined surname ("Kimiga", "Kimem": its word goes on past `key_end`) is never followed by its given name."""
    if text[start].islower():
        return False
    if end > key_end:
        return True
    after = text[end : end + 2]
    if len(after) < 2 or after[0] != " " or not after[1].isupper():
        return True
    word = re.match(r"[^\W\d_]+(-[^\W\d_]+)?", text[end + 1 : end + 40])
    if word is None:
        return True
    first = word.group().split("-")[0]
    korean = bool(_KOREAN_SYLLABLE.fullmatch(first)) and first.lower() not in _NOT_GIVEN_NAMES
    if word.group(1) or not _in_title_case(text, start):
        return not korean if word.group(1) else False
    return not korean


def _in_title_case(text: str, at: int) -> bool:
    """Whether the line around `at` is a title-case headline ("Putin Hails Kim As Trusted Ally")."""
    line = text[text.rfind("\n", 0, at) + 1 : (text.find("\n", at) + 1 or len(text) + 1) - 1]
    words = [w for w in line.split() if len(w) > 3 and w[0].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _span_order(match: Match) -> tuple[int, int]:
    """Earliest first, longest first at one place (by index: a NamedTuple's attributes cost more)."""
    return match[1], match[1] - match[2]


def _longest(found: list[Match], terms: list[Term]) -> list[Match]:
    """Drop matches inside a longer one ("Korea" inside "South Korea"); drop STOP matches themselves and what they
    span exactly (Lithuanian "taip" is no stem of Taipei)."""
    found.sort(key=_span_order)
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
    stops = {(m.start, m.end) for m in kept if terms[m.term_id].side == STOP}  # one hides a name of the same span
    return [m for m in kept if terms[m.term_id].side != STOP and (m.start, m.end) not in stops]


# ---------------------------------------------------------------------------------------------------------------
# The compiled lexicon, cached on disk


CACHE_VERSION = 3
_CODE = ("lexicon.py", "lexicon_morph.py", "lexicon_match.py")  # the modules the cache depends on


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
    code = [Path(__file__).with_name(name).read_text(encoding="utf-8") for name in _CODE]
    for part in (str(CACHE_VERSION), version("babel"), *code, repr(extra)):
        digest.update(part.encode())
    for path in sorted(directory.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return data_dir() / "cache" / f"lexicon-{digest.hexdigest()[:24]}.pickle"
