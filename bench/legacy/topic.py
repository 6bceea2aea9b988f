"""Is a news item about North Korea–Russia relations? A transparent weighted-term scorer.

Analysts must be able to see why an item was kept or dropped, so the score is a short sum of named parts,
each visible in `Relevance.reason`:

* **both sides** — the weaker of the North Korea side and the Russia side. A side's strength is the sum of the
  weights of its distinct terms (see `nkru.topic_terms`), a title mention counting twice a summary mention, capped
  at `SIDE_CAP`. Taking the weaker side means one country mentioned many times, the other not at all, scores 0.
* **together** — a bonus when both sides are in one sentence (more in the title than in the summary).
* **topic** — a small bonus per beat word (treaty, troops, rail, tourism...), only when both sides are present,
  capped so that it can never make an item relevant on its own.
* **South Korea** — cues such as Seoul, Yonhap or Yoon lower the North Korea side: "Korea" there is the South.
* **lists** — a mention inside an enumeration of three or more countries ("sanctions on Iran, Syria, Cuba,
  Russia, North Korea and Venezuela") or a generic list ("adversaries such as Russia and North Korea") counts
  for `LIST_FACTOR` of its weight and never counts as "together".

With the default threshold of 1.0 an item is relevant when both countries are named outright in the title, or
both sides share a sentence of the summary, or the side missing from the title is named by two different terms
in the summary ("Lavrov arrives for talks" / "He will meet Choe Son Hui in Pyongyang"). One country in the title
and the other mentioned once, in passing, in the summary is not enough.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.legacy.topic_terms import ALL_TERMS, BOTH, COUNTRY, CUE, KOREA, LIST_CUE, NK, RU, SOUTH, Term
from nkru.config import TopicConfig

TITLE_FACTOR = 1.0  # a term in the title ...
SUMMARY_FACTOR = 0.5  # ... counts twice as much as in the summary
LIST_FACTOR = 0.3  # a mention inside an enumeration of countries
SIDE_CAP = 1.5  # repeating one country's names can only go so far
TOGETHER_TITLE = 0.6  # both sides in one sentence of the title
TOGETHER_SUMMARY = 0.5  # ... of the summary
CUE_BONUS = 0.1  # per distinct beat word
CUE_CAP = 0.3
SOUTH_PENALTY = 0.15  # per distinct South Korea cue, taken off the North Korea side
SOUTH_CAP = 0.45
LIST_MIN_COUNTRIES = 3  # "Iran, North Korea and Russia" is a list; "Iran and North Korea supply Russia" is not
LIST_CUE_REACH = 30  # characters between "adversaries such as" and the first country of the list

TITLE, SUMMARY = "title", "summary"

# A sentence ends at . ! ? followed by a space (but not after an initial as in "D.P.R.K." or "U.S."), at 。
# or at a line break.
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bNo)[.!?…]+(?=\s|$)|[。\n]")
# What may separate two countries of one enumeration: commas, "and", Korean particles, "the", a possessive.
_LIST_GAP = re.compile(
    r"(?:\s|[,;/&·、]|\band\b|\bor\b|\bthe\b|\bи\b|\bили\b|및|와|과|그리고|['’]s\b)*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Relevance:
    """The verdict on one item, stored with it (articles.score, relevant, matched_terms, reason)."""

    score: float
    relevant: bool  # score >= settings.threshold
    terms: tuple[str, ...]  # the terms that matched, as found, deduplicated, strongest first (beat words last)
    reason: str  # one line, for analysts


@dataclass
class _Hit:
    """One match of one term in the title or the summary."""

    term_id: int
    term: Term
    text: str
    field: str
    start: int
    end: int
    sentence: int
    listed: bool = False

    @property
    def weight(self) -> float:
        """What this mention contributes to its side."""
        field = TITLE_FACTOR if self.field == TITLE else SUMMARY_FACTOR
        return self.term.weight * field * (LIST_FACTOR if self.listed else 1.0)

    def counts_for(self, side: str) -> bool:
        return self.term.side == side or (self.term.side == BOTH and side in (NK, RU))


class Scorer:
    """Scores items for North Korea–Russia relevance. Build once (it compiles the terms), call `score` often."""

    def __init__(self, settings: TopicConfig | None = None) -> None:
        self.settings = settings or TopicConfig()
        extra = [_literal_term(NK, t) for t in self.settings.extra_north_korea_terms if t.strip()]
        extra += [_literal_term(RU, t) for t in self.settings.extra_russia_terms if t.strip()]
        # User terms go first so they win where they overlap a built-in term.
        self._terms: list[Term] = [*extra, *ALL_TERMS]
        self._pattern, self._group_terms = _compile(self._terms)

    def score(self, title: str, summary: str, language: str | None = None) -> Relevance:
        """Score one item. `language` is accepted but not used: feeds mislabel it, and the names of both
        countries cross scripts (a Korean item may say "KCNA"), so every term list is always applied."""
        hits = self._hits(title or "", TITLE) + self._hits(summary or "", SUMMARY)
        return _judge(hits, self.settings.threshold)

    def _hits(self, text: str, field: str) -> list[_Hit]:
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        hits = []
        for m in self._pattern.finditer(text):
            term_id = self._group_terms[m.lastindex]
            sentence = bisect.bisect_right(ends, m.start())
            hits.append(_Hit(term_id, self._terms[term_id], m.group(), field, m.start(), m.end(), sentence))
        _mark_lists(hits, text)
        return hits


def _compile(terms: Sequence[Term]) -> tuple[re.Pattern[str], list[int]]:
    """One regular expression finding every term in a single pass, and the term behind each of its groups.

    A plain alternation of a few hundred terms is tried term by term at every character (about 100 items a
    second). So the terms are sorted by the characters they can start with, and each bucket is guarded by a
    one-character lookahead, first per script, then per letter: at any position only a handful of terms are
    really tried. Within a bucket the terms keep their order, so where two could match at the same place the
    earlier one in `ALL_TERMS` still wins. A term whose first characters can't be worked out goes in a bucket
    tried everywhere.
    """
    buckets: dict[str, dict[str, list[int]]] = {}
    anywhere: list[int] = []
    for i, term in enumerate(terms):
        if re.compile(term.pattern).groups:
            raise ValueError(f"term pattern must use only non-capturing groups: {term.pattern!r}")
        firsts = _first_chars(term.pattern)
        if firsts is None:
            anywhere.append(i)
            continue
        for key in sorted({c.lower() for c in firsts}):  # the guard accepts both cases of the key
            buckets.setdefault(_script(key), {}).setdefault(key, []).append(i)

    group_terms: list[int] = [-1]  # group number -> term index (group 0 is the whole match)

    def alternatives(indexes: list[int]) -> str:
        parts = []
        for i in indexes:
            group_terms.append(i)
            body = terms[i].pattern if terms[i].case_sensitive else f"(?i:{terms[i].pattern})"
            parts.append(f"({body})")
        return "|".join(parts)

    branches = []
    for script, by_key in buckets.items():
        inner = [f"(?={_char_class(key)})(?:{alternatives(idx)})" for key, idx in by_key.items()]
        branches.append(f"(?={script})(?:{'|'.join(inner)})")
    if anywhere:
        branches.append(alternatives(anywhere))
    return re.compile("|".join(branches)), group_terms


def _script(char: str) -> str:
    """A character class for the script of `char`: the first level of the lookahead guards."""
    if char.isascii():
        return "[\\x00-\\x7f]"
    if "\u0400" <= char <= "\u04ff":
        return "[\\u0400-\\u04ff]"
    if "\uac00" <= char <= "\ud7a3":
        return "[\\uac00-\\ud7a3]"
    return "[^\\x00-\\x7f\\u0400-\\u04ff\\uac00-\\ud7a3]"


def _char_class(key: str) -> str:
    variants = {key, key.upper(), key.lower()}
    return "[" + "".join(re.escape(c) for c in sorted(variants)) + "]"


def _first_chars(pattern: str) -> frozenset[str] | None:
    """The characters a match of `pattern` can start with, or None if that is not simply a small set.
    Uses the standard library's regular-expression parser (`re._parser`)."""
    try:
        from re import _parser

        tree = _parser.parse(pattern)
    except Exception:  # a private module: if it ever changes, fall back to trying the term everywhere
        return None
    chars, nullable = _first(tree)
    return None if chars is None or nullable or not chars else frozenset(chars)


def _first(items: Iterable[tuple[Any, Any]]) -> tuple[set[str] | None, bool]:
    """(first characters, can match empty) of a parsed sequence of regular-expression items."""
    from re import _constants as c

    out: set[str] = set()
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        if op is c.LITERAL:
            return out | {chr(av)}, False
        if op is c.IN:
            charset = _charset(av)
            return (None, False) if charset is None else (out | charset, False)
        if op is c.SUBPATTERN:
            firsts, nullable = _first(av[-1])
        elif op is c.BRANCH:
            results = [_first(branch) for branch in av[1]]
            if any(f is None for f, _ in results):
                return None, False
            firsts = set().union(*(f for f, _ in results))
            nullable = any(n for _, n in results)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, _high, inner = av
            firsts, nullable = _first(inner)
            nullable = nullable or low == 0
        else:
            return None, False
        if firsts is None:
            return None, False
        out |= firsts
        if not nullable:
            return out, False
    return out, True


def _charset(items: Iterable[tuple[Any, Any]]) -> set[str] | None:
    from re import _constants as c

    chars: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            chars.add(chr(av))
        elif op is c.RANGE and av[1] - av[0] < 64:
            chars.update(chr(code) for code in range(av[0], av[1] + 1))
        else:
            return None
    return chars


def _literal_term(side: str, text: str) -> Term:
    """A user's extra term from the settings, weighing as much as "North Korea" or "Russia": matched literally, as
    a whole word where it starts or ends with a letter of a spaced script (not Korean, where particles follow);
    case-sensitive when written all in capitals (an acronym like "KPA")."""
    text = text.strip()
    body = r"\s+".join(re.escape(word) for word in text.split())
    if re.match(r"[^\W가-힣]", text):
        body = r"\b" + body
    if re.search(r"[^\W가-힣]$", text):
        body += r"\b"
    return Term(side, 1.0, body, case_sensitive=text.isupper())


def _mark_lists(hits: list[_Hit], text: str) -> None:
    """Flag the country mentions that sit in an enumeration: a run of countries separated only by commas,
    "and" or particles, either of `LIST_MIN_COUNTRIES` or more ("Iran, North Korea and Russia"), or of two
    introduced by a generic-list word ("adversaries such as Russia and North Korea", "중국·러시아 등")."""
    places = [h for h in hits if h.term.side in (NK, RU, BOTH, COUNTRY, SOUTH)]
    list_cues = [h for h in hits if h.term.side == LIST_CUE]
    for run in _runs(places, text):
        countries = _countries(run)
        introduced = any(
            c.sentence == run[0].sentence
            and (
                0 <= run[0].start - c.end <= LIST_CUE_REACH  # "adversaries such as" Russia and North Korea
                or 0 <= c.start - run[-1].end <= 3  # 러시아, 북한 "등"
            )
            for c in list_cues
        )
        if len(countries) >= LIST_MIN_COUNTRIES or (len(countries) >= 2 and introduced):
            for hit in run:
                hit.listed = True


def _runs(places: list[_Hit], text: str) -> Iterable[list[_Hit]]:
    """Maximal runs of place mentions with nothing but list separators between neighbours."""
    run: list[_Hit] = []
    for hit in places:
        if run and not _LIST_GAP.fullmatch(text, run[-1].end, hit.start):
            yield run
            run = []
        run.append(hit)
    if run:
        yield run


def _countries(run: Iterable[_Hit]) -> set[str]:
    keys: set[str] = set()
    for hit in run:
        side = hit.term.side
        if side == BOTH:
            keys.update((NK, RU))
        elif side == COUNTRY:
            keys.add(hit.term.key)
        else:
            keys.add(side)
    return keys


# ---------------------------------------------------------------------------------------------------------------
# From hits to a verdict


def _judge(hits: list[_Hit], threshold: float) -> Relevance:
    south = _names(h for h in hits if h.term.side == SOUTH)
    penalty = min(SOUTH_CAP, SOUTH_PENALTY * len(south))
    nk = min(SIDE_CAP, max(0.0, _strength(hits, NK) - penalty))
    ru = min(SIDE_CAP, _strength(hits, RU))
    pair = min(nk, ru)
    together = _together(hits) if pair > 0 else None
    bonus = {TITLE: TOGETHER_TITLE, SUMMARY: TOGETHER_SUMMARY, None: 0.0}[together]
    cues = _names(h for h in hits if h.term.side == CUE) if pair > 0 else []
    score = round(pair + bonus + min(CUE_CAP, CUE_BONUS * len(cues)), 3)
    relevant = score >= threshold
    terms = _ordered_terms([h for h in hits if h.term.side in (NK, RU, BOTH) or (pair > 0 and h.term.side == CUE)])
    reason = _reason(hits, relevant, together, cues, south, score, threshold)
    return Relevance(score=score, relevant=relevant, terms=terms, reason=reason)


def _strength(hits: list[_Hit], side: str) -> float:
    """Sum over the side's distinct terms of each term's best mention."""
    best: dict[int, float] = {}
    for hit in hits:
        if hit.counts_for(side):
            best[hit.term_id] = max(best.get(hit.term_id, 0.0), hit.weight)
    return sum(best.values())


def _together(hits: list[_Hit]) -> str | None:
    """The field (title first) with a sentence naming both sides outside any list, or None."""
    for field in (TITLE, SUMMARY):
        sentences_nk = {h.sentence for h in hits if h.field == field and not h.listed and h.counts_for(NK)}
        sentences_ru = {h.sentence for h in hits if h.field == field and not h.listed and h.counts_for(RU)}
        if sentences_nk & sentences_ru:
            return field
    return None


def _names(hits: Iterable[_Hit]) -> list[str]:
    """Distinct terms as found, in order of appearance (one surface form per term)."""
    seen_ids: set[int] = set()
    seen_text: set[str] = set()
    names = []
    for hit in hits:
        folded = hit.text.casefold()
        if hit.term_id in seen_ids or folded in seen_text:
            continue
        seen_ids.add(hit.term_id)
        seen_text.add(folded)
        names.append(hit.text)
    return names


def _ordered_terms(hits: list[_Hit]) -> tuple[str, ...]:
    """Each matched term once (its strongest mention, as found), strongest first, then in order of appearance;
    beat words (which add only a little) after the country terms."""
    best: dict[int, _Hit] = {}
    for hit in hits:
        if hit.term_id not in best or hit.weight > best[hit.term_id].weight:
            best[hit.term_id] = hit
    order = sorted(
        best.values(),
        key=lambda h: (h.term.side == CUE, -h.weight, h.field != TITLE, h.start),
    )
    return tuple(_names(order))


def _reason(
    hits: list[_Hit],
    relevant: bool,
    together: str | None,
    cues: list[str],
    south: list[str],
    score: float,
    threshold: float,
) -> str:
    """One line saying what decided the score."""
    nk = _names(h for h in hits if h.counts_for(NK))
    ru = _names(h for h in hits if h.counts_for(RU))
    korea = _names(h for h in hits if h.term.side == KOREA)
    south_note = f"Korea here is South Korea ({_short(south)})" if south else ""
    if not nk and korea and not south_note:
        south_note = f"'{korea[0]}' alone is not North Korea"
    if not nk or not ru:
        if nk:
            text = f"only North Korea mentioned ({_short(nk)})"
        elif ru:
            text = f"only Russia mentioned ({_short(ru)})"
        else:
            text = "neither North Korea nor Russia mentioned"
        return "; ".join(filter(None, [text, south_note]))

    sides = f"North Korea ({_short(nk)}) and Russia ({_short(ru)})"
    if together:
        text = f"{sides} in one sentence of the {together}"
    elif listed_side := _only_in_lists(hits):
        listed = _names(h for h in hits if h.listed)
        text = f"{listed_side} named only in a list ({_short(listed, 6)})"
    else:
        where_nk, where_ru = _fields(hits, NK), _fields(hits, RU)
        text = f"North Korea ({_short(nk)}) in the {where_nk}, Russia ({_short(ru)}) in the {where_ru}"
    notes = [text]
    if cues:
        notes.append(f"topic: {_short(cues)}")
    if south:
        notes.append(f"South Korea cues ({_short(south)}) weaken the North Korea side")
    if not relevant:
        notes.append(f"{score:g} is below {threshold:g}")
    return "; ".join(notes)


def _only_in_lists(hits: list[_Hit]) -> str:
    """Which side(s) are named only inside enumerations: "both", "North Korea", "Russia" or ""."""
    nk = all(h.listed for h in hits if h.counts_for(NK))
    ru = all(h.listed for h in hits if h.counts_for(RU))
    return "both" if nk and ru else "North Korea" if nk else "Russia" if ru else ""


def _fields(hits: list[_Hit], side: str) -> str:
    fields = [f for f in (TITLE, SUMMARY) if any(h.field == f and h.counts_for(side) for h in hits)]
    return " and ".join(fields)


def _short(names: list[str], limit: int = 3) -> str:
    more = f", +{len(names) - limit}" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
