"""Grouping in memory: which story an article belongs to, a near-copy of a member or another report of the
same event (`EventMatcher`), with bounded work per article.

The order of the checks (`EventMatcher.decide`):
  a. a near-copy of one of a story's reports (MinHash at least `copies.MATCH_THRESHOLD` within the window) joins
     it, unless the one-event rule's rules 1–3 (announcement, treaty step, event date), 13 (the next step), 15
     (different counterparts) or 16 (another stop) tell them apart (`rule.copy_differs`);
  b. a report with no entity beyond the background and no specific kind starts a story of its own (recorded:
     "no entities and no kind cues to match on");
  c. another report of the same event (`rule.score` at least `rule.EVENT_THRESHOLD`): the best-scoring story
     wins, the older on a tie. A report that scores at least `rule.MERGE_THRESHOLD` against two or more stories
     of the same event, sharing a person, a body or a figure with each (not only places), shows they are one:
     they are merged into the oldest, whose id is kept;
  d. for a report in another language than the story's first whose actors the extract step could not match:
     the one story (and only if there is exactly one) passing `rule.same_kind_and_time`; for a statement naming
     only the leaders, the one story first reported as the same leaders' statement (`rule.leaders_statement`);
  e. else a new story, with the reason no story matched.
Candidates come from postings per entity and per kind that keep the most recent `CANDIDATES_PER_KEY` stories, so
an article is compared with a bounded number of stories however many the window holds: grouping is linear in the
articles of the window.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from nkru import events
from nkru.stories import apart, names, reasons, rule
from nkru.stories.copies import DEFAULT_WINDOW_HOURS, StoryMatcher
from nkru.stories.reports import Report
from nkru.stories.rule import StoryProfile

CANDIDATES_PER_KEY = 64


@dataclass(frozen=True)
class Decision:
    """Where an article goes and why: `rule` is near-copy, same-event, same-kind-and-time or new; `reason` is
    stored and shown."""

    story_id: int | None
    rule: str
    reason: dict
    merge: tuple[int, ...] = ()  # stories found to be the same event, merged into `story_id`


class EventMatcher:
    """Which story an article belongs to. `decide` applies the rule without changing anything; `add` records the
    outcome. Memory and work per article are bounded (`CANDIDATES_PER_KEY`)."""

    def __init__(
        self,
        window: timedelta = timedelta(hours=DEFAULT_WINDOW_HOURS),
        cues: events.Cues | None = None,
        threshold: float = rule.EVENT_THRESHOLD,
    ):
        self.window = window
        self.cues = cues or events.load_cues()
        self.threshold = threshold
        self.copies = StoryMatcher(window=window)
        self.stories: dict[int, StoryProfile] = {}
        self._postings: dict[str, deque[int]] = {}
        self._keys_of: dict[int, set[str]] = {}  # story -> its posting keys, to move them when it is merged
        self._merged_into: dict[int, int] = {}

    # ----------------------------------------------------------------------------------------- deciding
    def decide(self, rep: Report) -> Decision:
        """The story this report joins (None: a new one) and the reason, without changing the index."""
        rules = self.cues.rules
        copy_of = self.copies.match(rep.sig, rep.title_key, rep.published_at)
        copy_of = self.resolve(copy_of) if copy_of is not None else None
        if (
            copy_of is not None
            and copy_of in self.stories
            and not rule.copy_differs(rep, self.stories[copy_of], self.cues.rules)
        ):
            return Decision(copy_of, "near-copy", self._why(rep, self.stories[copy_of], rule="near-copy"))
        if not rep.strong_entities(rules.background_entities) and not events.specific(rep.kinds, rules):
            if (leaders := self._leaders_statement(rep)) is not None:
                return Decision(leaders[0], "leaders-statement", leaders[1])
            return Decision(None, "new", reasons.new(rep, "no entities and no kind cues to match on"))
        best: tuple[float, int, dict] | None = None
        rejected: Counter = Counter()
        passing: list[tuple[float, StoryProfile]] = []
        for story in self._candidates(rep):
            verdict = rule.score(rep, story, rules)
            if verdict.veto:
                rejected[verdict.veto] += 1
                continue
            if verdict.score < self.threshold:
                rejected["score below threshold"] += 1
                continue
            passing.append((verdict.score, story))
            if best is None or (verdict.score, -story.story_id) > (best[0], -best[1]):
                why = self._why(
                    rep, story, rule="same-event", shared=verdict.shared, gap=verdict.gap_hours, score=verdict.score
                )
                best = (verdict.score, story.story_id, why)
        if best is not None and (merged := self._merges(rep, best, passing)):
            keep = min([self.stories[best[1]], *merged], key=lambda st: (st.first_published, st.story_id))
            others = tuple(sorted(st.story_id for st in [self.stories[best[1]], *merged] if st is not keep))
            return Decision(keep.story_id, "same-event", {**best[2], "merged_stories": list(others)}, merge=others)
        if best is not None:
            return Decision(best[1], "same-event", best[2])
        if (fallback := self._kind_and_time(rep)) is not None:
            return Decision(fallback[0], "same-kind-and-time", fallback[1])
        if (leaders := self._leaders_statement(rep)) is not None:
            return Decision(leaders[0], "leaders-statement", leaders[1])
        return Decision(None, "new", reasons.new(rep, reasons.none_matched(rejected)))

    def _merges(
        self, rep: Report, best: tuple[float, int, dict], passing: list[tuple[float, StoryProfile]]
    ) -> list[StoryProfile]:
        """Other stories the report shows to be the same event as its best one (each scored at least
        `MERGE_THRESHOLD`, of the same event as the best story by rules 1–3, and sharing with the report more than
        places: `apart.merge_evidence`): merged into the oldest."""
        if best[0] < rule.MERGE_THRESHOLD:
            return []
        chosen = self.stories[best[1]]
        out = []
        for value, story in passing:
            if story is chosen or value < rule.MERGE_THRESHOLD:
                continue
            gap = rule.hours_between(story.first_published, chosen.first_published)
            if gap > rule.EVENT_GAP_HOURS or rule.stories_differ(story, chosen):
                continue
            if apart.merge_evidence(rep, story, self.cues.rules.background_entities):
                out.append(story)
        return out

    def _kind_and_time(self, rep: Report) -> tuple[int, dict] | None:
        """The one story of the same main kind first reported within `KIND_TIME_GAP_HOURS`, if exactly one.

        For reports whose actors the extract step did not recognise (a language it reads poorly): the same kind
        of happening at the same time, reported first in another language, is then the evidence, but only when
        no other story could be meant. Within one language the extract step reads both reports alike, so
        missing shared actors there mean different happenings.
        """
        if rep.main_kind(self.cues.rules) is None:
            return None
        found = [s for s in self._candidates(rep, kinds_only=True) if rule.same_kind_and_time(rep, s, self.cues.rules)]
        if len(found) != 1:
            return None
        return found[0].story_id, self._why(rep, found[0], rule="same-kind-and-time")

    def _leaders_statement(self, rep: Report) -> tuple[int, dict] | None:
        """The one story first reported as a statement of the same leaders (and naming no one else), if exactly
        one: `rule.leaders_statement`."""
        keys = [f"l:{name}" for name in sorted(rep.leaders(self.cues.rules.background_entities))]
        found = [s for s in self._stories_of(keys) if rule.leaders_statement(rep, s, self.cues.rules)]
        if len(found) != 1:
            return None
        return found[0].story_id, self._why(rep, found[0], rule="leaders-statement")

    def _candidates(self, rep: Report, kinds_only: bool = False) -> list[StoryProfile]:
        """Stories sharing a specific entity or kind with the report (the most recent ones per key)."""
        keys = [] if kinds_only else self._entity_keys(rep)
        keys += [f"k:{kind}" for kind in events.specific(rep.kinds, self.cues.rules)]
        return self._stories_of(keys)

    def _entity_keys(self, rep: Report) -> list[str]:
        """Posting keys of the report's names: each name, and each person's surname and Korean name key (a short
        form finds the full name's stories, a Korean name its other spelling's: `names.same_people`)."""
        strong = rep.strong_entities(self.cues.rules.background_entities)
        keys = [f"e:{n}" for n in sorted(strong)]
        people = [n for n in sorted(strong) if rep.entities[n] == names.PERSON_WEIGHT]
        keys += [f"s:{key}" for key in dict.fromkeys(names.surname(n) for n in people) if key]
        return keys + [f"kk:{key}" for key in dict.fromkeys(names.korean_key(n) for n in people) if key]

    def _stories_of(self, keys: list[str]) -> list[StoryProfile]:
        """The stories posted under any of `keys`, each once."""
        seen: set[int] = set()
        out = []
        for key in keys:
            for story_id in self._postings.get(key, ()):
                if story_id not in seen and story_id in self.stories:
                    seen.add(story_id)
                    out.append(self.stories[story_id])
        return out

    def _why(self, rep: Report, story: StoryProfile, **details) -> dict:
        sigs = (member.sig for member in self.copies.members_of(story.story_id))
        return reasons.joined(rep, story, sigs, **details)

    def new_reason(self, rep: Report, note: str) -> dict:
        """The reason recorded when `rep` starts a story (`note`: why)."""
        return reasons.new(rep, note)

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
        self.stories[keep].absorb(self.stories.pop(drop))
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
            story = self.stories[story_id] = StoryProfile.start(story_id, rep, self.cues.rules)
        story.add(rep, self.cues.rules)
        self.copies.add(rep.key, story_id, rep.sig, rep.title_key, rep.published_at)
        keys = self._entity_keys(rep)
        keys += [f"k:{kind}" for kind in events.specific(rep.kinds, self.cues.rules)]
        keys += [f"l:{name}" for name in story.leaders]
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
