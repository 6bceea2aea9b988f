"""The pieces the relevance scorer (nkru.relevance) works with: its weights, a matched term in an item (`Hit`),
the verdict (`Relevance`) and the small helpers that name matches in reason lines."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from nkru.lexicon import (
    ASIDE,
    BACKGROUND,
    BOTH,
    COUNTRY,
    CUE,
    HOST,
    JOINT,
    KOREA,
    LIST_CUE,
    NK,
    PARALLEL,
    RANKING,
    RU,
    SOUTH,
    TRAVEL,
    Term,
)

TITLE_FACTOR = 1.0  # a term in the title ...
SUMMARY_FACTOR = 0.5  # ... counts twice as much as in the summary
LIST_FACTOR = 0.3  # a mention inside an enumeration of countries
SIDE_CAP = 1.5  # repeating one country's names can only go so far
TOGETHER_TITLE = 0.6  # both sides in one sentence of the title
TOGETHER_SUMMARY = 0.5  # ... of the summary
TOGETHER_LEDE = 0.5  # one side in the title with a beat word, the other in the summary's first sentence
CUE_BONUS = 0.1  # per distinct beat word
CUE_CAP = 0.3
SOUTH_PENALTY = 0.15  # per distinct South Korea cue, taken off the North Korea side
SOUTH_CAP = 0.45
PASSER_FACTOR = 0.5  # sides that are passers-by of a third country's relation
LIST_MIN_COUNTRIES = 3  # "Iran, North Korea and Russia" is a list; "Iran and North Korea supply Russia" is not
LIST_CUE_REACH = 30  # characters between "adversaries such as" and the first country of the list
HOST_REACH = (
    60  # at most this many characters from a host to its guest ("Xi Jinping receives the North Korean premier")
)
TRAVEL_REACH = 12  # at most this many characters between an onward-trip word and its destination
PAIR_GAP = 12  # at most this many characters between the two parties of a pair ("China and North Korea")
MAX_CHARS = 20_000  # of a title or summary; the rest is not read (the reason says so)

TITLE, SUMMARY = "title", "summary"
LEDE = "lede"  # "together": the title and the summary's first sentence
# Scripts the lexicon files are written in (first word of the Unicode names of their letters); "" = no letters.
COVERED_SCRIPTS = frozenset({"", "LATIN", "CYRILLIC", "HANGUL", "CJK", "HIRAGANA", "KATAKANA", "ARABIC", "DEVANAGARI"})
SIDE_NAMES = {
    NK: "North Korea",
    RU: "Russia",
    BOTH: "both",
    SOUTH: "South Korea",
    KOREA: "Korea",
    CUE: "topic",
    LIST_CUE: "list word",
    COUNTRY: "other country",
    RANKING: "ranking or list",
    ASIDE: "other subject",
    BACKGROUND: "background",
    HOST: "host word",
    JOINT: "joint statement",
    TRAVEL: "onward trip",
    PARALLEL: "parallel actors",
}

# A sentence ends at . ! ? (and their Arabic, Devanagari and CJK forms) followed by a space, not after an initial
# ("D.P.R.K.", "U.S.") or a title ("Mr."), or at a line break.
_SENTENCE_END = re.compile(r"[.!?…؟]+(?=\s|$)|[。！？।\n]")
_NOT_AN_END = re.compile(r"(?:\b[A-Z]|\bMr|\bMs|\bDr|\bSt|\bNo)\.$")  # "D.P.R.K.", "U.S.", "Mr."
# A period before a word in lower case ends no sentence: an abbreviation ("1,2 тыс. рабочих", "ok. tysiąc") or an
# ordinal number ("zajęła 28. miejsce", "12. marca", "1989. gadā"), as Slavic, Baltic, Hungarian and German write it.
_NEXT_WORD = re.compile(r"[ \t]+(\w)")
# One more item of an enumeration that the lexicon does not know: "Russia, Belarus, Iran" with Belarus unknown.
_LIST_ITEM = re.compile(r"\s*[,、،]\s*[^\W\d_][\w'’-]*(?:\s[^\W\d_][\w'’-]*)?\s*[,、،]\s*")
_POSSESSIVE = r"['’]s\b|\bthe\b"


@dataclass(frozen=True)
class Contribution:
    """One matched term, for `nkru explain`: as found, its side, kind and what it added to its side."""

    text: str
    side: str  # "North Korea", "Russia", "both", "South Korea", "topic", "other country: China"...
    kind: str
    weight: float  # after the title/summary and list factors
    field: str
    listed: bool
    language: str  # the lexicon file it comes from


@dataclass(frozen=True)
class Relevance:
    """The verdict on one item, stored with it (articles.score, relevant, matched_terms, reason)."""

    score: float
    relevant: bool  # score >= settings.threshold
    terms: tuple[str, ...]  # the terms that matched, as found, deduplicated, strongest first (beat words last)
    reason: str  # one line, for analysts
    parties: str = ""  # "North Korea and Russia as the two parties" / "North Korea paired with Japan" / ""
    contributions: tuple[Contribution, ...] = ()  # every match, for `nkru explain`


class Hit:
    """One match of one term in the title or the summary. (A plain class with slots: items are scored by the
    hundred thousand, and a dataclass's generated __init__ costs more.)"""

    __slots__ = (
        "term_id",
        "term",
        "key",
        "text",
        "field",
        "start",
        "end",
        "sentence",
        "nk",
        "ru",
        "weight",
        "listed",
        "lower",
    )

    def __init__(self, term_id: int, term: Term, key: str, text: str, field: str, start: int, end: int, sentence: int):
        self.term_id = term_id
        self.term = term
        self.key = key  # the term's folded text: one per distinct name, whichever file it comes from
        self.text = text
        self.field = field
        self.start = start
        self.end = end
        self.sentence = sentence
        side = term.side
        self.nk = side == NK or side == BOTH  # counts for North Korea
        self.ru = side == RU or side == BOTH  # counts for Russia
        self.weight = term.weight * (TITLE_FACTOR if field == TITLE else SUMMARY_FACTOR)  # what it adds to its side
        self.listed = False
        self.lower = text.lower()  # for naming it once among others (see names_of)

    def mark_listed(self) -> None:
        if not self.listed:
            self.listed = True
            self.weight *= LIST_FACTOR

    def counts_for(self, side: str) -> bool:
        return self.nk if side == NK else self.ru if side == RU else False

    @property
    def place_key(self) -> str:
        """The country this mention names, for lists and pairs."""
        return self.term.country if self.term.side == COUNTRY else self.term.side


def sentence_ends(text: str) -> list[int]:
    """Where each sentence ends: at . ! ? (and their Arabic, Devanagari and CJK forms) before a space, not after
    an initial ("D.P.R.K.", "U.S.") or a title ("Mr."), and at line breaks."""
    return [
        m.end()
        for m in _SENTENCE_END.finditer(text)
        if not _NOT_AN_END.search(text, max(0, m.end() - 4), m.end()) and not _goes_on(text, m.end())
    ]


# A wire dateline opening the summary ("МОСКВА, 3 ноября.", "Москва, 12 април /БТА/.", "Київ, 14 лютого 2027
# (Укрінформ).", "ПХЕНЬЯН, 9 июля — РИА Новости.") or an agency tag standing alone ("/ТАСС/."): not a sentence.
_DATELINE = re.compile(
    r"\s*(?:[^\W\d_][^\n,.!?]{0,30},\s*\d{1,2}\.?\s*[^\W\d_]+\.?(?:,?\s*\d{4})?"
    r"(?:\s*(?:/[^/\n]{1,25}/|\([^()\n]{1,25}\)|[—–-]+\s*[^\n.!?]{1,25}|,\s*[^\n.!?]{1,25}))?"
    r"|/[^/\n]{1,25}/|\([^()\n]{1,25}\))\."
)


def without_dateline(text: str, summary_start: int, ends: list[int]) -> list[int]:
    """The sentence ends, less those of a wire dateline opening the summary (see `_DATELINE`): the dateline and the
    agency tag are part of the first sentence, so the lede is the news ("МОСКВА, 3 ноября. /ТАСС/. Козлов и ...")."""
    pos, dropped = summary_start, set()
    while (m := _DATELINE.match(text, pos)) and m.end() in ends:
        dropped.update(e for e in ends if pos < e <= m.end())
        pos = m.end()
    return [e for e in ends if e not in dropped] if dropped else ends


def _goes_on(text: str, end: int) -> bool:
    """Whether the word after a period is in lower case: the sentence goes on (see `_NEXT_WORD`)."""
    nxt = _NEXT_WORD.match(text, end)
    return nxt is not None and nxt.group(1).islower()


def names_of(hits: Iterable[Hit]) -> list[str]:
    """Distinct terms as found, in order of appearance (one surface form per term)."""
    seen: set[str] = set()
    names = []
    for hit in hits:
        folded = hit.lower
        if hit.key in seen or folded in seen:
            continue
        seen.update((hit.key, folded))
        names.append(hit.text)
    return names


def short(names: list[str], limit: int = 3) -> str:
    more = f", +{len(names) - limit}" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
