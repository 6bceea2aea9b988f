"""Finding gazetteer names in text of any language, inflected forms included, in one pass.

Each text is cut into words (letters, marks and digits; every Han or kana character is a word of its own, since
Chinese and Japanese do not separate words), each word is folded like an alias key and reduced to the base of a
gazetteer word it inflects ("Путиным" -> "путин", "Korei" -> "kore", "러시아와" -> "러시아", "وروسيا" -> "روسيا"),
and the sequence of bases is searched for every gazetteer spelling at once with an Aho-Corasick automaton
(pyahocorasick). The endings and prefixes each language may add are data (``config/gazetteer/inflections.yaml``);
a word is only ever reduced to a base some gazetteer spelling has, so ordinary words are never stemmed into names.

Case matters where the script has it: a spelling written with a capital matches only a word written with one
("Chad", "Turkey"), and an acronym only in capitals ("US" is not "us").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, count, islice
from operator import add

import ahocorasick
import regex

from nkru.aliases import alias_key
from nkru.entities.gazetteer import GazetteerEntry

_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}"
# How a text is cut into words, by the language's `words:` rule: letters and digits (the default, and the fastest);
# with combining marks (Devanagari vowel signs); or every Han or kana character on its own (Chinese, Japanese).
WORDS = {
    "letters": re.compile(r"[^\W_]+"),
    "marks": regex.compile(r"[\p{L}\p{M}\p{N}]+"),
    "cjk": regex.compile(rf"[{_CJK}]|(?:(?![{_CJK}])[\p{{L}}\p{{M}}\p{{N}}])+"),
}
WORD = WORDS["cjk"]  # spellings are always cut this way, so a name is the same words whatever the text's rule
DEFAULT_MIN_BASE = 3


@dataclass(frozen=True)
class Match:
    """A gazetteer name found in a text: character offsets, the entry, and the text as written."""

    start: int
    end: int
    entry: GazetteerEntry
    text: str


@dataclass(frozen=True)
class _Pattern:
    entries: tuple[GazetteerEntry, ...]
    capital: bool  # every spelling starts with a capital: so must the text
    acronym: bool  # every spelling is in capitals: so must the text


class Matcher:
    """The gazetteer of one language, compiled: `find(text)` returns its names in the text, longest first."""

    def __init__(self, entries: Iterable[GazetteerEntry], rules: dict | None = None):
        rules = rules or {}
        self.endings = _affixes(rules.get("endings"))
        self.prefixes = _affixes(rules.get("prefixes"))
        self.min_base = int(rules.get("min_base", DEFAULT_MIN_BASE))
        self.words = WORDS.get(rules.get("words", "letters"), WORDS["cjk"])
        self.particles = bool(rules.get("particles"))  # endings are separate words (Korean): not part of the name
        self.exact: dict[str, str] = {}  # a gazetteer word as spelled -> its base
        spellings: dict[tuple[str, ...], list[tuple[GazetteerEntry, str]]] = {}
        pending = [(entry, alias) for entry in entries for alias in entry.aliases]
        for entry, alias in pending:
            for words in _alias_words(alias):
                key = tuple(self._base_of_alias_word(w) for w in words)
                spellings.setdefault(key, []).append((entry, alias))
        self.bases = frozenset(self.exact.values())
        self._cache: dict[str, str] = {}
        self._raw_cache: dict[str, str] = {}
        self.automaton = ahocorasick.Automaton()
        self.patterns: list[_Pattern] = []
        for key, owners in spellings.items():
            entries_here = tuple(dict.fromkeys(entry for entry, _ in owners))
            aliases = [alias for _, alias in owners]
            pattern = _Pattern(
                entries_here,
                capital=all(_starts_with_capital(a) for a in aliases),
                acronym=all(_is_acronym(a) for a in aliases),
            )
            self.patterns.append(pattern)
            needle = " " + " ".join(key) + " "
            self.automaton.add_word(needle, (len(needle), len(key), len(self.patterns) - 1))
        if self.patterns:
            self.automaton.make_automaton()

    def _base_of_alias_word(self, word: str) -> str:
        base = word
        for ending in self.endings:
            if word.endswith(ending) and len(word) - len(ending) >= self.min_base:
                base = word[: -len(ending)]
                break
        self.exact.setdefault(word, base)
        return self.exact[word]

    def _base_of_raw(self, word: str) -> str:
        """The base of a word as written (folded first); cached, since news copy repeats its words."""
        found = self._raw_cache.get(word)
        if found is None:
            found = self.base(alias_key(word) or word)
            if len(self._raw_cache) < 200_000:
                self._raw_cache[word] = found
        return found

    def base(self, word: str) -> str:
        """The gazetteer base a folded word inflects, or the word itself."""
        found = self._cache.get(word)
        if found is None:
            found = self._reduce(word)
            if len(self._cache) < 200_000:
                self._cache[word] = found
        return found

    def _reduce(self, word: str) -> str:
        if word in self.exact:
            return self.exact[word]
        if word in self.bases:
            return word
        for prefix in ("", *self.prefixes):
            if not word.startswith(prefix):
                continue
            stem = word[len(prefix) :]
            if prefix and stem in self.exact:
                return self.exact[stem]
            for ending in self.endings:
                if stem.endswith(ending) and len(stem) - len(ending) >= self.min_base:
                    candidate = stem[: -len(ending)]
                    if candidate in self.bases:
                        return candidate
                    if candidate in self.exact:
                        return self.exact[candidate]
            if prefix and stem in self.bases:
                return stem
        return word

    def find(self, text: str) -> list[Match]:
        """Gazetteer names in `text`, leftmost-longest, never overlapping, in text order."""
        if not self.patterns:
            return []
        # Mostly C-level work per word (findall, dict lookups, join); Python only for words not seen before and
        # for the matches themselves.
        raw = self.words.findall(text)
        if not raw:
            return []
        bases = list(map(self._raw_cache.get, raw))
        for i in [i for i, base in enumerate(bases) if base is None]:
            bases[i] = self._base_of_raw(raw[i])
        line = " " + " ".join(bases) + " "
        # where each word starts in `line`: 1 + the lengths of the words before it + one space after each
        offsets = map(add, accumulate(map(len, bases), initial=1), count())
        starts = dict(zip(offsets, range(len(bases)), strict=False))
        found: list[tuple[int, int, _Pattern]] = []
        for end, (chars, length, number) in self.automaton.iter(line):
            first = starts.get(end - chars + 2)
            if first is not None:
                found.append((first, first + length, self.patterns[number]))
        if not found:
            return []
        last_word = max(last for _, last, _ in found)
        spans = [m.span() for m in islice(self.words.finditer(text), last_word)]
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        matches, taken = [], -1
        for first, last, pattern in found:
            if first < taken:
                continue
            start, end = spans[first][0], spans[last - 1][1]
            if self.particles:
                end = min(end, spans[last - 1][0] + len(bases[last - 1]))
            surface = text[start:end]
            if (pattern.acronym and not _is_acronym(surface)) or (
                pattern.capital and not _starts_with_capital(surface)
            ):
                continue
            matches.append(Match(start, end, _choose(pattern.entries, surface), surface))
            taken = last
        return matches


def _affixes(values: object) -> list[str]:
    """Endings or prefixes folded like alias keys, longest first (YAML reads a bare `on` as true: quote it)."""
    if not values:
        return []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"inflections: endings and prefixes must be lists of strings (quote yes/no/on/off): {values}")
    return sorted({alias_key(v) for v in values if alias_key(v)}, key=len, reverse=True)


def _alias_words(alias: str) -> list[tuple[str, ...]]:
    """The folded words of a spelling, read two ways: from its alias key ("D.P.R.K." -> "dprk") and word by word
    ("D.P.R.K." -> "d p r k"), since a text may be cut either way."""
    keyed = tuple(m.group() for m in WORD.finditer(alias_key(alias)))
    split = tuple(k for k in (alias_key(m.group()) for m in WORD.finditer(alias)) if k)
    return [w for w in dict.fromkeys((keyed, split)) if w]


def _starts_with_capital(text: str) -> bool:
    if text[:1].isupper():
        return True
    first = next((ch for ch in text if ch.isalpha()), "")
    return not first or first.lower() == first.upper() or first.isupper()


def _is_acronym(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return (
        len(letters) >= 2
        and all(ch.isupper() or ch.lower() == ch.upper() for ch in letters)
        and any(ch.isupper() for ch in letters)
    )


def _choose(entries: tuple[GazetteerEntry, ...], surface: str) -> GazetteerEntry:
    """Of the entries sharing a base sequence: a nationality for a word in lower case and anything else for a
    capitalised one (Czech "ruská" is Russian, "Ruska" is Russia), then the one with this exact spelling."""
    if len(entries) > 1:
        lower = surface[:1].islower()
        entries = tuple(e for e in entries if (e.label == "NORP") == lower) or entries
        key = alias_key(surface)
        for entry in entries:
            if any(alias_key(a) == key for a in entry.aliases):
                return entry
    return entries[0]
