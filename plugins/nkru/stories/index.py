"""Grouping against the database: `StoryIndex` loads the window's grouped articles once per `process_pending`
call, then assigns each new article in the caller's (the article's) transaction.

The index lives in memory and is updated as articles are assigned, so a run reads the window from the database
once (issue 15) and each decision costs a bounded number of comparisons. An article keeps its story: re-running,
rescoring or re-extracting never moves it, so an alerted story is never split. A report that shows two stories
to be one event merges the younger into the older, whose id is kept (`store.stories.merge_story`: a pending
alert of the merged story is dropped, so no second alert).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from nkru import events
from nkru.store import Cursor
from nkru.store import stories as story_store
from nkru.store.articles import StoredArticle
from nkru.stories.copies import DEFAULT_WINDOW_HOURS, METHOD, to_bytes
from nkru.stories.grouping import EventMatcher
from nkru.stories.reports import from_member, report


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
        index._take(story_store.recent_members(cur, METHOD, now - window))
        return index

    def catch_up(self, cur: Cursor) -> int:
        """Take in the articles other processes grouped since this index was loaded (called under the process
        lock, so none is being grouped meanwhile); returns how many."""
        return self._take(story_store.recent_members(cur, METHOD, self.now - self.window, after_seq=self.last_seq))

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
        """Put the article in its story (a new one if none matches); idempotent.

        Runs in the caller's transaction: `articles.story_id`, the signature, the member row (why it joined) and
        any new story commit or roll back with the article's other rows. An article that already has a story
        keeps it: re-running, rescoring or re-extracting never moves an article, so a story that alerted is
        never split.
        """
        existing = story_store.article_story_id(cur, article.id)
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
            live = story_store.live_story(cur, story_id)
            if live is None:
                story_id, reason = (
                    None,
                    {**self.matcher.new_reason(rep, "matched story was rolled back"), "rule": "new"},
                )
            elif live != story_id:
                self.matcher.alias(story_id, live)
                story_id = live
        merged = []
        if story_id is not None:
            for drop in decision.merge:
                if story_store.story_exists(cur, drop):
                    story_store.merge_story(cur, story_id, drop)
                    merged.append(drop)
        created = story_id is None
        if created:
            story_id = story_store.create_story(cur, article.title, article.published_at, self.now)
        else:
            story_store.story_seen_published(cur, story_id, article.published_at)
        rule = decision.rule if not created else "new"
        story_store.set_article_story(cur, article.id, story_id)
        story_store.save_signature(
            cur, article.id, story_id, METHOD, rep.title_key, to_bytes(rep.sig), article.published_at, self.now
        )
        story_store.save_member(
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
        specific = events.specific(rep.kinds, self.matcher.cues.rules)
        story_store.add_story_kinds(cur, story_id, [k for k in rep.kinds if k in specific])
        in_headline = [k for k in rep.headline_kinds if k in specific]
        new_kinds = story_store.new_headline_kinds(cur, story_id, article.id, in_headline)
        self.matcher.add(rep, story_id, decision.merge)
        return Assignment(story_id, rule, tuple(new_kinds), created, tuple(merged))
