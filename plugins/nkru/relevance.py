"""Is a news item about North Korea–Russia relations, in whatever language it is written? A transparent
weighted-term scorer over the multilingual lexicon in `config/lexicon/` (see `nkru.lexicon`).

Analysts must be able to see why an item was kept or dropped, so the score is a short sum of named parts,
each visible in `Relevance.reason` (and in full in `nkru explain`):

* **both sides** — the weaker of the North Korea side and the Russia side. A side's strength is the sum of the
  weights of its distinct terms (a country's name 1.0, a minister 0.8, a news agency 0.7...), a title mention
  counting twice a summary mention, capped at `SIDE_CAP`. The weaker side decides: one country named many
  times and the other not at all scores 0.
* **together** — a bonus when both sides are in one sentence (more in the title than in the summary), or when
  the title names one side with a beat word and the summary's first sentence, the lede, names the other
  ("Cargo ship leaves Rajin" / "It is bound for a Russian port...") and no third country is in the title.
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
  among the guests"), the sides count for `PASSER_FACTOR` and the together bonus is dropped. So do they when
  the title is about something else (a birthday, a film, a memoir: `aside_words`; even next to beat words when
  no clause names both sides), and a ranking or list frame (an index, a travel ban, the death penalty:
  `ranking_words`) makes both sides entries, not parties. A third country's leader receiving one side ("Xi
  receives Kim, Putin a guest at the parade": `host_words`, the host named first in the clause) makes that side
  a guest and the other a passer-by when no clause names both; a joint statement of one side and a third
  country (`joint_words`) makes the other side its topic. A host word between the two sides pairs them ("Kim
  meets Russian delegation"); so does an onward trip ("Lavrov holds talks in Beijing, then flies to Pyongyang":
  `travel_words`). A side paired with a third country while the other is only in another clause of the title is
  a passer-by ("中朝首脳会談 プーチン氏は前日に北京を離れる"); succession stories (heir, successor:
  `succession_words`) are asides unless the title meets the two sides. Sport, weather, obituaries and art are
  asides too; market reports, UN votes and travel ads are list frames. A side named only in background sentences
  of the summary ("... in which North Korean troops fought for Russia last year": `background_words`) and never in
  the title is a passer-by. Two countries side by side in the title ("Russia and North Korea", "俄罗斯和朝鲜") are
  parallel actors, not parties, when they are the joint subject of a thing each does apart (hackers, condemning a
  third party, staying away, voting: `parallel_words`; not with `reciprocal_words` such as "each other", nor two
  leaders, nor a joint statement), or the objects of a third country's dealings with each ("China's trade with
  Russia and North Korea", the pair ending the title's beat, or after a recipient word: `to_words`; "Trump gets
  along with Putin and Kim"). Round 7: North Korea named only in summary sentences after the lede, never in the
  title, is one development of a roundup; each side marking its own occasion in a clause of its own
  (`commemoration_words`) is parallel; a side only in a background clause of the title ("a year after Putin's
  visit") and two stories in one headline ("Russia pounds Kyiv; North Korea fires missile") are passers-by.
  Round 9: a title naming neither side nor the beat leaves a summary that names them in passing (a press review, a
  quiz, a TV listing) a passer-by; a genre word as the title's kicker ("Obituary:") is an aside despite beat words;
  "with" before each side ("con Putin y con Kim": `with_words`) and a third country's person speaking of two leaders
  are dealings with each; a word naming a side with a third country ("日朝") pairs with nothing else; one side
  compared with the other ("Is Russia turning into North Korea?": `likeness_words`) is a comparison.
  Round 10: each side only a place, the two side by side after a subject of their own, no beat word ("Latvian
  photographer shows shots taken in Moscow and Pyongyang"), are venues (`nkru.relevance_venues`); each side by its
  name opening a comma clause of its own, no beat word ("Russia leads, North Korea fifth"), are entries of a table
  (`nkru.relevance_entries`). Round 11 (`nkru.relevance_frames`, `nkru.relevance_subjects`): a title part that
  spans a list by its two ends ("from North Korea to Russia"; not a journey between two cities), a superlative in
  the kicker ("The world's slowest internet:"), a bare "list" with no beat word, and one side with a third country
  opening the title as its joint subject, the other side after a topic word ("China and Russia oppose sanctions
  against North Korea"), make the sides entries or a topic, not parties.
* **a side implied** — North Korea in the title with Ukraine (Kyiv, a front-line place) and a beat word, and Russia
  named by nothing stronger than a weak term: Russia's war, so Russia counts as named (`nkru.relevance_implied`).

With the default threshold of 1.0 an item is relevant when both countries are named outright in the title, or
both sides share a sentence of the summary, or the side missing from the title is named by two different terms
in the summary ("Lavrov arrives for talks" / "He will meet Choe Son Hui in Pyongyang"), or in the lede after a
title with a beat word. One country in the title and the other mentioned once, in passing, further down the
summary is not enough.

Most feed items name neither country: a quick first pass (one Aho-Corasick scan per script present, see
`Matcher.may_name_a_side`) answers them before any term is weighed, with the very verdict the full path gives.

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
from dataclasses import dataclass
from pathlib import Path

from nkru import lexicon as lx
from nkru import lexicon_match as lxm
from nkru.config import TopicConfig
from nkru.lexicon import (
    BOTH,
    COUNTRY,
    CUE,
    JOINT,
    NK,
    PARALLEL,
    PLACE_KINDS,
    RU,
    SOUTH,
    Term,
)
from nkru.relevance_asides import aside, background, likeness, passing, two_stories
from nkru.relevance_entries import entries
from nkru.relevance_frames import range_frame, ranking_frame, superlative_kicker
from nkru.relevance_hits import (
    COVERED_SCRIPTS,
    CUE_BONUS,
    CUE_CAP,
    LEDE,
    MAX_CHARS,
    PASSER_FACTOR,
    SIDE_CAP,
    SOUTH_CAP,
    SOUTH_PENALTY,
    SUMMARY,
    TITLE,
    TOGETHER_LEDE,
    TOGETHER_SUMMARY,
    TOGETHER_TITLE,
    Contribution,
    Hit,
    Relevance,
    names_of,
    sentence_ends,
    short,
    without_dateline,
)
from nkru.relevance_implied import implied_russia
from nkru.relevance_parties import Gaps, Parties, find_parties, gaps_of, mark_lists
from nkru.relevance_reasons import contribution, one_side, ordered_terms, reason_line
from nkru.relevance_subjects import joint_subject
from nkru.relevance_venues import two_places

__all__ = ["Contribution", "Relevance", "Scorer"]

_NEITHER = one_side([], [], [], [])  # the verdict on most feed items, made once (it is immutable)


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
        folded = lx.fold(text)
        compiled = self._compiled
        if not explain and not compiled.matcher.may_name_a_side(text, folded):
            return one_side([], [], [], notes) if notes else _NEITHER  # most feed items: no name of either side
        hits, lede = self._hits(text, folded, len(title), language)
        gaps = compiled.gaps_for(language)
        if implied := implied_russia(hits, compiled.lexicon.observers, lede):  # shown by `nkru explain` too
            hit, why = implied
            hits = sorted([*hits, hit], key=lambda h: h.start)
            notes = [why, *notes]
        verdict = _judge(hits, text, self.settings.threshold, gaps, notes, compiled.lexicon.observers, lede)
        if explain:
            verdict = dataclasses.replace(verdict, contributions=tuple(contribution(h) for h in hits))
        return verdict

    def _hits(self, text: str, folded: str, title_length: int, language: str | None) -> tuple[list[Hit], int]:
        """Every match in the title and summary (one text, a line break between them: never one sentence), and
        the index of the summary's first sentence (-1 when sentences do not matter)."""
        matches = self._compiled.matcher.find(text, language, folded)
        if not matches:
            return [], -1
        terms, keys = self._compiled.matcher.terms, self._compiled.matcher.keys
        sides = {terms[m.term_id].side for m in matches}
        both = BOTH in sides or (NK in sides and RU in sides)
        # Sentences and lists matter only when both sides are named (most items name one or none).
        ends = without_dateline(text, title_length + 1, sentence_ends(text)) if both else []
        hits = [
            Hit(
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
            mark_lists(hits, text, self._compiled.gaps_for(language).enumeration)
        return hits, (bisect.bisect_right(ends, title_length + 1) if ends else -1)


@dataclass(frozen=True)
class _Compiled:
    lexicon: lx.Lexicon
    matcher: lxm.Matcher
    gaps: dict[str | None, Gaps]  # per language, filled on first use

    def gaps_for(self, language: str | None) -> Gaps:
        if language not in self.gaps:
            self.gaps[language] = gaps_of(self.lexicon, language)
        return self.gaps[language]


@functools.cache
def _compiled(lexicon_dir: Path | None, extra_nk: tuple[str, ...], extra_ru: tuple[str, ...]) -> _Compiled:
    """The lexicon with the user's extra terms, compiled once per process for each settings."""
    extra = [_user_term(NK, t) for t in extra_nk] + [_user_term(RU, t) for t in extra_ru]
    lexicon, matcher = lxm.compile_lexicon(lexicon_dir, extra)
    return _Compiled(lexicon, matcher, {})


def _user_term(side: str, text: str) -> Term:
    """A user's extra term from the settings, weighing as much as a country's name: matched as a whole word
    (a Korean one may take particles), case-sensitive when written all in capitals (an acronym like "KPA")."""
    return Term(side=side, weight=1.0, text=text, language="settings", source="settings",
                case_sensitive=lx.is_acronym(text))  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# From hits to a verdict


def _judge(
    hits: list[Hit],
    text: str,
    threshold: float,
    gaps: Gaps,
    notes: list[str],
    observers: frozenset[str] = frozenset(),
    lede: int = -1,
) -> Relevance:
    """The verdict on an item's hits; `lede` is the index of the summary's first sentence."""
    nk_hits = [h for h in hits if h.nk]
    ru_hits = [h for h in hits if h.ru]
    if not nk_hits or not ru_hits:
        return one_side(hits, nk_hits, ru_hits, notes)
    frame = ranking_frame(hits, text)
    if frame:
        for hit in nk_hits + ru_hits:
            hit.mark_listed()
    south = _weakening(hits)
    penalty = min(SOUTH_CAP, SOUTH_PENALTY * len(south))
    nk = min(SIDE_CAP, max(0.0, _strength(nk_hits) - penalty))
    ru = min(SIDE_CAP, _strength(ru_hits))
    pair = min(nk, ru)
    together = _together(hits, lede, observers) if pair > 0 else None
    parties = find_parties(hits, text, gaps, observers) if pair > 0 else Parties(False, False, {})
    passers = (
        (
            parties.passers_by(hits, observers, text)
            or _parallel(hits, parties, text, gaps, observers)
            or aside(hits, parties, text, lede)
            or background(hits, lede, text)
            or two_stories(hits, text)
            or passing(hits, parties, text)
            or likeness(hits, parties, text)
            or two_places(hits, parties.related_title, text)
            or entries(hits, parties.related_title, text, text.index("\n"))
            or range_frame(hits, parties.related_title, text, gaps)
            or superlative_kicker(hits, parties.related_title, text, gaps)
            or joint_subject(hits, text, gaps, observers)
        )
        if pair > 0
        else ""
    )
    if passers:
        pair *= PASSER_FACTOR
        together = None
    bonus = {TITLE: TOGETHER_TITLE, SUMMARY: TOGETHER_SUMMARY, LEDE: TOGETHER_LEDE, None: 0.0}[together]
    cues = names_of(h for h in hits if h.term.side == CUE) if pair > 0 and not passers else []
    score = round(pair + bonus + min(CUE_CAP, CUE_BONUS * len(cues)), 3)
    relevant = score >= threshold
    counted = [h for h in hits if h.term.side in (NK, RU, BOTH) or (pair > 0 and h.term.side == CUE)]
    terms = ordered_terms([h for h in counted if h.term.kind != "implied"])  # matched terms: found in the text
    reason = reason_line(hits, relevant, together, cues, south, score, threshold, passers, parties, notes, frame)
    party_line = passers or ("North Korea and Russia as the two parties" if parties.nk_ru else "")
    if not party_line and any(h.term.kind == "implied" for h in ru_hits):
        party_line = "North Korea and Russia, the side implied by Ukraine's war"  # "Kim Yo Jong: Kyiv lies ..."

    return Relevance(
        score=score,
        relevant=relevant,
        terms=terms,
        reason=reason,
        parties=party_line,
    )


def _weakening(hits: list[Hit]) -> list[str]:
    """The South Korea cues that weaken the North Korea side: all of them, unless the title names North Korea and
    the cues are only in the summary, where South Korea is a source ("Korea Płn. wysłała do Rosji pociski" /
    "Według południowokoreańskiego wywiadu...", "... Yonhap reported"), not the Korea of the story."""
    south = [h for h in hits if h.term.side == SOUTH]
    if any(h.nk and h.field == TITLE for h in hits) and not any(h.field == TITLE for h in south):
        return []
    return names_of(south)


def _parallel(hits: list[Hit], parties: Parties, text: str, gaps: Gaps, observers: frozenset[str]) -> str:
    """Why the two sides are parallel actors, not the parties of one relation, or "": the title names them side
    by side as countries (nothing but "and", a comma or a particle between them, no word naming both, no host
    word; not two leaders, who side by side have met) as the
    joint subject of a thing each does apart — a `parallel_words` word in that sentence, not between them
    ("Russian and North Korean hackers target banks", "North Korea and Russia skip the Nobel ceremony", "Hacker
    aus Russland und Nordkorea") — or as the objects of a third country's dealings with each, a joiner ("with",
    "ile", "과") next to the pair ("China's trade with Russia and North Korea hits a record")."""
    pair = _side_by_side(hits, text)
    if pair is None or parties.related_title or any(h.term.side == JOINT and h.field == TITLE for h in hits):
        return ""  # "Putin and Kim condemn 'hegemony' in joint statement": their statement, a relation
    first, second = pair
    if any(h.term.kind == "reciprocal" and h.field == TITLE for h in hits):
        return ""  # "Russia and North Korea recognise each other's passports"
    if word := _repeated_joiner(text, first, second, gaps):
        return f"dealings with North Korea and with Russia, each apart ('{word}' before each): not one relation"
    beat = [h for h in hits if h.field == TITLE and h.term.side == CUE and h.sentence == second.sentence]
    before = [
        h
        for h in hits
        if h.field == TITLE and h.term.side == COUNTRY and h.end <= first.start and h.sentence == first.sentence
        and not h.listed
    ]  # fmt: skip
    if not all(h.term.kind in PLACE_KINDS or h.term.kind == "name" for h in pair):
        # Two leaders side by side have met ("Putin and Kim condemn 'hegemony' at summit"), unless a third
        # country's person deals with each: "Trump says he 'gets along' with Putin and Kim" (observers too), or
        # the title's subject, named first, speaks of or meets the two ("Trump says Putin, Kim are 'smart guys'",
        # "Trump to meet both Putin and Kim"); a beat word after the pair keeps it ("... Putin, Kim forge alliance").
        joined_after = gaps.joined.match(text, second.end)  # "트럼프 "푸틴·김정은과 잘 지내"", "Putin ve Kim ile"
        after = bool(joined_after and joined_after.end() > second.end)
        subject = bool(before) and before[0].start <= min(h.start for h in hits if h.field == TITLE)
        leaders = not any(h.term.kind in PLACE_KINDS or h.term.kind == "name" for h in pair)
        with_each = before and (_with_before(text, before[-1].end, first.start, gaps) or after or subject and leaders)
        if with_each and not any(h.start >= second.end for h in beat):
            return f"{before[-1].term.country}'s dealings with each leader apart: not parties of one relation"
        return ""
    words = [
        h
        for h in hits
        if h.term.side == PARALLEL
        and h.term.kind not in ("likeness", "likeness_after")
        and h.field == TITLE
        and h.sentence == first.sentence
        and not first.start <= h.start < second.end
    ]
    if words:
        return f"North Korea and Russia as parallel actors ({short(names_of(words), 2)}), not parties of one relation"
    # "Irán amplía sus exportaciones de drones a | Rusia y Corea del Norte": a recipient word before the pair
    toward = bool(before) and any(
        gaps.toward.fullmatch(text, k, first.start) for k in range(max(before[-1].end, first.start - 8), first.start)
    )
    thirds = [h for h in before if h.term.country not in observers]
    if not thirds:  # an observer's dealings: "Republicans press Pentagon on | Russia, North Korea threats"
        if toward and not any(h.start >= second.end for h in beat):
            return f"{before[-1].term.country}'s dealings with North Korea and with Russia, each apart"
        return ""
    after = gaps.joined.match(text, second.end)
    joined = _with_before(text, thirds[-1].end, first.start, gaps) or bool(after and after.end() > second.end)
    # Else the pair must end the clause's beat: "China ramps up oil exports to Russia and North Korea"; not "Japan
    # protests Russia and North Korea missile cooperation" nor "... przeciwko współpracy wojskowej Rosji i Korei".
    loose = not any(h.start >= second.end or thirds[-1].end <= h.start < first.start for h in beat)
    if joined or (toward and not any(h.start >= second.end for h in beat)) or loose:
        third = thirds[-1].term.country
        return f"{third}'s dealings with North Korea and with Russia, each apart: not parties of one relation"
    return ""


_SEP = r"[\s,，、،·・]"
_SIDE_BY_SIDE = re.compile(rf"{_SEP}*(?:[^\s,，、،·・]{{1,4}}(?:{_SEP}+|$)){{0,2}}")  # "and", "et la", "و", "和"


def _side_by_side(hits: list[Hit], text: str) -> tuple[Hit, Hit] | None:
    """The first two title mentions of the two sides next to each other in one clause, with at most two short
    words (a conjunction, an article: "et la", "و", "和") and commas between them; None when there are none."""
    title = [h for h in hits if h.field == TITLE and h.term.side in (NK, RU, COUNTRY, SOUTH) and not h.listed]
    for a, b in zip(title, title[1:], strict=False):
        same = {a.term.side, b.term.side} == {NK, RU} and a.sentence == b.sentence and a.end <= b.start
        if same and _SIDE_BY_SIDE.fullmatch(text, a.end, b.start):
            return a, b
    return None


_LAST_WORD = re.compile(r"(\w+)[\s«»\"'“”„]*$")


def _repeated_joiner(text: str, first: Hit, second: Hit, gaps: Gaps) -> str:
    """The joiner written before each of the two sides ("con Putin y con Kim", "with Russia and with North Korea",
    "с Москвой и с Пхеньяном"): two dealings, each apart. Any language's `with_words`, as a headline's language
    is not always the one detected. Else ""."""
    before = _LAST_WORD.search(text, max(0, first.start - 16), first.start)
    between = text[first.end : second.start].split()
    if before is None or len(between) < 2:
        return ""
    word = before.group(1).casefold()
    return word if between[-1].casefold() == word and word in gaps.every_with else ""


def _with_before(text: str, start: int, end: int, gaps: Gaps) -> bool:
    """Whether the text just before `end` (after `start`) is a joiner ("with", "с", "与"), after a word of
    its own: "China's trade with | Russia and North Korea"."""
    for k in range(max(start, end - 12), end):
        glued = k > start and lx.script_of(text[k - 1]) in ("CJK", "HIRAGANA", "KATAKANA")  # "特朗普称与 | 普京"
        if (k == start or glued or not text[k - 1].isalnum()) and gaps.joined.fullmatch(text, k, end):
            return k > start and bool(text[start:k].strip(" '’s"))
    return False


def _strength(side_hits: list[Hit]) -> float:
    """Sum over the side's distinct terms of each term's best mention."""
    best: dict[str, float] = {}
    for hit in side_hits:
        if hit.weight > best.get(hit.key, 0.0):
            best[hit.key] = hit.weight
    return sum(best.values())


def _together(hits: list[Hit], lede: int = -1, observers: frozenset[str] = frozenset()) -> str | None:
    """The field (title first) with a sentence naming both sides outside any list; else `LEDE` when the title
    names one side with a beat word ("Pyongyang sends more troops to the front") and the first sentence of the
    summary, the lede, names the other (headline and lede are read as one statement); else None."""
    apart = {h.sentence for h in hits if h.field == SUMMARY and h.term.kind == "respectively"}
    for field in (TITLE, SUMMARY):
        sentences_nk = {h.sentence for h in hits if h.field == field and not h.listed and h.nk}
        sentences_ru = {h.sentence for h in hits if h.field == field and not h.listed and h.ru}
        if (sentences_nk & sentences_ru) - (apart if field == SUMMARY else set()):
            return field  # not a summary sentence of two things apart: "... and Russia's drills, respectively"
    title = [h for h in hits if h.field == TITLE and not h.listed]
    nk, ru = any(h.nk for h in title), any(h.ru for h in title)
    thirds = [h for h in title if h.term.side == COUNTRY and h.term.country not in observers]  # Kyiv is a source
    if nk == ru or not any(h.term.side == CUE for h in title) or thirds:
        return None  # (a third country in the title: "Lukashenko on a historic visit to North Korea")
    in_lede = [h for h in hits if h.field == SUMMARY and h.sentence == lede and not h.listed]
    return LEDE if any((h.ru if nk else h.nk) for h in in_lede) else None
