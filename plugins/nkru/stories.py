"""Group articles into stories: one story per event (one happening at one time and place), in any language.

Two signals, one rule.

**Near-copies.** A wire report (Yonhap, AFP, KCNA) is copied by other outlets with small edits: a different
dateline, a trimmed lede, a headline edited after publication. MinHash over word shingles of the normalised title
and lede (datasketch), indexed with MinHashLSH over a time window, plus a cheap exact match on the normalised
title, finds them (`StoryMatcher`).

**Same event.** Independent reports of one happening (TASS and Yonhap on the same visit) share few words, so
`EventMatcher` compares who (canonical entities from the extract step, weighted by label: people 3, bodies 2,
places 1, nationalities 0, the two sides and their capitals a fifth; figures such as "412" 1), what (the kinds of
happening their text cues, `nkru.events`, data in config/events) and when (the first report's publication time,
and the event's own date when the text gives it).

**The one-event rule** (README, "One story per event"; tests/test_stories_events.py). A report is of another
happening than a story, whatever else they share, when
  1. one is an announcement and the other is not ("Shoigu will visit Pyongyang" vs "Shoigu in Pyongyang");
  2. both name a treaty step and the steps differ (Duma vote, Federation Council, the President's signature...);
  3. both give an event date and the dates are more than `DATE_TOLERANCE_DAYS` apart;
and, outside near-copies,
  4. both name people and none in common (Lavrov in Moscow and Shoigu in Moscow the same day are two events);
  5. both headlines name places (beyond the two capitals) and none in common.
Otherwise it joins a story when it is
  a. a near-copy of one of the story's reports (MinHash at least `MATCH_THRESHOLD` within the window), or
  b. another report of the same event: the story's first report within `EVENT_GAP_HOURS` (`DATED_EVENT_GAP_HOURS`
     when both give the same event date); shared actors beyond
     the background weighing at least `MIN_SHARED_ACTORS` (a person when one headline is a statement and the
     other is not: a reaction names what it reacts to, but is its own event); a kind in common with the
     story's first report (when both cue one); and who·0.55 + kind·0.30 + time·0.15 at least
     `EVENT_THRESHOLD`. The best-scoring story wins, the older on a tie; or
  c. for a report in another language than the story's first whose actors the extract step could not match:
     the one story (and only if there is exactly one) of the same main kind first reported within
     `KIND_TIME_GAP_HOURS`, with the same headline voice (statement or not).
Else it starts a new story, with the reason it matched none recorded. A report that scores at least
`MERGE_THRESHOLD` against two or more stories of the same event shows they are one: they are merged into the oldest,
whose id is kept (`store.alerts.merge_story`: a pending alert of a merged story is dropped, so no second alert).
An article never leaves its story otherwise.

Every decision carries its reason (rule, shared entities, kind, time gap, similarity, score), stored in
`story_members` and shown by `nkru stories`. Work per article is bounded: candidates come from postings per entity
and per kind that keep the most recent `CANDIDATES_PER_KEY` stories, so grouping is linear in the articles of the
window. `StoryIndex` loads the window from the database once per `process_pending` call and is updated in memory
as articles are assigned; each assignment runs in the caller's (the article's) transaction.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from nkru import events
from nkru.store import Cursor
from nkru.store import alerts as alert_store
from nkru.store.articles import StoredArticle

NUM_PERM = 256
SEED = 1
SCHEME = "affine32"  # datasketch 2.x: 32-bit affine permutations; stored as uint32
SHINGLE_WORDS = 3
LEDE_WORDS = 40
# Change METHOD whenever the shingling or MinHash parameters change: stored signatures of another method are
# not comparable and are ignored when the index loads.
METHOD = f"w{SHINGLE_WORDS}-lede{LEDE_WORDS}-mh{NUM_PERM}-s{SEED}-{SCHEME}"
# Syndicated copies share at least a third of their shingles (a new dateline, a trimmed clause and an edited
# headline cost the rest); different reports on the same topic share under a quarter ("said on Thursday",
# "Foreign Minister Sergei Lavrov"). bench/bench_stories.py measures both sides of this line.
MATCH_THRESHOLD = 0.3
# LSH only proposes candidates; the estimated Jaccard then decides. Bands of 2 rows make a copy at the threshold
# a candidate with near certainty (1 - (1 - 0.3**2)**128 > 0.9999), where datasketch's own choice of bands for
# 0.3 (3 rows) misses about 1 copy in 100 at J = 0.45.
LSH_BANDS = (NUM_PERM // 2, 2)
# Titles shorter than this ("North Korea", "World news") are too generic for the exact-title shortcut.
MIN_EXACT_TITLE_WORDS = 4
DEFAULT_WINDOW_HOURS = 72.0

# Headline decorations wires add and change between versions: "(LEAD)", "(2nd LD)", "UPDATE 2-", "BREAKING:".
_TITLE_PREFIX = re.compile(
    r"^\s*(?:\((?:lead|\d+(?:st|nd|rd|th)\s+ld|urgent|news focus|yonhap interview)[^)]*\)\s*|"
    r"(?:update|refile|corrected|wrapup)\s*\d*\s*[-:]\s*|(?:breaking|exclusive|urgent|analysis)\s*[:-]\s*)+",
    re.IGNORECASE,
)
# Datelines differ between copies of one report: "SEOUL, March 25 (Yonhap) --", "MOSCOW (AFP) -", "PYONGYANG —".
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Za-z0-9 .,'/-]{0,60}?\([^)]{1,40}\)\s*(?:--|—|–|-)\s*|^\s*[A-Z][A-Z .,'/-]{2,40}(?:--|—|–)\s*"
)
_APOSTROPHES = re.compile(r"[’'`´]")
_NON_WORD = re.compile(r"[^\w]+")


def words(text: str) -> list[str]:
    """Lower-cased words, accents and punctuation folded, so 'North Korea’s' and "North Korea's" agree."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", text)
    return [w for w in _NON_WORD.sub(" ", text).split() if w != "_"]


def title_key(title: str) -> str:
    """The normalised headline: wire decorations dropped, words folded."""
    return " ".join(words(_TITLE_PREFIX.sub("", title)))


def lede_words(summary: str) -> list[str]:
    """The first words of the summary without its dateline, where syndicated copies agree most."""
    return words(_DATELINE.sub("", summary, count=1))[:LEDE_WORDS]


def shingles(title: str, summary: str) -> set[str]:
    """Word shingles of the headline and of the lede (each on its own, so none spans the two)."""
    out: set[str] = set()
    for seq in (words(_TITLE_PREFIX.sub("", title)), lede_words(summary)):
        if len(seq) < SHINGLE_WORDS:
            out.update(seq)
            continue
        out.update(" ".join(seq[i : i + SHINGLE_WORDS]) for i in range(len(seq) - SHINGLE_WORDS + 1))
    return out


def signature(title: str, summary: str) -> LeanMinHash:
    """The MinHash of an article's shingles (compact and immutable: it is stored and compared, never grown)."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch(s.encode("utf-8") for s in sorted(shingles(title, summary)))
    return LeanMinHash(minhash)


def to_bytes(sig: LeanMinHash) -> bytes:
    return np.asarray(sig.hashvalues, dtype="<u4").tobytes()


def from_bytes(data: bytes) -> LeanMinHash:
    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(bytes(data), dtype="<u4"), scheme=SCHEME)


@dataclass(frozen=True)
class _Member:
    story_id: int
    sig: LeanMinHash
    published_at: datetime


class StoryMatcher:
    """Which known story a new article belongs to, if any: the in-memory half of story grouping.

    Members are articles already grouped; a new one joins the story of its most similar member (estimated
    Jaccard at least `threshold`, published within `window` of it), or of a member with the same long title.
    """

    def __init__(self, window: timedelta = timedelta(hours=DEFAULT_WINDOW_HOURS), threshold: float = MATCH_THRESHOLD):
        self.window = window
        self.threshold = threshold
        self._lsh = MinHashLSH(num_perm=NUM_PERM, params=LSH_BANDS)
        self._members: dict[int, _Member] = {}
        self._titles: dict[str, list[int]] = {}
        self._by_story: dict[int, list[_Member]] = {}

    def add(self, key: int, story_id: int, sig: LeanMinHash, title: str, published_at: datetime) -> None:
        """Remember an article (`key`: its id) as a member of `story_id`."""
        if key in self._members:
            return
        self._members[key] = _Member(story_id, sig, published_at)
        self._by_story.setdefault(story_id, []).append(self._members[key])
        self._lsh.insert(key, sig)
        if len(title.split()) >= MIN_EXACT_TITLE_WORDS:
            self._titles.setdefault(title, []).append(key)

    def match(self, sig: LeanMinHash, title: str, published_at: datetime) -> int | None:
        """The story id this article belongs to, or None for a new story. `title` is its `title_key`."""
        best: tuple[float, int] | None = None
        for key in self._titles.get(title, []):
            best = self._better(best, 1.0, self._members[key], published_at)
        for key in self._lsh.query(sig):
            member = self._members[key]
            score = sig.jaccard(member.sig)
            if score >= self.threshold:
                best = self._better(best, score, member, published_at)
        return -best[1] if best else None

    def _better(
        self, best: tuple[float, int] | None, score: float, member: _Member, published_at: datetime
    ) -> tuple[float, int] | None:
        if abs(member.published_at - published_at) > self.window:
            return best
        # Highest similarity wins; on a tie the older story (lower id) does, so the choice is stable.
        candidate = (score, -member.story_id)
        return max(best, candidate) if best else candidate

    def members_of(self, story_id: int) -> list[_Member]:
        return self._by_story.get(story_id, [])

    def __len__(self) -> int:
        return len(self._members)


# ------------------------------------------------------------------------------------------ event grouping

# Weight of an entity in "who" by label: the actors (people, bodies) count most, places less, nationalities not.
LABEL_WEIGHTS = {"PERSON": 3.0, "ORG": 2.0, "GPE": 1.0, "LOC": 1.0, "FAC": 1.0, "EVENT": 1.0, "PRODUCT": 1.0}
BACKGROUND_FACTOR = 0.2  # the two sides and their capitals, named by nearly every report (config/events/kinds.yaml)
# Reports of one happening come out within a day or so of each other; the next step of a treaty, the next
# visit or the answer to a statement usually comes a day or more later.
EVENT_GAP_HOURS = 24.0
# A late report that gives the same event date as the story's may come up to two days after the first.
DATED_EVENT_GAP_HOURS = 48.0
# Event dates may differ by a day when one was read from a relative word ("yesterday", resolved in UTC), not
# more; two dates that both name the day ("25 марта", "on Tuesday", "13일") must be the same day: a meeting the
# next day with the same people is another happening.
DATE_TOLERANCE_DAYS = 1
# A report in another voice than the story's first (a statement, reaction, message or article about a happening,
# against the happening's own report, or the other way round) is of the same event only when first reported
# within this many hours of it: the happening's own reports worded as statements ("Kremlin says Shoigu will
# visit") come in the same news cycle, a reaction or a commemorative message the next morning.
REACTION_GAP_HOURS = 6.0
WHO_WEIGHT, KIND_WEIGHT, TIME_WEIGHT = 0.55, 0.30, 0.15
EVENT_THRESHOLD = 0.45
# A figure the text gives ("3,000 troops", "412 deputies") is written the same way in every language.
NUMBER_WEIGHT = 1.0
# A report that scores at least this against two stories shows they are one event: they are merged.
MERGE_THRESHOLD = 0.5
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Without a shared actor, the same main kind within this many hours of the first report, and only one such story.
KIND_TIME_GAP_HOURS = 20.0
# What two reports must share beyond the background: an actor, a place or a figure (a person when one headline
# is a statement and the other is not).
MIN_SHARED_ACTORS = 1.0
# Candidates come from postings per entity and per kind, each keeping the most recent stories only, so an
# article is compared with a bounded number of stories however many the window holds.
CANDIDATES_PER_KEY = 64
SIMILARITY_MEMBERS = 16  # the "similarity" shown in a reason is against a story's first members only
COVERAGE_LISTED = 10  # later reports named one by one in a story's coverage line


@dataclass(frozen=True)
class Report:
    """What grouping knows about one article: who, what, when, and its near-copy signature."""

    key: int
    title: str
    published_at: datetime
    entities: dict[str, float]  # canonical name -> weight
    kinds: tuple[str, ...]  # cued kinds, in precedence order
    exclusive: frozenset[str]
    step: str | None
    event_date: date | None
    date_source: str | None
    sig: LeanMinHash
    title_key: str
    language: str | None = None
    says: bool = False  # its headline cues a statement ("says", "заявил", "밝혀")
    headline_kinds: tuple[str, ...] = ()
    headline_places: frozenset[str] = frozenset()  # places beyond the background its headline names
    date_exact: bool = False  # its event date names the day ("on Tuesday"), not a relative word ("yesterday")

    def strong_entities(self, background: frozenset[str]) -> set[str]:
        return {name for name in self.entities if name not in background}

    def main_kind(self, rules: events.EventRules) -> str | None:
        """What the report is about: its treaty step if it names one, else its first specific kind."""
        if self.step:
            return self.step
        return next((k for k in self.kinds if k not in rules.generic), None)

    def actors(self, background: frozenset[str]) -> set[str]:
        """The people and bodies it names (not places, figures or the two sides themselves)."""
        return {n for n, w in self.entities.items() if w >= LABEL_WEIGHTS["ORG"] and n not in background}


def report(
    key: int,
    title: str,
    summary: str,
    published_at: datetime,
    mentions: Iterable[tuple[str, str]],
    cues: events.Cues | None = None,
    language: str | None = None,
) -> Report:
    """The grouping features of one article; `mentions` are its (canonical name, label) pairs."""
    cues = cues or events.load_cues()
    text = events.features(title, summary, published_at, cues, language=language)
    weights: dict[str, float] = {f"#{n}": NUMBER_WEIGHT for n in events.figures(f"{title}\n{summary}")}
    folded_title = events.fold(title)
    mentions = list(mentions)
    headline_places = frozenset(
        name
        for name, label in mentions
        if label in PLACE_LABELS and name not in cues.rules.background_entities and events.fold(name) in folded_title
    )
    for name, label in mentions:
        weight = LABEL_WEIGHTS.get(label, 0.0)
        if name in cues.rules.background_entities:
            weight *= BACKGROUND_FACTOR
        if weight > 0:
            weights[name] = max(weight, weights.get(name, 0.0))
    return Report(
        key=key,
        title=title,
        published_at=published_at,
        entities=weights,
        kinds=text.kinds,
        exclusive=frozenset(text.kinds) & cues.rules.exclusive,
        step=text.step,
        event_date=text.event_date,
        date_source=text.date_source,
        sig=signature(title, summary),
        title_key=title_key(title),
        language=language,
        says=bool(set(text.headline_kinds) & cues.rules.generic),
        headline_kinds=text.headline_kinds,
        headline_places=headline_places,
        date_exact=text.date_exact,
    )


def dates_differ(a: date | None, a_exact: bool, b: date | None, b_exact: bool) -> bool:
    """Whether two event dates show two happenings: more than a day apart, or apart at all when both name the
    day itself (a relative word is resolved in UTC and may be a day off)."""
    if a is None or b is None:
        return False
    tolerance = 0 if a_exact and b_exact else DATE_TOLERANCE_DAYS
    return abs((a - b).days) > tolerance


@dataclass
class _Story:
    """What the index remembers of a story: its first report's time, who and what its members named."""

    story_id: int
    first_published: datetime
    exclusive: frozenset[str]
    step: str | None
    main_kinds: frozenset[str]  # the specific kinds of its first report
    event_date: date | None
    language: str | None  # its first report's
    says: bool  # its first report's headline cues a statement
    headline_places: set[str] = field(default_factory=set)  # places its reports' headlines name
    entities: dict[str, float] = field(default_factory=dict)
    kinds: Counter = field(default_factory=Counter)
    members: int = 0
    date_exact: bool = False

    def add(self, rep: Report) -> None:
        self.members += 1
        self.first_published = min(self.first_published, rep.published_at)
        for name, weight in rep.entities.items():
            self.entities[name] = max(weight, self.entities.get(name, 0.0))
        self.kinds.update(rep.kinds)
        if self.event_date is None:
            self.event_date, self.date_exact = rep.event_date, rep.date_exact
        if self.step is None:
            self.step = rep.step
        self.headline_places.update(rep.headline_places)


@dataclass(frozen=True)
class Decision:
    """Where an article goes and why: `rule` is near-copy, same-event or new; `reason` is stored and shown."""

    story_id: int | None
    rule: str
    reason: dict
    merge: tuple[int, ...] = ()  # stories found to be the same event, merged into `story_id`


class EventMatcher:
    """Which story an article belongs to: a near-copy of a member, or another report of the same event.

    The one-event rule (documented in the module docstring and the README) is applied by `decide`; `add`
    records the outcome. Memory and work per article are bounded (`CANDIDATES_PER_KEY`).
    """

    def __init__(
        self,
        window: timedelta = timedelta(hours=DEFAULT_WINDOW_HOURS),
        cues: events.Cues | None = None,
        threshold: float = EVENT_THRESHOLD,
    ):
        self.window = window
        self.cues = cues or events.load_cues()
        self.threshold = threshold
        self.copies = StoryMatcher(window=window)
        self.stories: dict[int, _Story] = {}
        self._postings: dict[str, deque[int]] = {}
        self._keys_of: dict[int, set[str]] = {}  # story -> its posting keys, to move them when it is merged
        self._merged_into: dict[int, int] = {}

    # ----------------------------------------------------------------------------------------- deciding
    def decide(self, rep: Report) -> Decision:
        """The story this report joins (None: a new one) and the reason, without changing the index."""
        copy_of = self.copies.match(rep.sig, rep.title_key, rep.published_at)
        copy_of = self.resolve(copy_of) if copy_of is not None else None
        if copy_of is not None and copy_of in self.stories and not self._different(rep, self.stories[copy_of]):
            return Decision(copy_of, "near-copy", self._why(rep, self.stories[copy_of], rule="near-copy"))
        background = self.cues.rules.background_entities
        if not rep.strong_entities(background) and not events.specific(rep.kinds, self.cues.rules):
            return Decision(None, "new", self._new(rep, "no entities and no kind cues to match on"))
        best: tuple[float, int, dict] | None = None
        rejected: dict[str, int] = Counter()
        passing: list[tuple[float, _Story]] = []
        for story in self._candidates(rep):
            score, why, veto = self._score(rep, story)
            if veto:
                rejected[veto] += 1
                continue
            if score < self.threshold:
                rejected["score below threshold"] += 1
                continue
            passing.append((score, story))
            if best is None or (score, -story.story_id) > (best[0], -best[1]):
                best = (score, story.story_id, why)
        if best is not None and (merged := self._merges(best, passing)):
            keep = min([self.stories[best[1]], *merged], key=lambda st: (st.first_published, st.story_id))
            others = tuple(sorted(st.story_id for st in [self.stories[best[1]], *merged] if st is not keep))
            why = {**best[2], "merged_stories": list(others)}
            return Decision(keep.story_id, "same-event", why, merge=others)
        if best is None and (fallback := self._kind_and_time(rep)) is not None:
            return Decision(fallback[0], "same-kind-and-time", fallback[1])
        if best is None:
            note = "no story of the same event: " + (
                ", ".join(f"{n} {r}" for r, n in sorted(rejected.items())) if rejected else "no candidate"
            )
            return Decision(None, "new", self._new(rep, note))
        return Decision(best[1], "same-event", best[2])

    def _merges(self, best: tuple[float, int, dict], passing: list[tuple[float, _Story]]) -> list[_Story]:
        """Other stories the report shows to be the same event as its best one (each scored at least
        `MERGE_THRESHOLD`, of the same event as the best story by the one-event rule): they are merged into the
        oldest, whose id is kept."""
        if best[0] < MERGE_THRESHOLD:
            return []
        chosen = self.stories[best[1]]
        out = []
        for score, story in passing:
            if story is chosen or score < MERGE_THRESHOLD:
                continue
            gap = abs((story.first_published - chosen.first_published).total_seconds()) / 3600
            if gap <= EVENT_GAP_HOURS and not self._stories_differ(story, chosen):
                out.append(story)
        return out

    @staticmethod
    def _stories_differ(a: _Story, b: _Story) -> bool:
        if a.exclusive != b.exclusive or (a.step and b.step and a.step != b.step):
            return True
        return dates_differ(a.event_date, a.date_exact, b.event_date, b.date_exact)

    def _kind_and_time(self, rep: Report) -> tuple[int, dict] | None:
        """The one story of the same main kind first reported within `KIND_TIME_GAP_HOURS`, if exactly one.

        For reports whose actors the extract step did not recognise (a language it reads poorly): the same kind
        of happening at the same time, reported first in another language, is then the evidence, but only when
        no other story could be meant. Within one language the extract step reads both reports alike, so
        missing shared actors there mean different happenings.
        """
        main = rep.main_kind(self.cues.rules)
        if main is None:
            return None
        found = []
        for story in self._candidates(rep, kinds_only=True):
            gap = abs((rep.published_at - story.first_published).total_seconds()) / 3600
            if gap > KIND_TIME_GAP_HOURS or rep.exclusive != story.exclusive:
                continue
            if (rep.step and story.step and rep.step != story.step) or not rep.language:
                continue
            if rep.language == story.language:
                continue
            if rep.says != story.says:
                continue  # a reaction ("X calls the sanctions illegal") to a happening is its own event
            if rep.event_date and story.event_date and rep.event_date != story.event_date:
                continue
            if main in story.main_kinds:
                found.append((story, gap))
        if len(found) != 1:
            return None
        story, gap = found[0]
        return story.story_id, self._why(rep, story, rule="same-kind-and-time", gap=gap)

    def _candidates(self, rep: Report, kinds_only: bool = False) -> list[_Story]:
        """Stories sharing a specific entity or kind with the report (the most recent ones per key)."""
        keys = [] if kinds_only else [f"e:{n}" for n in rep.strong_entities(self.cues.rules.background_entities)]
        keys += [f"k:{kind}" for kind in events.specific(rep.kinds, self.cues.rules)]
        seen: set[int] = set()
        out = []
        for key in keys:
            for story_id in self._postings.get(key, ()):
                if story_id not in seen and story_id in self.stories:
                    seen.add(story_id)
                    out.append(self.stories[story_id])
        return out

    @staticmethod
    def _different(rep: Report, story: _Story) -> str | None:
        """Why the report is of another happening than the story whatever else they share, or None."""
        if rep.exclusive != story.exclusive:
            return "announcement vs happening"
        if rep.step and story.step and rep.step != story.step:
            return "different treaty steps"
        if dates_differ(rep.event_date, rep.date_exact, story.event_date, story.date_exact):
            return "different event dates"
        return None

    def _score(self, rep: Report, story: _Story) -> tuple[float, dict, str | None]:
        """(score, why, veto): the one-event rule against one story."""
        gap = abs((rep.published_at - story.first_published).total_seconds()) / 3600
        same_day = bool(rep.event_date and rep.event_date == story.event_date)
        if gap > (DATED_EVENT_GAP_HOURS if same_day else EVENT_GAP_HOURS):
            return 0.0, {}, "first reported too long before or after"
        if veto := self._different(rep, story):
            return 0.0, {}, veto
        if rep.says != story.says and gap > REACTION_GAP_HOURS:
            return 0.0, {}, "a statement and the happening it refers to"
        background = self.cues.rules.background_entities
        shared = sorted(set(rep.entities) & set(story.entities))
        if rep.headline_places and story.headline_places and not rep.headline_places & story.headline_places:
            return 0.0, {}, "different places in the headlines"
        mine_people = {n for n, w in rep.entities.items() if w == LABEL_WEIGHTS["PERSON"]}
        their_people = {n for n, w in story.entities.items() if w == LABEL_WEIGHTS["PERSON"]}
        if mine_people and their_people and not mine_people & their_people:
            return 0.0, {}, "different people"
        # A statement about a happening (a reaction) shares its subject's names; it must share a person too.
        needed = MIN_SHARED_ACTORS if rep.says == story.says else LABEL_WEIGHTS["PERSON"]
        if sum(rep.entities[name] for name in shared if name not in background) < needed:
            return 0.0, {}, "no shared actor"
        total = sum(rep.entities.values())
        who = sum(rep.entities[name] for name in shared) / total if total else 0.0
        mine = events.specific(rep.kinds, self.cues.rules)
        mine_main = {rep.main_kind(self.cues.rules)}
        if mine and story.main_kinds:
            if not mine & story.main_kinds:
                return 0.0, {}, "different kinds"
            kind = 1.0 if mine_main & story.main_kinds else 0.6
        elif mine or story.main_kinds:
            kind = 0.0  # words about something (no kind cued) and a happening: no support from "what"
        else:
            kind = 0.5
        time = max(0.0, 1.0 - gap / EVENT_GAP_HOURS)
        score = WHO_WEIGHT * who + KIND_WEIGHT * kind + TIME_WEIGHT * time
        why = self._why(rep, story, rule="same-event", shared=shared, gap=gap, score=score)
        return score, why, None

    def _why(self, rep: Report, story: _Story, *, rule: str, shared=None, gap=None, score=None) -> dict:
        if shared is None:
            shared = sorted(set(rep.entities) & set(story.entities))
        if gap is None:
            gap = abs((rep.published_at - story.first_published).total_seconds()) / 3600
        member_sims = [rep.sig.jaccard(m.sig) for m in self.copies.members_of(story.story_id)[:SIMILARITY_MEMBERS]]
        return {
            "rule": rule,
            "shared_entities": shared,
            "kind": rep.kinds[0] if rep.kinds else None,
            "kinds": list(rep.kinds),
            "story_kinds": [k for k, _n in story.kinds.most_common()],
            "time_gap_hours": round(gap, 1),
            "event_date": rep.event_date.isoformat() if rep.event_date else None,
            "date_words": rep.date_source,
            "similarity": round(max(member_sims, default=0.0), 2),
            "score": round(score, 2) if score is not None else None,
        }

    def _new(self, rep: Report, note: str) -> dict:
        return {
            "rule": "new",
            "note": note,
            "kind": rep.kinds[0] if rep.kinds else None,
            "kinds": list(rep.kinds),
            "entities": sorted(rep.entities),
            "event_date": rep.event_date.isoformat() if rep.event_date else None,
            "date_words": rep.date_source,
        }

    # ----------------------------------------------------------------------------------------- recording
    def knows(self, key: int) -> bool:
        """Whether the article (`key`) is already a member of a story here."""
        return key in self.copies._members

    def alias(self, story_id: int, live: int) -> None:
        """Another process merged `story_id` into `live`: fold it here too (or just point at `live`)."""
        if story_id in self.stories and live in self.stories:
            self.merge(live, story_id)
        else:
            self._merged_into[story_id] = live

    def resolve(self, story_id: int) -> int:
        """The story a (possibly merged) story id now lives in."""
        while story_id in self._merged_into:
            story_id = self._merged_into[story_id]
        return story_id

    def merge(self, keep: int, drop: int) -> None:
        """Fold story `drop` into `keep` (both known): members, who and what, candidate postings."""
        kept, gone = self.stories[keep], self.stories.pop(drop)
        kept.members += gone.members
        kept.first_published = min(kept.first_published, gone.first_published)
        for name, weight in gone.entities.items():
            kept.entities[name] = max(weight, kept.entities.get(name, 0.0))
        kept.kinds.update(gone.kinds)
        if kept.event_date is None:
            kept.event_date, kept.date_exact = gone.event_date, gone.date_exact
        kept.headline_places.update(gone.headline_places)
        kept.step = kept.step or gone.step
        self._merged_into[drop] = keep
        for key in self._keys_of.pop(drop, set()):
            postings = self._postings.get(key)
            if postings is not None and drop in postings:
                postings.remove(drop)
                if keep not in postings:
                    postings.append(keep)
            self._keys_of.setdefault(keep, set()).add(key)

    def add(self, rep: Report, story_id: int, merge: Iterable[int] = ()) -> None:
        """Remember the report as a member of `story_id` (a new story when the index has not seen it), after
        merging the stories in `merge` into it."""
        for drop in merge:
            if drop in self.stories and story_id in self.stories and drop != story_id:
                self.merge(story_id, drop)
        story = self.stories.get(story_id)
        if story is None:
            main = events.specific(rep.kinds, self.cues.rules)
            story = _Story(
                story_id,
                rep.published_at,
                rep.exclusive,
                rep.step,
                main,
                rep.event_date,
                rep.language,
                rep.says,
                date_exact=rep.date_exact,
            )
            self.stories[story_id] = story
        story.add(rep)
        self.copies.add(rep.key, story_id, rep.sig, rep.title_key, rep.published_at)
        keys = [f"e:{name}" for name in rep.strong_entities(self.cues.rules.background_entities)]
        keys += [f"k:{kind}" for kind in events.specific(rep.kinds, self.cues.rules)]
        for key in keys:
            postings = self._postings.setdefault(key, deque(maxlen=CANDIDATES_PER_KEY))
            if story_id in postings:
                postings.remove(story_id)
            postings.append(story_id)
            self._keys_of.setdefault(story_id, set()).add(key)

    def assign(self, rep: Report, new_id: int) -> Decision:
        """`decide` then `add` (a new story gets `new_id`); what the benchmark and tests use in memory."""
        decision = self.decide(rep)
        self.add(rep, decision.story_id if decision.story_id is not None else new_id, decision.merge)
        return decision

    def __len__(self) -> int:
        return len(self.copies)


# ------------------------------------------------------------------------------------------- the database


@dataclass(frozen=True)
class Assignment:
    """Where `StoryIndex.assign` put an article: its story, the rule that decided, kinds new to the story."""

    story_id: int
    rule: str
    new_kinds: tuple[str, ...] = ()
    created: bool = False
    merged: tuple[int, ...] = ()  # younger stories merged into this one by this article


class StoryIndex:
    """Story grouping against the database: load once per `process_pending` call, then `assign` each article.

    The index lives in memory and is updated as articles are assigned, so a run reads the window from the
    database once (issue 15) and each decision costs a bounded number of comparisons.
    """

    def __init__(self, matcher: EventMatcher, now: datetime, window: timedelta | None = None):
        self.matcher = matcher
        self.now = now
        self.window = window or matcher.window
        self.last_seq = 0  # the newest story_members row this index has taken in

    @classmethod
    def load(cls, cur: Cursor, *, now: datetime, window_hours: float = DEFAULT_WINDOW_HOURS) -> StoryIndex:
        """Index the articles grouped within the last `window_hours` (before `now`)."""
        window = timedelta(hours=window_hours)
        index = cls(EventMatcher(window=window), now, window)
        index._take(alert_store.recent_members(cur, METHOD, now - window))
        return index

    def catch_up(self, cur: Cursor) -> int:
        """Take in the articles other processes grouped since this index was loaded (called under the process
        lock, so none is being grouped meanwhile); returns how many."""
        return self._take(alert_store.recent_members(cur, METHOD, self.now - self.window, after_seq=self.last_seq))

    def _take(self, rows: list[alert_store.MemberRow]) -> int:
        matcher = self.matcher
        taken = 0
        for row in rows:
            if row.seq is not None:
                self.last_seq = max(self.last_seq, row.seq)
            if matcher.knows(row.article_id):
                continue
            taken += 1
            kinds = tuple(row.kinds)
            sig = from_bytes(row.minhash) if row.minhash is not None else signature(row.title, "")
            rep = Report(
                key=row.article_id,
                title=row.title,
                published_at=row.published_at,
                entities={str(k): float(v) for k, v in row.entities.items()},
                kinds=kinds,
                exclusive=frozenset(kinds) & matcher.cues.rules.exclusive,
                step=row.step,
                event_date=row.event_date,
                date_source=None,
                sig=sig,
                title_key=row.title_key or title_key(row.title),
                language=row.language,
                says=bool(set(row.headline_kinds) & matcher.cues.rules.generic),
                headline_kinds=tuple(row.headline_kinds),
                headline_places=frozenset(row.headline_places),
            )
            matcher.add(rep, matcher.resolve(row.story_id))
        return taken

    def assign(self, cur: Cursor, article: StoredArticle, mentions: Iterable[tuple[str, str]] = ()) -> Assignment:
        """Put the article in its story (a new one if none matches); idempotent.

        Runs in the caller's transaction: `articles.story_id`, the signature, the member row (why it joined) and
        any new story commit or roll back with the article's other rows. An article that already has a story
        keeps it: re-running, rescoring or re-extracting never moves an article, so a story that alerted is
        never split.
        """
        existing = alert_store.article_story_id(cur, article.id)
        if existing is not None:
            return Assignment(existing, "kept")
        rep = report(
            article.id,
            article.title,
            article.summary,
            article.published_at,
            mentions,
            self.matcher.cues,
            language=article.language,
        )
        decision = self.matcher.decide(rep)
        story_id, reason = decision.story_id, decision.reason
        # A story created by an article whose transaction rolled back exists only in memory, and one another
        # process merged lives on in the older story: check it.
        if story_id is not None:
            live = alert_store.live_story(cur, story_id)
            if live is None:
                story_id, reason = None, {**self.matcher._new(rep, "matched story was rolled back"), "rule": "new"}
            elif live != story_id:
                self.matcher.alias(story_id, live)
                story_id = live
        merged = []
        if story_id is not None:
            for drop in decision.merge:
                if alert_store.story_exists(cur, drop):
                    alert_store.merge_story(cur, story_id, drop)
                    merged.append(drop)
        created = story_id is None
        if created:
            story_id = alert_store.create_story(cur, article.title, article.published_at, self.now)
        else:
            alert_store.story_seen_published(cur, story_id, article.published_at)
        rule = decision.rule if not created else "new"
        alert_store.set_article_story(cur, article.id, story_id)
        alert_store.save_signature(
            cur, article.id, story_id, METHOD, rep.title_key, to_bytes(rep.sig), article.published_at, self.now
        )
        alert_store.save_member(
            cur,
            article_id=article.id,
            story_id=story_id,
            rule=rule,
            reason=reason,
            entities=rep.entities,
            kinds=list(rep.kinds),
            headline_kinds=list(rep.headline_kinds),
            headline_places=sorted(rep.headline_places),
            step=rep.step,
            event_date=rep.event_date,
            published_at=article.published_at,
            seen_at=self.now,
        )
        specific_kinds = [k for k in rep.kinds if k in events.specific(rep.kinds, self.matcher.cues.rules)]
        new_kinds = alert_store.add_story_kinds(cur, story_id, specific_kinds)
        self.matcher.add(rep, story_id, decision.merge)
        return Assignment(story_id, rule, tuple(k for k in rep.kinds if k in new_kinds), created, tuple(merged))


def coverage(reports: Iterable[alert_store.StoryReport | dict], listed: int = COVERAGE_LISTED) -> str:
    """'First reported by Yonhap (ko) at 2026-03-25 07:30 UTC, then 2 more reports from 2 other outlets in
    3 languages (en, ko, ru): TASS (ru) 08:00, Reuters (en) 09:00.' Reports are `StoryReport`s or dicts with
    outlet, language and published_at, first published first; at most `listed` later ones are named."""
    rows = [
        r if isinstance(r, dict) else {"outlet": r.outlet, "language": r.language, "published_at": r.published_at}
        for r in reports
    ]
    if not rows:
        return ""
    for row in rows:
        when = row["published_at"]
        row["when"] = (datetime.fromisoformat(when) if isinstance(when, str) else when).astimezone(UTC)
    first, later = rows[0], rows[1:]
    text = f"First reported by {_outlet(first)} at {first['when']:%Y-%m-%d %H:%M} UTC"
    outlets = {r["outlet"] for r in later} - {first["outlet"]}
    languages = sorted({r["language"] for r in rows if r.get("language")})
    if later:
        text += (
            f", then {len(later)} more report{'s' if len(later) != 1 else ''}"
            f" from {len(outlets)} other outlet{'s' if len(outlets) != 1 else ''}"
        )
    if len(languages) > 1:
        text += f" in {len(languages)} languages ({', '.join(languages)})"
    if later:
        named = [
            f"{_outlet(r)} {r['when']:%H:%M}"
            if r["when"].date() == first["when"].date()
            else f"{_outlet(r)} {r['when']:%Y-%m-%d %H:%M}"
            for r in later[:listed]
        ]
        more = f" and {len(later) - listed} more" if len(later) > listed else ""
        text += ": " + ", ".join(named) + more
    return text + "."


def _outlet(row: dict) -> str:
    return f"{row['outlet']} ({row['language']})" if row.get("language") else str(row["outlet"])
