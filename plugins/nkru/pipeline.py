"""The ingest pipeline as plain functions: plan → ingest (fetch, parse, score, store) → process (extract,
group into stories, queue alerts) → send. The Airflow DAG wraps each in a task; `nkru run` calls them in turn.

State lives in PostgreSQL between steps, not in XCom: a step that fails can be retried, and the next run
picks up whatever an earlier one left pending (articles not yet extracted, e-mails not yet sent).
Each feed is stored in its own transaction and each article is processed in its own transaction, so one bad
feed or item never undoes the others and a database outage leaves nothing half-written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from nkru import language, store
from nkru.config import Settings
from nkru.feeds import FetchRequest, FetchResult, ParsedFeed, fetch_feeds, parse_feed
from nkru.store import articles as article_store
from nkru.store import feeds as feed_store
from nkru.topic import Scorer

log = logging.getLogger(__name__)

# Articles extracted per spaCy batch and per read of the queue.
PROCESS_CHUNK = 256


@dataclass
class IngestReport:
    """What one batch of feeds yielded; small enough to pass through XCom."""

    feeds: int = 0
    failed_feeds: int = 0
    not_modified: int = 0
    items: int = 0
    new_articles: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def add(self, other: IngestReport) -> None:
        for name in ("feeds", "failed_feeds", "not_modified", "items", "new_articles"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason, count in other.skipped.items():
            self.skipped[reason] = self.skipped.get(reason, 0) + count
        self.errors.update(other.errors)


@dataclass
class ProcessReport:
    articles: int = 0
    mentions: int = 0
    stories: set[int] = field(default_factory=set)


def utcnow() -> datetime:
    return datetime.now(UTC)


def plan_batches(conn: store.Connection, settings: Settings, now: datetime, due_only: bool = True) -> list[list[dict]]:
    """Sync the feed list with the settings and split the feeds to fetch into batches (plain dicts for XCom)."""
    with conn, conn.cursor() as cur:
        feed_store.sync_feeds(cur, settings.feeds)
        rows = feed_store.feeds_to_fetch(cur, now, due_only=due_only)
    requests = [asdict(FetchRequest(r.name, r.url, r.etag, r.last_modified)) for r in rows]
    size = settings.fetch.batch_size
    return [requests[i : i + size] for i in range(0, len(requests), size)]


def ingest_batch(
    conn: store.Connection, settings: Settings, batch: list[dict], run_id: str, now: datetime | None = None
) -> IngestReport:
    """Fetch a batch of feeds concurrently, then parse, score and store each feed in its own transaction."""
    requests = [FetchRequest(**r) for r in batch]
    results = fetch_feeds(requests, settings.fetch)
    now = now or utcnow()
    scorer = Scorer(settings.topic)
    languages = {f.name: f.language for f in settings.feeds}
    report = IngestReport()
    with conn, conn.cursor() as cur:
        ids = feed_store.feed_ids(cur, [r.feed_name for r in requests])
    for result in results:
        if result.feed_name not in ids:
            continue  # removed from the settings since the batch was planned
        feed_report = _store_feed(
            conn, settings, scorer, result, ids[result.feed_name], languages.get(result.feed_name), run_id, now
        )
        report.add(feed_report)
    return report


def _store_feed(
    conn: store.Connection,
    settings: Settings,
    scorer: Scorer,
    result: FetchResult,
    feed_id: int,
    language: str | None,
    run_id: str,
    now: datetime,
) -> IngestReport:
    parsed = parse_feed(result, default_language=language) if result.status == "ok" else None
    new_articles = [_scored(item, scorer) for item in parsed.items] if parsed else []
    with conn, conn.cursor() as cur:
        new = article_store.save_articles(cur, feed_id, new_articles, result.fetched_at) if new_articles else 0
        outcome = _outcome(result, parsed, new)
        feed_store.record_fetch(cur, feed_id, outcome, run_id, now, settings.fetch)
    if outcome.failed:
        log.warning("feed %s failed: %s", result.feed_name, outcome.error)
    return IngestReport(
        feeds=1,
        failed_feeds=int(outcome.failed),
        not_modified=int(result.status == "not_modified"),
        items=outcome.items_found,
        new_articles=new,
        skipped=dict(outcome.skip_reasons),
        errors={result.feed_name: outcome.error} if outcome.failed and outcome.error else {},
    )


def _scored(item, scorer: Scorer) -> article_store.NewArticle:
    detected = language.detect(item.title, item.summary, hint=item.language)
    relevance = scorer.score(item.title, item.summary, detected.code)
    return article_store.NewArticle(
        url=item.url,
        guid=item.guid,
        title=item.title,
        summary=item.summary,
        language=detected.code,
        declared_language=item.language,
        published_at=item.published_at,
        score=relevance.score,
        relevant=relevance.relevant,
        matched_terms=tuple(relevance.terms),
        reason=relevance.reason,
    )


def _outcome(result: FetchResult, parsed: ParsedFeed | None, new: int) -> feed_store.FetchOutcome:
    """A fetch failed if the server did not answer usefully or the body was not a feed at all."""
    failed = not result.ok or (parsed is not None and parsed.error is not None)
    error = result.error or (parsed.error if parsed else None) or (parsed.warning if parsed else None)
    status = "not_a_feed" if result.ok and failed else result.status
    return feed_store.FetchOutcome(
        status=status,
        http_status=result.http_status,
        error=error,
        failed=failed,
        elapsed_ms=result.elapsed_ms,
        bytes=len(result.body or b""),
        etag=result.etag,
        last_modified=result.last_modified,
        items_found=len(parsed.items) + sum(parsed.skipped.values()) if parsed else 0,
        items_new=new,
        skip_reasons=dict(parsed.skipped) if parsed else {},
    )


def process_pending(
    conn: store.Connection,
    settings: Settings,
    now: datetime | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ProcessReport:
    """Extract entities from relevant articles not yet processed, group them into stories and queue alerts.

    Each article is committed on its own: its mentions, its story and its outbox rows land together or not
    at all. The spaCy model is loaded only when there is something to extract.
    """
    from nkru import alerts, entities, stories

    now = now or utcnow()
    report = ProcessReport()
    nlp = None
    index = None  # loaded once per call, then kept up to date in memory as articles are assigned
    while True:
        with conn, conn.cursor() as cur:
            pending = article_store.pending_extraction(cur, PROCESS_CHUNK)
        if not pending:
            return report
        if nlp is None:
            nlp = entities.load_pipeline(settings.entities.gazetteer)
            with conn, conn.cursor() as cur:
                article_store.seed_gazetteer(
                    cur, entities.gazetteer_entries(settings.entities.gazetteer), entities.alias_key
                )
        found = entities.extract(nlp, (_text_of(a) for a in pending), batch_size=settings.entities.batch_size)
        if index is None:
            with conn, conn.cursor() as cur:
                index = stories.StoryIndex.load(cur, now=now, window_hours=settings.alerts.max_story_age_hours)
        for article, mentions in zip(pending, found, strict=True):
            rows = [(m.name, m.label, m.count, tuple(m.aliases)) for m in mentions]
            with conn, conn.cursor() as cur:
                article_store.save_mentions(cur, article.id, rows, entities.alias_key)
                assigned = index.assign(cur, article, [(m.name, m.label) for m in mentions])
                alerts.queue_for_article(
                    cur,
                    settings,
                    article,
                    assigned.story_id,
                    [(m.name, m.label, m.count) for m in mentions],
                    now=now,
                    new_kinds=assigned.new_kinds,
                )
                article_store.mark_extracted(cur, article.id, now)
            report.articles += 1
            report.mentions += len(rows)
            report.stories.add(assigned.story_id)
        if on_progress:
            on_progress(len(pending))


def _text_of(article: article_store.StoredArticle) -> str:
    return f"{article.title}.\n{article.summary}" if article.summary else article.title


def rescore_all(
    conn: store.Connection, settings: Settings, now: datetime | None = None, chunk: int = 2000
) -> tuple[int, int, int]:
    """Detect the language of every stored article again and score it with the current topic rules;
    (articles, became relevant, dropped)."""
    scorer = Scorer(settings.topic)
    now = now or utcnow()
    total = gained = lost = 0
    last_id = 0
    while True:
        with conn, conn.cursor() as cur:
            rows = article_store.articles_for_rescore(cur, last_id, chunk)
            if not rows:
                return total, gained, lost
            updates = []
            for article_id, title, summary, declared, was_relevant in rows:
                detected = language.detect(title, summary, hint=declared)
                r = scorer.score(title, summary, detected.code)
                updates.append((article_id, r.score, r.relevant, list(r.terms), r.reason, detected.code))
                gained += int(r.relevant and not was_relevant)
                lost += int(was_relevant and not r.relevant)
            article_store.update_relevance(cur, updates, now)
        total += len(rows)
        last_id = rows[-1][0]
