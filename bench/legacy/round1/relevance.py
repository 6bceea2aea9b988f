"""Is a news item about North Korea–Russia relations, in whatever language it is written? A transparent
weighted-term scorer over the multilingual lexicon in `config/lexicon/` (see `nkru.lexicon`).

Analysts must be able to see why an item was kept or dropped, so the score is a short sum of named parts,
each visible in `Relevance.reason` (and in full in `nkru explain`):

* **both sides** — the weaker of the North Korea side and the Russia side. A side's strength is the sum of the
  weights of its distinct terms (a country's name 1.0, a minister 0.8, a news agency 0.7...), a title mention
  counting twice a summary mention, capped at `SIDE_CAP`. The weaker side decides: one country named many
  times and the other not at all scores 0.
* **together** — a bonus when both sides are in one sentence (more in the title than in the summary).
* **topic** — a small bonus per beat word (treaty, troops, rail...), only when both sides are present,
  capped so that it can never make an item relevant on its own.
* **South Korea** — cues such as Seoul, Yonhap or 한국 lower the North Korea side: "Korea" there is the South.
* **lists** — a mention inside an enumeration of three or more countries ("sanctions on Iran, Syria, Cuba,
  Russia, North Korea and Venezuela") or a generic list ("adversaries such as Russia and North Korea") counts
  for `LIST_FACTOR` of its weight and never counts as "together".
* **parties, not passers-by** — the two countries must be the two parties of one relation. When one side is
  paired with a third country ("China and North Korea", "日朝首脳会談") and North Korea and Russia are never
  paired, and either the other side is paired with a third country too ("... while the US and Russia cut
  theirs") or it is only a venue or only in the summary ("... might be held in Vladivostok", "Putin was
  among the guests"), the sides count for `PASSER_FACTOR` and the together bonus is dropped.

With the default threshold of 1.0 an item is relevant when both countries are named outright in the title, or
both sides share a sentence of the summary, or the side missing from the title is named by two different terms
in the summary ("Lavrov arrives for talks" / "He will meet Choe Son Hui in Pyongyang"). One country in the title
and the other mentioned once, in passing, in the summary is not enough.

Every language's names are always looked for (feeds mislabel their language and names cross scripts: a
Korean item may say "KCNA"); the item's detected language only switches on the few words that mean something
else in other languages (Estonian "Vene", Vietnamese "Nga") and is named in the reason when it is unknown or
has no lexicon file.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bench.legacy.round1 import lexicon as lx
from bench.legacy.round1.lexicon import (
    ASIDE,
    BOTH,
    COUNTRY,
    CUE,
    KOREA,
    LIST_CUE,
    NK,
    PLACE_KINDS,
    RANKING,
    RU,
    SOUTH,
    Term,
)
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
PASSER_FACTOR = 0.5  # sides that are passers-by of a third country's relation
LIST_MIN_COUNTRIES = 3  # "Iran, North Korea and Russia" is a list; "Iran and North Korea supply Russia" is not
LIST_CUE_REACH = 30  # characters between "adversaries such as" and the first country of the list
PAIR_GAP = 12  # at most this many characters between the two parties of a pair ("China and North Korea")
MAX_CHARS = 20_000  # of a title or summary; the rest is not read (the reason says so)

TITLE, SUMMARY = "title", "summary"
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
}

# A sentence ends at . ! ? (and their Arabic, Devanagari and CJK forms) followed by a space, not after an initial
# ("D.P.R.K.", "U.S.") or a title ("Mr."), or at a line break.
_SENTENCE_END = re.compile(r"[.!?…؟]+(?=\s|$)|[。！？।\n]")
_NOT_AN_END = re.compile(r"(?:\b[A-Z]|\bMr|\bMs|\bDr|\bSt|\bNo)\.$")  # "D.P.R.K.", "U.S.", "Mr."
# One more item of an enumeration that the lexicon does not know: "Russia, Belarus, Iran" with Belarus unknown.
_LIST_ITEM = re.compile(r"\s*[,、،]\s*[^\W\d_][\w'’-]*(?:\s[^\W\d_][\w'’-]*)?\s*[,、،]\s*")
_DASH_GAP = re.compile(r"\s*[-‐‑–—―/·・]\s*|\s+vs\.?\s+|\s+")
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


class _Hit:
    """One match of one term in the title or the summary. (A plain class with slots: items are scored by the
    hundred thousand, and a dataclass's generated __init__ costs more.)"""

    __slots__ = ("term_id", "term", "key", "text", "field", "start", "end", "sentence", "nk", "ru", "weight", "listed")

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


class Scorer:
    """Scores items for North Korea–Russia relevance. Build once (it loads the lexicon), call `score` often."""

    def __init__(self, settings: TopicConfig | None = None, lexicon_dir: Path | None = None) -> None:
        self.settings = settings or TopicConfig()
        self._compiled = _compiled(
            lexicon_dir,
            tuple(t.strip() for t in self.settings.extra_north_korea_terms if t.strip()),
            tuple(t.strip() for t in self.settings.extra_russia_terms if t.strip()),
        )

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages with a lexicon file."""
        return tuple(sorted(self._compiled.lexicon.rules))

    def score(self, title: str, summary: str, language: str | None = None, explain: bool = False) -> Relevance:
        """Score one item; `language` is its detected language (ISO 639-1), if known. With `explain`, the
        verdict lists every match (`Relevance.contributions`), for `nkru explain`."""
        title, summary = title or "", summary or ""
        notes = []
        if len(title) > MAX_CHARS or len(summary) > MAX_CHARS:
            notes.append(f"only the first {MAX_CHARS:,} characters of a longer text read")
            title, summary = title[:MAX_CHARS], summary[:MAX_CHARS]
        if language is not None and language not in self._compiled.lexicon.rules:
            notes.append(f"no lexicon for language '{language}': every language's names looked for")
        elif language is None and (script := lx.script_of(title + " " + summary)) not in COVERED_SCRIPTS:
            notes.append(f"{script.title()} script, which no lexicon covers: every language's names looked for")
        text = f"{title}\n{summary}"
        hits = self._hits(text, len(title), language)
        compiled = self._compiled
        gaps = compiled.gaps_for(language)
        verdict = _judge(hits, text, self.settings.threshold, gaps, notes, compiled.lexicon.observers)
        if explain:
            verdict = dataclasses.replace(verdict, contributions=tuple(_contribution(h) for h in hits))
        return verdict

    def _hits(self, text: str, title_length: int, language: str | None) -> list[_Hit]:
        """Every match in the title and summary (one text, a line break between them: never one sentence)."""
        matches = self._compiled.matcher.find(text, language)
        if not matches:
            return []
        terms, keys = self._compiled.matcher.terms, self._compiled.matcher.keys
        sides = {terms[m.term_id].side for m in matches}
        both = BOTH in sides or (NK in sides and RU in sides)
        # Sentences and lists matter only when both sides are named (most items name one or none).
        ends = _sentence_ends(text) if both else []
        hits = [
            _Hit(
                m.term_id,
                terms[m.term_id],
                keys[m.term_id],
                m.text,
                TITLE if m.start < title_length else SUMMARY,
                m.start,
                m.end,
                bisect.bisect_right(ends, m.start) if ends else 0,
            )  # fmt: skip
            for m in matches
        ]
        if both:
            _mark_lists(hits, text, self._compiled.gaps_for(language).enumeration)
        return hits


def _sentence_ends(text: str) -> list[int]:
    """Where each sentence ends: at . ! ? (and their Arabic, Devanagari and CJK forms) before a space, not after
    an initial ("D.P.R.K.", "U.S.") or a title ("Mr."), and at line breaks."""
    return [m.end() for m in _SENTENCE_END.finditer(text) if not _NOT_AN_END.search(text, max(0, m.end() - 4), m.end())]


@dataclass(frozen=True)
class _Compiled:
    lexicon: lx.Lexicon
    matcher: lx.Matcher
    gaps: dict[str | None, _Gaps]  # per language, filled on first use

    def gaps_for(self, language: str | None) -> _Gaps:
        if language not in self.gaps:
            self.gaps[language] = _gaps(self.lexicon, language)
        return self.gaps[language]


@functools.cache
def _compiled(lexicon_dir: Path | None, extra_nk: tuple[str, ...], extra_ru: tuple[str, ...]) -> _Compiled:
    """The lexicon with the user's extra terms, compiled once per process for each settings."""
    extra = [_user_term(NK, t) for t in extra_nk] + [_user_term(RU, t) for t in extra_ru]
    lexicon, matcher = lx.compile_lexicon(lexicon_dir, extra)
    return _Compiled(lexicon, matcher, {})


def _user_term(side: str, text: str) -> Term:
    """A user's extra term from the settings, weighing as much as a country's name: matched as a whole word
    (a Korean one may take particles), case-sensitive when written all in capitals (an acronym like "KPA")."""
    return Term(side=side, weight=1.0, text=text, language="settings", source="settings",
                case_sensitive=lx.is_acronym(text))  # fmt: skip


@dataclass(frozen=True)
class _Gaps:
    """What may stand between two country mentions, in one language."""

    enumeration: re.Pattern[str]  # in a list or an "X, Y" pairing: separators, "and"/"or", "the", "'s"
    joined: re.Pattern[str]  # between two parties of one relation with a third country: "and", "with", "-"


def _gaps(lexicon: lx.Lexicon, language: str | None) -> _Gaps:
    """The gaps of `language` (English joiners always count: names and wire copy cross languages); of every
    language when it is unknown or has no lexicon file."""
    codes = [language, "en"] if language in lexicon.rules else list(lexicon.rules)
    spaced, attached = set(), set()
    for code in codes:
        rules = lexicon.rules[code]
        bucket = attached if rules.boundaries != "words" or rules.prefixes else spaced
        bucket.update(j for j in lexicon.joiners.get(code, ()) if j.strip())
    words = "|".join(re.escape(j) for j in sorted(spaced, key=len, reverse=True))
    glued = "|".join(re.escape(j) for j in sorted(attached, key=len, reverse=True))
    joiners = [rf"(?<!\w)(?:{words})(?!\w)"] if words else []
    joiners += [f"(?:{glued})"] if glued else []
    enumeration = [r"\s", r"[,;/&·・、،\-–—]", _POSSESSIVE, *joiners]
    link = "|".join([r"(?<=\S)[-/·・](?=\S)", *joiners])  # at least one of these: a space alone joins nothing
    return _Gaps(
        re.compile(f"(?:{'|'.join(enumeration)})*", re.IGNORECASE),
        re.compile(rf"\s*(?:{link})(?:\s|{link})*", re.IGNORECASE),
    )


def _mark_lists(hits: list[_Hit], text: str, gap: re.Pattern[str]) -> None:
    """Flag the country mentions that sit in an enumeration: a run of countries separated only by commas,
    "and" or particles, either of `LIST_MIN_COUNTRIES` or more ("Iran, North Korea and Russia"), or of two
    introduced by a generic-list word ("adversaries such as Russia and North Korea", "중국·러시아 등")."""
    places = [h for h in hits if h.term.side in (NK, RU, BOTH, COUNTRY, SOUTH)]
    list_cues = [h for h in hits if h.term.side == LIST_CUE]
    if len(places) < (2 if list_cues else LIST_MIN_COUNTRIES):
        return  # too few countries for any list
    for run in _runs(places, text, gap):
        if len(run) < 2:
            continue
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
                hit.mark_listed()


def _runs(places: list[_Hit], text: str, gap: re.Pattern[str]) -> Iterable[list[_Hit]]:
    """Maximal runs of place mentions with nothing but list separators between neighbours."""
    run: list[_Hit] = []
    for hit in places:
        if run:
            last = run[-1]
            same_word = hit.start < last.end  # "日朝": one word, two countries
            joined = hit.start > last.end and bool(
                gap.fullmatch(text, last.end, hit.start) or _LIST_ITEM.fullmatch(text, last.end, hit.start)
            )
            if hit.field != last.field or not (same_word or joined):
                yield run
                run = []
        run.append(hit)
    if run:
        yield run


def _countries(run: Iterable[_Hit]) -> set[str]:
    keys: set[str] = set()
    for hit in run:
        if hit.term.side == BOTH:
            keys.update((NK, RU))
        else:
            keys.add(hit.place_key)
    return keys


# ---------------------------------------------------------------------------------------------------------------
# Parties: who is paired with whom


@dataclass(frozen=True)
class _Parties:
    nk_ru: bool  # North Korea and Russia paired ("Russia and North Korea", "Putin-Kim", "북러")
    nk_ru_title: bool  # ... in the title
    thirds: dict[str, list[str]]  # side -> the third countries it is paired with ("nk": ["Japan"])

    def passers_by(self, hits: list[_Hit], observers: frozenset[str]) -> str:
        """Why the two sides are passers-by of a third country's relation, or "" when they are not."""
        if self.nk_ru_title:
            return ""
        if NK in self.thirds and RU in self.thirds and not self.nk_ru:
            return (
                f"North Korea paired with {_and(self.thirds[NK])} and Russia with {_and(self.thirds[RU])}, "
                "never with each other"
            )
        title = [h for h in hits if h.field == TITLE and not h.listed]
        others = _names(h for h in title if h.term.side in (COUNTRY, SOUTH) and not _observer(h, observers))
        nk, ru = [h for h in title if h.nk], [h for h in title if h.ru]
        if others:
            for venue, actor in ((ru, nk), (nk, ru)):
                only_places = venue and all(h.term.kind in PLACE_KINDS for h in venue)
                if only_places and actor and not any(h.term.kind in ("leader", "official") for h in actor):
                    where = _short(_names(venue), 2)
                    return f"{_side(venue)} only as the venue ({where}) of {_side(actor)} with {_and(others)}"
            if bool(nk) != bool(ru):
                present, missing = ("North Korea", "Russia") if nk else ("Russia", "North Korea")
                return f"the title is about {present} and {_and(others)}; {missing} only in the summary"
            if nk and ru and not self.thirds:
                return f"the title names both around {_and(others)}, never together"
        if not self.thirds or self.nk_ru:
            return ""
        paired = NK if NK in self.thirds else RU
        other = RU if paired == NK else NK
        other_hits = [h for h in hits if h.counts_for(other) and not h.listed]
        name, other_name = SIDE_NAMES[paired], SIDE_NAMES[other]
        if other_hits and all(h.term.kind in PLACE_KINDS for h in other_hits):
            return f"{name} paired with {_and(self.thirds[paired])}; {other_name} only as a venue"
        if other_hits and all(h.field == SUMMARY for h in other_hits):
            return f"{name} paired with {_and(self.thirds[paired])}; {other_name} only in the summary"
        return ""


def _observer(hit: _Hit, observers: frozenset[str]) -> bool:
    """South Korea, Ukraine, the US...: states whose word on North Korea–Russia dealings is the news."""
    return hit.term.side == SOUTH or hit.term.country in observers


def _side(hits: list[_Hit]) -> str:
    return "North Korea" if hits[0].nk else "Russia"


def _parties(hits: list[_Hit], text: str, gaps: _Gaps) -> _Parties:
    """Pairs of neighbouring country mentions in one sentence: North Korea and Russia joined by "and", a comma
    or a dash ("Putin, Kim sign pact", "Russia-North Korea"), or one word naming both ("북러"); a side and a
    third country joined by "and", "with" or a hyphen ("Japan and North Korea", "日朝")."""
    places = [h for h in hits if h.term.side in (NK, RU, BOTH, COUNTRY, SOUTH) and not h.listed]
    both = [h for h in places if h.term.side == BOTH]
    nk_ru = bool(both)
    nk_ru_title = any(h.field == TITLE for h in both)
    thirds: dict[str, list[str]] = {}

    for i, a in enumerate(places):
        for b in places[i + 1 : i + 3]:
            if b.field != a.field or b.sentence != a.sentence:
                break
            same_word = b.start < a.end
            between = "" if same_word else text[a.end : b.start]
            near = same_word or len(between) <= PAIR_GAP
            sides = {a.term.side, b.term.side}
            linked = same_word or between == "" or (between.strip() and gaps.enumeration.fullmatch(between))
            if sides == {NK, RU} and near and linked:
                nk_ru = True
                nk_ru_title = nk_ru_title or a.field == TITLE
            elif near and (same_word or gaps.joined.fullmatch(between)):
                for mine, theirs in ((a, b), (b, a)):
                    if mine.term.side in (NK, RU) and theirs.term.side in (COUNTRY, SOUTH):
                        third = theirs.term.country or SIDE_NAMES[SOUTH]
                        if third not in thirds.setdefault(mine.term.side, []):
                            thirds[mine.term.side].append(third)
            if not same_word:
                break
    return _Parties(nk_ru, nk_ru_title, thirds)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# ---------------------------------------------------------------------------------------------------------------
# From hits to a verdict


def _judge(
    hits: list[_Hit],
    text: str,
    threshold: float,
    gaps: _Gaps,
    notes: list[str],
    observers: frozenset[str] = frozenset(),
) -> Relevance:
    nk_hits = [h for h in hits if h.nk]
    ru_hits = [h for h in hits if h.ru]
    if not nk_hits or not ru_hits:
        return _one_side(hits, nk_hits, ru_hits, notes)
    frame = _ranking_frame(hits)
    if frame:
        for hit in nk_hits + ru_hits:
            hit.mark_listed()
    south = _names(h for h in hits if h.term.side == SOUTH)
    penalty = min(SOUTH_CAP, SOUTH_PENALTY * len(south))
    nk = min(SIDE_CAP, max(0.0, _strength(nk_hits) - penalty))
    ru = min(SIDE_CAP, _strength(ru_hits))
    pair = min(nk, ru)
    together = _together(hits) if pair > 0 else None
    parties = _parties(hits, text, gaps) if pair > 0 else _Parties(False, False, {})
    passers = (parties.passers_by(hits, observers) or _aside(hits)) if pair > 0 else ""
    if passers:
        pair *= PASSER_FACTOR
        together = None
    bonus = {TITLE: TOGETHER_TITLE, SUMMARY: TOGETHER_SUMMARY, None: 0.0}[together]
    cues = _names(h for h in hits if h.term.side == CUE) if pair > 0 and not passers else []
    score = round(pair + bonus + min(CUE_CAP, CUE_BONUS * len(cues)), 3)
    relevant = score >= threshold
    terms = _ordered_terms([h for h in hits if h.term.side in (NK, RU, BOTH) or (pair > 0 and h.term.side == CUE)])
    reason = _reason(hits, relevant, together, cues, south, score, threshold, passers, parties, notes, frame)
    party_line = passers or ("North Korea and Russia as the two parties" if parties.nk_ru else "")
    return Relevance(
        score=score,
        relevant=relevant,
        terms=terms,
        reason=reason,
        parties=party_line,
    )


def _ranking_frame(hits: list[_Hit]) -> str:
    """The ranking or list words framing the item ("index", "blacklist"), or "": in the title, or in the summary
    when neither country is in the title."""
    words = [h for h in hits if h.term.side == RANKING]
    if not words:
        return ""
    in_title = any(h.field == TITLE and (h.nk or h.ru) for h in hits)
    framing = [h for h in words if h.field == TITLE or not in_title]
    return _short(_names(framing), 2) if framing else ""


def _aside(hits: list[_Hit]) -> str:
    """Why the item is about something else ("died", "memoir"...), or "": such a word in the title and no beat
    word there."""
    title = [h for h in hits if h.field == TITLE]
    words = [h for h in title if h.term.side == ASIDE]
    if not words or any(h.term.side == CUE for h in title):
        return ""
    return f"the story is about something else ({_short(_names(words), 2)})"


def _contribution(hit: _Hit) -> Contribution:
    side = SIDE_NAMES.get(hit.term.side, hit.term.side)
    if hit.term.side == COUNTRY:
        side = f"other country: {hit.term.country}"
    weight = hit.weight if hit.term.side in (NK, RU, BOTH) else 0.0
    return Contribution(hit.text, side, hit.term.kind, round(weight, 3), hit.field, hit.listed, hit.term.language)


def _one_side(hits: list[_Hit], nk_hits: list[_Hit], ru_hits: list[_Hit], notes: list[str]) -> Relevance:
    """The verdict on an item naming one side or neither: score 0, and which side it names."""
    nk, ru = _names(nk_hits), _names(ru_hits)
    if nk:
        text = f"only North Korea mentioned ({_short(nk)})"
    elif ru:
        text = f"only Russia mentioned ({_short(ru)})"
    else:
        text = "neither North Korea nor Russia mentioned"
    south = _names(h for h in hits if h.term.side == SOUTH)
    note = f"Korea here is South Korea ({_short(south)})" if south else ""
    if not nk and not south and (korea := [h.text for h in hits if h.term.side == KOREA]):
        note = f"'{korea[0]}' alone is not North Korea"
    terms = _ordered_terms(nk_hits or ru_hits)
    return Relevance(score=0.0, relevant=False, terms=terms, reason="; ".join(filter(None, [text, note, *notes])))


def _strength(side_hits: list[_Hit]) -> float:
    """Sum over the side's distinct terms of each term's best mention."""
    best: dict[str, float] = {}
    for hit in side_hits:
        if hit.weight > best.get(hit.key, 0.0):
            best[hit.key] = hit.weight
    return sum(best.values())


def _together(hits: list[_Hit]) -> str | None:
    """The field (title first) with a sentence naming both sides outside any list, or None."""
    for field in (TITLE, SUMMARY):
        sentences_nk = {h.sentence for h in hits if h.field == field and not h.listed and h.nk}
        sentences_ru = {h.sentence for h in hits if h.field == field and not h.listed and h.ru}
        if sentences_nk & sentences_ru:
            return field
    return None


def _names(hits: Iterable[_Hit]) -> list[str]:
    """Distinct terms as found, in order of appearance (one surface form per term)."""
    seen: set[str] = set()
    names = []
    for hit in hits:
        folded = hit.text.lower()
        if hit.key in seen or folded in seen:
            continue
        seen.update((hit.key, folded))
        names.append(hit.text)
    return names


def _ordered_terms(hits: list[_Hit]) -> tuple[str, ...]:
    """Each matched term once (its strongest mention, as found), strongest first, then in order of appearance;
    beat words (which add only a little) after the country terms."""
    best: dict[str, _Hit] = {}
    for hit in hits:
        key = hit.key
        if key not in best or hit.weight > best[key].weight:
            best[key] = hit
    order = sorted(best.values(), key=lambda h: (h.term.side == CUE, -h.weight, h.field != TITLE, h.start))
    return tuple(_names(order))


def _reason(
    hits: list[_Hit],
    relevant: bool,
    together: str | None,
    cues: list[str],
    south: list[str],
    score: float,
    threshold: float,
    passers: str,
    parties: _Parties,
    notes: list[str],
    frame: str = "",
) -> str:
    """One line saying what decided the score."""
    nk = _names(h for h in hits if h.nk)
    ru = _names(h for h in hits if h.ru)
    korea = [h.text for h in hits if h.term.side == KOREA]
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
        return "; ".join(filter(None, [text, south_note, *notes]))

    sides = f"North Korea ({_short(nk)}) and Russia ({_short(ru)})"
    if together:
        text = f"{sides} in one sentence of the {together}"
        if parties.nk_ru:
            text += " as the two parties"
    elif frame:
        text = f"{sides} named as entries of a ranking or list ({frame}), not as parties"
    elif listed_side := _only_in_lists(hits):
        listed = _names(h for h in hits if h.listed)
        text = f"{listed_side} named only in a list ({_short(listed, 6)})"
    else:
        where_nk, where_ru = _fields(hits, NK), _fields(hits, RU)
        text = f"North Korea ({_short(nk)}) in the {where_nk}, Russia ({_short(ru)}) in the {where_ru}"
    out = [text]
    if passers:
        out.append(f"passers-by: {passers}, so they count for half")
    if cues:
        out.append(f"topic: {_short(cues)}")
    if south:
        out.append(f"South Korea cues ({_short(south)}) weaken the North Korea side")
    if not relevant:
        out.append(f"{score:g} is below {threshold:g}")
    return "; ".join(out + notes)


def _only_in_lists(hits: list[_Hit]) -> str:
    """Which side(s) are named only inside enumerations: "both", "North Korea", "Russia" or ""."""
    nk = all(h.listed for h in hits if h.nk)
    ru = all(h.listed for h in hits if h.ru)
    return "both" if nk and ru else "North Korea" if nk else "Russia" if ru else ""


def _fields(hits: list[_Hit], side: str) -> str:
    fields = [f for f in (TITLE, SUMMARY) if any(h.field == f and h.counts_for(side) for h in hits)]
    return " and ".join(fields)


def _short(names: list[str], limit: int = 3) -> str:
    more = f", +{len(names) - limit}" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
