"""Grouping against the database: `StoryIndex` loads the window's grouped articles once per `process_pending`
call, then assigns each batch of new articles in the caller's transaction (`assign_many`).

The index lives in memory and is updated as articles are assigned, so a run reads the window from the database
once and each decision costs a bounded number of comparisons; a batch's rows are written with a handful of
statements, not eight round trips per article (issue 15). An article keeps its story: re-running, rescoring or
re-extracting never moves it, so an alerted story is never split. A report that shows two stories to be one event
merges the younger into the older, whose id is kept (`store.stories.merge_story`: a pending alert of the merged
story is dropped, so no second alert).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from nkru import events
from nkru.store import Cursor
from nkru.store import stories as story_store
from nkru.store.articles import StoredArticle
from nkru.stories.copies import DEFAULT_WINDOW_HOURS, METHOD, to_bytes
from nkru.stories.grouping import EventMatcher
from nkru.stories.reports import Report, from_member, report


@dataclass(frozen=True)
class Assignment:
    """Where `StoryIndex.assign` put an article: its story, the rule that decided, and the kinds its headline
    adds to the story's headlines (`new_kinds`: the update rule, `alerts.queue_for_article`). Only a headline
    changes the picture: a summary recalling "amid arms transfers" or "are expected to sign" does not."""

    story_id: int
    rule: str
    new_kinds: tuple[str, ...] = ()
    created: bool = False
    merged: tuple[int, ...] = ()  # younger stories merged into this one by this article


# Called with each article's position in the batch and its assignment, in order, once the article's rows are
# written and before any later article's merge (what `alerts.queue_for_article` needs to see).
OnAssigned = Callable[[int, Assignment], None]


class StoryIndex:
    """Story grouping against the database: load once per `process_pending` call, then `assign_many` each batch.

    The index lives in memory and is updated as articles are assigned, so a run reads the window from the
    database once (issue 15) and each decision costs a bounded number of comparisons. Whoever holds it across
    transactions tells it when one committed (`committed`) and takes in what other processes grouped meanwhile
    (`catch_up`, under the process lock); after a transaction that assigned articles rolls back, load it again.
    """

    def __init__(self, matcher: EventMatcher, now: datetime, window: timedelta | None = None):
        self.matcher = matcher
        self.now = now
        self.window = window or matcher.window
        self.last_seq = 0  # the newest story_members row this index has taken in
        self._unconfirmed: set[int] = set()  # stories created here in transactions not known to have committed
        self._rolled_back: set[int] = set()  # stories created here whose transaction rolled back
        self._moved: dict[int, int] = {}  # story -> the story another process merged it into

    @classmethod
    def load(cls, cur: Cursor, *, now: datetime, window_hours: float = DEFAULT_WINDOW_HOURS) -> StoryIndex:
        """Index the articles grouped within the last `window_hours` (before `now`)."""
        window = timedelta(hours=window_hours)
        index = cls(EventMatcher(window=window), now, window)
        index._take(story_store.recent_members(cur, METHOD, now - window))
        return index

    def catch_up(self, cur: Cursor) -> int:
        """Take in the articles other processes grouped since this index was loaded (called under the process
        lock, so none is being grouped meanwhile), and the stories they merged; returns how many articles."""
        taken = self._take(story_store.recent_members(cur, METHOD, self.now - self.window, after_seq=self.last_seq))
        if taken:  # a merge always comes with the member row of the article that showed it
            self._moved.update(story_store.merged_stories(cur, self.matcher.stories))
        return taken

    def committed(self) -> None:
        """The transactions of every `assign_many` so far committed: the stories they created exist."""
        self._unconfirmed.clear()

    def _take(self, rows: list[story_store.MemberRow]) -> int:
        taken = 0
        for row in rows:
            if row.seq is not None:
                self.last_seq = max(self.last_seq, row.seq)
            if self.matcher.knows(row.article_id):
                continue
            taken += 1
            self.matcher.add(from_member(row, self.matcher.cues), self.matcher.resolve(row.story_id))
        return taken

    def assign(self, cur: Cursor, article: StoredArticle, mentions: Iterable[tuple[str, str]] = ()) -> Assignment:
        """`assign_many` for one article."""
        return self.assign_many(cur, [(article, mentions)])[0]

    def assign_many(
        self,
        cur: Cursor,
        items: Sequence[tuple[StoredArticle, Iterable[tuple[str, str]]]],
        on_assigned: OnAssigned | None = None,
    ) -> list[Assignment]:
        """Put each article (with its (name, label) mentions) in its story, in order (a new one if none matches);
        idempotent.

        Runs in the caller's transaction: `articles.story_id`, the signature, the member row (why it joined) and
        any new story commit or roll back with the articles' other rows. An article that already has a story
        keeps it: re-running, rescoring or re-extracting never moves an article, so a story that alerted is
        never split. The decisions are the ones `assign` would make one article at a time; the rows are written
        per batch, and before a merge (which moves the rows written so far).
        """
        if self._unconfirmed:
            self._rolled_back |= self._unconfirmed - story_store.existing_stories(cur, self._unconfirmed)
        kept = story_store.article_story_ids(cur, [article.id for article, _ in items])
        batch = _Batch(self.now, self.matcher.cues.rules, on_assigned)
        for position, (article, mentions) in enumerate(items):
            if article.id in kept:
                batch.keep(position, kept[article.id])
            else:
                kept[article.id] = self._assign(cur, batch, position, article, mentions)
        batch.flush(cur)
        return batch.assignments

    def _assign(
        self, cur: Cursor, batch: _Batch, position: int, article: StoredArticle, mentions: Iterable[tuple[str, str]]
    ) -> int:
        """Decide the article's story (merging, creating), queue its rows in `batch`; returns the story id."""
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
        if story_id is not None:
            story_id = self._live(story_id)
            if story_id is None:
                reason = {**self.matcher.new_reason(rep, "matched story was rolled back"), "rule": "new"}
        merged = []
        if story_id is not None and decision.merge:
            batch.flush(cur)  # merge_story moves the rows already written
            for drop in decision.merge:
                if story_store.story_exists(cur, drop):
                    story_store.merge_story(cur, story_id, drop)
                    merged.append(drop)
        created = story_id is None
        if created:
            story_id = story_store.create_story(cur, article.title, article.published_at, self.now)
            self._unconfirmed.add(story_id)
        rule = decision.rule if not created else "new"
        batch.add(position, article, rep, _Written(story_id, rule, reason, created, tuple(merged)))
        self.matcher.add(rep, story_id, decision.merge)
        return story_id

    def _live(self, story_id: int) -> int | None:
        """The story `story_id` lives on as: itself, or the story another process merged it into; None if its
        transaction rolled back (it existed only in this index)."""
        if story_id in self._rolled_back:
            return None
        live = story_id
        while live in self._moved:
            live = self._moved[live]
        if live != story_id:
            self.matcher.alias(story_id, live)
        return live


@dataclass(frozen=True)
class _Written:
    """What `StoryIndex` decided for one article, to be written."""

    story_id: int
    rule: str
    reason: dict
    created: bool
    merged: tuple[int, ...]


@dataclass
class _Batch:
    """The rows of the articles assigned since the last flush, written together (`flush`)."""

    now: datetime
    rules: events.EventRules
    on_assigned: OnAssigned | None
    assignments: list[Assignment] = field(default_factory=list)
    _pending: list[tuple[int, StoredArticle | None, Report | None, _Written]] = field(default_factory=list)

    def keep(self, position: int, story_id: int) -> None:
        """An article that already has its story: nothing to write."""
        self._pending.append((position, None, None, _Written(story_id, "kept", {}, False, ())))

    def add(self, position: int, article: StoredArticle, rep: Report, written: _Written) -> None:
        self._pending.append((position, article, rep, written))

    def flush(self, cur: Cursor) -> None:
        """Write the pending articles' rows, then settle each one's assignment in order."""
        pending, self._pending = self._pending, []
        grouped = [(article, rep, w) for _, article, rep, w in pending if article is not None and rep is not None]
        if not grouped:
            self._settle(cur, pending, {}, {})
            return
        stories = {w.story_id for _, _, w in grouped}
        # What other members' headlines cued, and the stories' publication times, before this batch's rows.
        seen = story_store.headline_kinds(cur, stories, [article.id for article, _, _ in grouped])
        published = story_store.stories_published(cur, stories)
        story_store.set_article_stories(cur, [(article.id, w.story_id) for article, _, w in grouped])
        story_store.save_signatures(cur, [self._signature(article, rep, w) for article, rep, w in grouped])
        story_store.save_members(cur, [self._member(article, rep, w) for article, rep, w in grouped])
        kinds: dict[int, list[str]] = {}
        for _, rep, w in grouped:
            story_kinds = kinds.setdefault(w.story_id, [])
            specific = events.specific(rep.kinds, self.rules)
            story_kinds += [k for k in rep.kinds if k in specific and k not in story_kinds]
        story_store.add_story_kinds(cur, kinds)
        self._settle(cur, pending, seen, published)

    def _settle(
        self,
        cur: Cursor,
        pending: list[tuple[int, StoredArticle | None, Report | None, _Written]],
        seen: dict[int, set[str]],
        published: dict[int, datetime],
    ) -> None:
        """Each article's assignment in order: the headline kinds it adds to its story's, and the story's
        publication time lowered to its own where earlier, as `on_assigned` must see it."""
        earlier: dict[int, datetime] = {}
        for position, article, rep, w in pending:
            new_kinds: list[str] = []
            if article is not None and rep is not None:
                story_seen = seen.setdefault(w.story_id, set())
                specific = events.specific(rep.kinds, self.rules)
                new_kinds = [k for k in rep.headline_kinds if k in specific and k not in story_seen]
                story_seen.update(rep.headline_kinds)
                if article.published_at < published[w.story_id]:
                    published[w.story_id] = earlier[w.story_id] = article.published_at
            assigned = Assignment(w.story_id, w.rule, tuple(new_kinds), w.created, w.merged)
            self.assignments.append(assigned)
            if self.on_assigned is not None:
                story_store.stories_seen_published(cur, earlier)
                earlier.clear()
                self.on_assigned(position, assigned)
        story_store.stories_seen_published(cur, earlier)

    def _signature(self, article: StoredArticle, rep: Report, w: _Written) -> story_store.SignatureWrite:
        return story_store.SignatureWrite(
            article.id, w.story_id, METHOD, rep.title_key, to_bytes(rep.sig), article.published_at, self.now
        )

    def _member(self, article: StoredArticle, rep: Report, w: _Written) -> story_store.MemberWrite:
        return story_store.MemberWrite(
            article_id=article.id,
            story_id=w.story_id,
            rule=w.rule,
            reason=w.reason,
            entities=rep.entities,
            kinds=list(rep.kinds),
            headline_kinds=list(rep.headline_kinds),
            headline_places=sorted(rep.headline_places),
            step=rep.step,
            event_date=rep.event_date,
            published_at=article.published_at,
            seen_at=self.now,
        )
