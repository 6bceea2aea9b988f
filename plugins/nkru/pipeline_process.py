"""The process step of the pipeline: extract entities from relevant articles not yet processed, group them into
stories and queue their alerts; and `reextract_all`, the same extraction over history.

Articles are written in batches (issue 15): one transaction per `PROCESS_BATCH` articles with their mentions, their
stories (`StoryIndex.assign_many`) and their marks each in a few statements, instead of one transaction and a
dozen round trips per article. One bad article still never stops
the others: when a batch fails, it is rolled back and done again one article per transaction; an article that
fails on its own stays pending (the next run tries it again), its reason is logged, kept in its
`extract_notes` and returned in `ProcessReport.errors`, and the other articles go on.

spaCy, the story index and the alert rules are imported and loaded only when something waits for extraction,
so a run with nothing new pays none of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import psycopg2

from nkru import store
from nkru.clock import utcnow
from nkru.config import Settings
from nkru.feeds.text import shorten
from nkru.store import articles as article_store
from nkru.store import extraction as extract_store
from nkru.store import fulltext as text_store
from nkru.untrusted import one_line

if TYPE_CHECKING:
    from nkru.entities.names import Mentions
    from nkru.stories.index import Assignment, StoryIndex

log = logging.getLogger(__name__)

# Articles extracted per spaCy batch and per read of the queue.
PROCESS_CHUNK = 256
# Articles written per transaction: large enough that commits and round trips stop mattering, small enough that a
# failed batch costs little to redo one article at a time.
PROCESS_BATCH = 64


@dataclass
class ProcessReport:
    articles: int = 0
    mentions: int = 0
    stories: set[int] = field(default_factory=set)
    errors: dict[int, str] = field(default_factory=dict)  # article id → why it could not be processed


@dataclass
class _Done:
    """What one written article adds to the report (counted only once its transaction committed)."""

    article_id: int
    mentions: int
    story_id: int


def process_pending(
    conn: store.Connection,
    settings: Settings,
    now: datetime | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ProcessReport:
    """Extract entities from relevant articles not yet processed, group them into stories and queue alerts.

    An article's mentions, its story and its outbox rows land together or not at all (with the rest of its
    batch). The spaCy model is loaded only when there is something to extract.

    Safe when several processes run it on one database at once (two `nkru run`, a retried task overlapping a
    late one, two workers). Grouping decides against the stories already stored, so two processes grouping at
    the same time would each open a story for the same report and each queue its alert. Each chunk is therefore
    processed under a database-wide advisory lock (`store.PROCESS_LOCK_ID`), held across the chunk's
    transactions: a second process waits, then reads the queue again. The story index is loaded once per call
    and kept up to date in memory as articles are assigned; under the lock, before each chunk after the first,
    it takes in what other processes grouped meanwhile (`StoryIndex.catch_up`). Inside the lock each batch is
    claimed again (`claim_pending_many`), so an article another process finished meanwhile is skipped. The lock
    lives here, around whatever `stories` does, so any grouping method is serialised the same way.
    """
    now = now or utcnow()
    report = ProcessReport()
    work: _Work | None = None
    while True:
        with store.advisory_lock(conn, store.PROCESS_LOCK_ID):
            with conn, conn.cursor() as cur:
                pending = article_store.pending_extraction(cur, PROCESS_CHUNK, exclude=sorted(report.errors))
            if not pending:
                return report
            if work is None:
                work = _Work.start(conn, settings, now)
            else:
                with conn, conn.cursor() as cur:
                    work.index.catch_up(cur)
            work.process_chunk(pending, report)
        if on_progress:
            on_progress(len(pending))


@dataclass
class _Work:
    """The extractor and the story index of one `process_pending` call, loaded at its first pending article."""

    conn: store.Connection
    settings: Settings
    now: datetime
    nlp: object
    index: StoryIndex

    @classmethod
    def start(cls, conn: store.Connection, settings: Settings, now: datetime) -> _Work:
        nlp = load_extractor(conn, settings)
        return cls(conn, settings, now, nlp, _load_index(conn, settings, now))

    def process_chunk(self, pending: list[article_store.StoredArticle], report: ProcessReport) -> None:
        """Extract `pending` (each item by the extractor of its detected language), then write it in batches."""
        from nkru import entities

        with self.conn, self.conn.cursor() as cur:
            bodies = text_store.texts_for(cur, [a.id for a in pending])
        found = entities.extract(
            self.nlp,
            [text_of(a, bodies.get(a.id)) for a in pending],
            batch_size=self.settings.entities.batch_size,
            languages=[a.language for a in pending],
        )
        items = list(zip(pending, found, strict=True))
        for start in range(0, len(items), PROCESS_BATCH):
            self._write_batch(items[start : start + PROCESS_BATCH], report)

    def _write_batch(self, batch: list[tuple[article_store.StoredArticle, Mentions]], report: ProcessReport) -> None:
        """The batch in one transaction; if that fails, again one article per transaction."""
        try:
            done = self._write(batch)
        except Exception as exc:
            if _connection_lost(self.conn, exc):
                raise
            log.warning("a batch of %d articles failed (%s); writing them one by one", len(batch), _reason(exc))
            # The index took in the rolled-back assignments: read it again from what was committed.
            self.index = _load_index(self.conn, self.settings, self.now)
            done = []
            for item in batch:
                try:
                    done += self._write([item])
                except Exception as exc:
                    if _connection_lost(self.conn, exc):
                        raise
                    self._record_failure(item[0], exc, report)
        for d in done:
            report.articles += 1
            report.mentions += d.mentions
            report.stories.add(d.story_id)

    def _write(self, batch: list[tuple[article_store.StoredArticle, Mentions]]) -> list[_Done]:
        """Claim, store mentions, assign stories, queue alerts and mark extracted, in one transaction."""
        from nkru import entities
        from nkru.alerts.outbox import queue_for_article

        with self.conn, self.conn.cursor() as cur:
            claimed = extract_store.claim_pending_many(cur, [a.id for a, _ in batch])
            batch = [(a, m) for a, m in batch if a.id in claimed]  # others were finished by another process
            extract_store.save_mentions_many(cur, [(a.id, mention_rows(m)) for a, m in batch], entities.alias_key)

            def queue(position: int, assigned: Assignment) -> None:
                article, mentions = batch[position]
                queue_for_article(
                    cur,
                    self.settings,
                    article,
                    assigned.story_id,
                    [(m.name, m.label, m.count) for m in mentions],
                    now=self.now,
                    new_kinds=assigned.new_kinds,
                )

            assigned = self.index.assign_many(
                cur,
                [(a, [(m.name, m.label) for m in mentions]) for a, mentions in batch],
                # Without rules there is nothing to queue, and the index writes the batch's rows in one go.
                on_assigned=queue if self.settings.alerts.rules else None,
            )
            extract_store.mark_extracted_many(cur, [(a.id, list(m.notes)) for a, m in batch], self.now)
        self.index.committed()
        return [_Done(a.id, len(m), s.story_id) for (a, m), s in zip(batch, assigned, strict=True)]

    def _record_failure(self, article: article_store.StoredArticle, exc: Exception, report: ProcessReport) -> None:
        """Log the article's failure, keep the reason in its notes (it stays pending) and in the report."""
        reason = f"could not be processed (tried again next run): {_reason(exc)}"
        log.error("article %d %s", article.id, reason)
        report.errors[article.id] = reason
        self.index = _load_index(self.conn, self.settings, self.now)
        try:
            with self.conn, self.conn.cursor() as cur:
                extract_store.note_pending_failure(cur, article.id, reason)
        except psycopg2.Error:
            log.warning("could not store the failure note of article %d", article.id, exc_info=True)


def _load_index(conn: store.Connection, settings: Settings, now: datetime) -> StoryIndex:
    from nkru.stories.index import StoryIndex

    with conn, conn.cursor() as cur:
        return StoryIndex.load(cur, now=now, window_hours=settings.alerts.max_story_age_hours)


def mention_rows(mentions: Mentions) -> list[tuple[str, str, int, tuple[str, ...]]]:
    """(canonical name, label, count, surface forms) of each mention, as `save_mentions` stores them."""
    return [(m.name, m.label, m.count, tuple(m.aliases)) for m in mentions]


def _connection_lost(conn: store.Connection, exc: Exception) -> bool:
    """True when the database connection itself failed (retry later), not the data of one article."""
    return bool(conn.closed) or isinstance(exc, psycopg2.OperationalError | psycopg2.InterfaceError)


def _reason(exc: Exception, limit: int = 300) -> str:
    """An exception as one clean line (its text may quote article data)."""
    return shorten(one_line(f"{type(exc).__name__}: {exc}", limit=None), limit)


def text_of(article: article_store.StoredArticle, body: str | None = None) -> str:
    return joined(article.title, article.summary, body)


def joined(title: str, summary: str, body: str | None = None) -> str:
    """Headline, lede (the feed's summary) and, when the page was fetched, the article's body."""
    text = f"{title}.\n{summary}" if summary else title
    return f"{text}\n{body}" if body else text


def load_extractor(conn: store.Connection, settings: Settings):
    """The entity extractor with the analysts' aliases; the gazetteer's spellings and nationality links are
    written to the database first, so every spelling is findable before any article mentions it."""
    from nkru import entities

    gazetteer = settings.entities.gazetteer
    with conn, conn.cursor() as cur:
        aliases = article_store.analyst_aliases(cur)
        extract_store.seed_gazetteer(cur, entities.gazetteer_entries(gazetteer), entities.alias_key)
        extract_store.link_nationalities(cur, entities.nationality_links(gazetteer))
    return entities.load_pipeline(gazetteer, aliases=aliases)


def reextract_all(
    conn: store.Connection,
    settings: Settings,
    chunk: int = PROCESS_CHUNK,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Extract the entities of every relevant, already extracted article again, with the current gazetteer and
    analysts' aliases; (articles, mentions). Idempotent: each article's mentions are replaced in its own
    transaction.
    Stories and alerts are left alone (they were decided when the article arrived)."""
    from nkru import entities

    nlp = load_extractor(conn, settings)
    total = mentions = 0
    last_id = 0
    while True:
        with conn, conn.cursor() as cur:
            rows = article_store.articles_for_reextract(cur, last_id, chunk)
        if not rows:
            return total, mentions
        with conn, conn.cursor() as cur:
            bodies = text_store.texts_for(cur, [row[0] for row in rows])
        found = entities.extract(
            nlp,
            [joined(title, summary, bodies.get(article_id)) for article_id, title, summary, _ in rows],
            batch_size=settings.entities.batch_size,
            languages=[language for *_, language in rows],
        )
        now = utcnow()
        for (article_id, *_), result in zip(rows, found, strict=True):
            with conn, conn.cursor() as cur:
                extract_store.save_mentions(cur, article_id, mention_rows(result), entities.alias_key)
                extract_store.mark_extracted(cur, article_id, now, list(result.notes))
            mentions += len(result)
        total += len(rows)
        last_id = rows[-1][0]
        if on_progress:
            on_progress(len(rows))
