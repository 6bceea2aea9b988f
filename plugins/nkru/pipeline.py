"""The ingest pipeline as plain functions: plan → ingest (fetch, parse, score, store) → process (extract,
group into stories, queue alerts) → send. The Airflow DAG wraps each in a task; `nkru run` calls them in turn.

State lives in PostgreSQL between steps, not in XCom: a step that fails can be retried, and the next run
picks up whatever an earlier one left pending (articles not yet extracted, e-mails not yet sent).
Feeds are stored in chunks, one transaction each, and articles are processed in batches (nkru.pipeline_process); a
chunk or batch that fails is done again one feed or article at a time, so one bad feed or item never undoes the
others, and a database outage leaves nothing half-written.
"""

from __future__ import annotations

import itertools
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime

import psycopg2

from nkru import fulltext, language, language_apart, store
from nkru.clock import utcnow
from nkru.config import Settings
from nkru.feeds import FetchRequest, FetchResult, ParsedFeed, parse_feed, politeness
from nkru.feeds.stream import FeedStream
from nkru.feeds.text import shorten
from nkru.long_lived import LongLived
from nkru.relevance import Scorer
from nkru.store import articles as article_store
from nkru.store import feeds as feed_store
from nkru.store import fulltext as text_store
from nkru.store import hosts as host_store
from nkru.untrusted import one_line

log = logging.getLogger(__name__)

# Feeds parsed, scored and stored per transaction: enough that commits, round trips and the statement-level
# triggers stop mattering, few enough that a refused chunk costs little to store again one feed at a time.
STORE_CHUNK = 50


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


def plan_batches(conn: store.Connection, settings: Settings, now: datetime, due_only: bool = True) -> list[list[dict]]:
    """Sync the feed list with the settings and split the feeds to fetch into batches (plain dicts for XCom).

    All due feeds of one host go in one batch, so one task fetches them within the per-host cap.
    """
    with conn, conn.cursor() as cur:
        feed_store.sync_feeds(cur, settings.feeds)
        rows = feed_store.feeds_to_fetch(cur, now, due_only, settings.fetch.validator_check_hours)
    requests = [
        {**asdict(FetchRequest(r.name, r.url, r.etag, r.last_modified)), "check_validators": r.check_validators}
        for r in rows
    ]
    return politeness.batches_by_host(requests, settings.fetch.batch_size)


def ingest_batch(
    conn: store.Connection, settings: Settings, batch: list[dict], run_id: str, now: datetime | None = None
) -> IngestReport:
    """Fetch a batch of feeds concurrently and politely and, as they arrive, parse, score and store them
    `STORE_CHUNK` feeds per transaction. Hosts that asked to wait are remembered, so no later run asks them
    earlier."""
    requests = [FetchRequest(r["feed_name"], r["url"], r.get("etag"), r.get("last_modified")) for r in batch]
    checks = {r["feed_name"] for r in batch if r.get("check_validators")}
    now = now or utcnow()
    with conn, conn.cursor() as cur:
        known = host_store.waits_in_force(cur, utcnow())
        ids = feed_store.feed_ids(cur, [r.feed_name for r in requests])
    languages = {f.name: f.language for f in settings.feeds}
    report = IngestReport()
    scorer: Scorer | None = None
    # The feeds are fetched in a thread (`FeedStream`) and taken in order chunk by chunk as they arrive, so at
    # most a few hundred bodies are held at once (a batch of every feed of one host can be thousands) and the
    # fetching overlaps the rest. A pipeline of three more stages, one chunk each: the main thread parses a chunk
    # and scores the one before; lingua detects the languages of the parsed chunk (in a child process for a large
    # batch: it holds the GIL, `language_apart`); and the scored chunk before that is stored in a thread,
    # which spends most of its time waiting for PostgreSQL (the GIL released). Only that thread uses the
    # connection meanwhile.
    with (
        LongLived() as long_lived,  # left last, when the threads are done with the scorer
        FeedStream(requests, settings.fetch, checks, known, ahead=4 * STORE_CHUNK) as stream,
        language_apart.detector_for(len(requests)) as detector,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="nkru-store") as storer,
    ):
        arriving = iter(stream)
        ahead: tuple[list[_Feed], Future] | None = None
        storing: Future | None = None
        while True:
            chunk = list(itertools.islice(arriving, STORE_CHUNK))
            if not chunk and ahead is None:
                break
            current, ahead = ahead, None
            if chunk:
                # The topic lexicon takes a while to load: a batch whose feeds all answered 304 (or failed) never
                # needs it. It is kept out of the garbage collector's way (`LongLived`).
                if scorer is None and any(r.status == "ok" for r in chunk):
                    detector.start()  # the languages' child process, if any, starts meanwhile
                    scorer = long_lived.load(lambda: Scorer(settings.topic))
                chunk = [r for r in chunk if r.feed_name in ids]  # others left the settings
                feeds = _parsed([_Feed(r, ids[r.feed_name], languages.get(r.feed_name)) for r in chunk])
                items = [(i.title, i.summary, i.language) for f in feeds if f.parsed for i in f.parsed.items]
                ahead = (feeds, language_apart.detecting(detector, items))
            if current:
                feeds = _scored_feeds(current[0], scorer, _languages(*current))
                if storing:
                    report.add(storing.result())  # chunks are stored one at a time, in order
                storing = storer.submit(_store_chunk, conn, settings, scorer, feeds, run_id, now, stream.fetched)
        if storing:
            report.add(storing.result())
    with conn, conn.cursor() as cur:
        host_store.record_waits(cur, stream.fetched.waits)
    return report


@dataclass
class _Feed:
    """One fetched feed on its way to the database: its id, declared language and, once parsed, its items."""

    result: FetchResult
    feed_id: int
    language: str | None
    parsed: ParsedFeed | None = None
    articles: list[article_store.NewArticle] = field(default_factory=list)


def _store_chunk(
    conn: store.Connection,
    settings: Settings,
    scorer: Scorer | None,
    feeds: list[_Feed],
    run_id: str,
    now: datetime,
    fetched: politeness.PoliteFetch,
) -> IngestReport:
    """Store a chunk of parsed and scored feeds in one transaction, a few statements per table for the whole
    chunk rather than a transaction and a handful of round trips per feed (issue 15).

    A feed whose items cannot be scored goes alone through `_store_feed`; if the chunk's transaction is
    refused, it is rolled back and every feed of the chunk is stored again in its own (`_store_feed`, which
    falls back to one item at a time), so one feed's bad data never stops the others.
    """
    report = IngestReport()
    ready = []
    for feed in feeds:
        if feed.parsed is None and feed.result.status == "ok":  # its items could not be scored
            report.add(_store_feed(conn, settings, scorer, feed, run_id, now, fetched))
        else:
            ready.append(feed)
    try:
        outcomes = []
        with conn, conn.cursor() as cur:
            new = article_store.save_articles_many(cur, [(f.feed_id, f.articles, f.result.fetched_at) for f in ready])
            for feed in ready:
                outcome = _outcome(feed.result, feed.parsed, new.get(feed.feed_id, 0), fetched)
                feed_store.record_fetch(cur, feed.feed_id, outcome, run_id, now, settings.fetch)
                if outcome.items_new and settings.fulltext.enabled:
                    fulltext.mark_candidates(cur, settings, scorer, feed.articles, feed.result.fetched_at)
                outcomes.append((feed, outcome))
    except Exception as exc:
        if _connection_lost(conn, exc):
            raise
        log.warning(
            "%d feeds could not be stored together (%s); storing them one by one", len(ready), _reason(exc, 300)
        )
        for feed in ready:
            report.add(_store_feed(conn, settings, scorer, feed, run_id, now, fetched))
        return report
    for feed, outcome in outcomes:
        report.add(_feed_report(feed.result, outcome))
    return report


def _parsed(feeds: list[_Feed]) -> list[_Feed]:
    """The feeds with their items parsed (a feed that was not fetched has none)."""
    for feed in feeds:
        if feed.result.status == "ok":
            feed.parsed = parse_feed(feed.result, default_language=feed.language)
    return feeds


def _languages(feeds: list[_Feed], detecting: Future) -> list[language.Detection | None]:
    """The languages `detecting` found, or None each if it failed (then `_scored` detects them one by one)."""
    try:
        return list(detecting.result())
    except Exception:
        count = sum(len(f.parsed.items) for f in feeds if f.parsed)
        log.exception("the languages of %d items could not be detected together", count)
        return [None] * count


def _scored_feeds(feeds: list[_Feed], scorer: Scorer | None, detected: list[language.Detection | None]) -> list[_Feed]:
    """The parsed feeds with their items scored, given their languages (`_languages`). A feed whose items cannot
    be scored is left unparsed: `_store_feed` tries it again alone and says why."""
    start = 0
    for feed in feeds:
        if not feed.parsed:
            continue
        mine = detected[start : start + len(feed.parsed.items)]
        start += len(feed.parsed.items)
        try:
            feed.articles = [_scored(item, scorer, d) for item, d in zip(feed.parsed.items, mine, strict=True)]
        except Exception:
            feed.parsed, feed.articles = None, []
    return feeds


def _store_feed(
    conn: store.Connection,
    settings: Settings,
    scorer: Scorer | None,
    feed: _Feed,
    run_id: str,
    now: datetime,
    fetched: politeness.PoliteFetch | None = None,
) -> IngestReport:
    """Parse, score and store one feed in its own transaction, and record its fetch in the feed's health.

    One feed's bad data never stops the batch: if its items cannot be scored or the transaction is refused
    (a value PostgreSQL will not take), the feed is stored again item by item, each bad item skipped with the
    reason, and if even that fails its health records the reason. Only a lost database connection raises:
    then nothing more can be stored, and the task is retried. Candidates for full text are queued with the items.
    """
    result, feed_id, language = feed.result, feed.feed_id, feed.language
    try:
        parsed = parse_feed(result, default_language=language) if result.status == "ok" else None
        new_articles = [_scored(item, scorer) for item in parsed.items] if parsed else []
        with conn, conn.cursor() as cur:
            new = article_store.save_articles(cur, feed_id, new_articles, result.fetched_at) if new_articles else 0
            outcome = _outcome(result, parsed, new, fetched)
            feed_store.record_fetch(cur, feed_id, outcome, run_id, now, settings.fetch)
            if new and settings.fulltext.enabled:
                fulltext.mark_candidates(cur, settings, scorer, new_articles, result.fetched_at)
    except Exception as exc:
        if _connection_lost(conn, exc):
            raise
        log.warning(
            "feed %s could not be stored at once (%s); storing its items one by one",
            result.feed_name,
            _reason(exc, 300),
        )
        outcome = _store_item_by_item(conn, settings, scorer, result, feed_id, language, run_id, now, fetched)
    return _feed_report(result, outcome)


def _feed_report(result: FetchResult, outcome: feed_store.FetchOutcome) -> IngestReport:
    """One stored feed's line in the report (a failed feed is logged with its reason)."""
    if outcome.failed:
        log.warning("feed %s failed: %s", result.feed_name, outcome.error)
    return IngestReport(
        feeds=1,
        failed_feeds=int(outcome.failed),
        not_modified=int(result.status == "not_modified"),
        items=outcome.items_found,
        new_articles=outcome.items_new,
        skipped=dict(outcome.skip_reasons),
        errors={result.feed_name: outcome.error} if outcome.failed and outcome.error else {},
    )


def _store_item_by_item(
    conn: store.Connection,
    settings: Settings,
    scorer: Scorer | None,
    result: FetchResult,
    feed_id: int,
    language: str | None,
    run_id: str,
    now: datetime,
    fetched: politeness.PoliteFetch | None = None,
) -> feed_store.FetchOutcome:
    """The slow path of `_store_feed`: each item in its own transaction; returns the outcome recorded."""
    try:
        parsed = parse_feed(result, default_language=language) if result.status == "ok" else None
    except Exception as exc:  # parse_feed promises not to raise; if it ever does, the feed still gets a reason
        return _record_store_failure(conn, settings, result, feed_id, run_id, now, exc)
    new = 0
    refused: dict[str, int] = {}
    for item in parsed.items if parsed else []:
        try:
            article = _scored(item, scorer)
            with conn, conn.cursor() as cur:
                new += article_store.save_articles(cur, feed_id, [article], result.fetched_at)
        except Exception as exc:
            if _connection_lost(conn, exc):
                raise
            reason = f"cannot be stored: {_reason(exc, 120)}"
            refused[reason] = refused.get(reason, 0) + 1
    outcome = _outcome(result, parsed, new, fetched, refused)
    try:
        with conn, conn.cursor() as cur:
            feed_store.record_fetch(cur, feed_id, outcome, run_id, now, settings.fetch)
    except Exception as exc:
        if _connection_lost(conn, exc):
            raise
        return _record_store_failure(conn, settings, result, feed_id, run_id, now, exc, new)
    return outcome


def _record_store_failure(
    conn: store.Connection,
    settings: Settings,
    result: FetchResult,
    feed_id: int,
    run_id: str,
    now: datetime,
    exc: Exception,
    new: int = 0,
) -> feed_store.FetchOutcome:
    """Record in the feed's health that its fetch could not be stored, with only values we made ourselves."""
    log.error("feed %s could not be stored: %s", result.feed_name, _reason(exc, 500))
    outcome = feed_store.FetchOutcome(
        status="store_error",
        http_status=result.http_status,
        error=f"the feed could not be stored: {_reason(exc, 300)}",
        failed=True,
        elapsed_ms=result.elapsed_ms,
        bytes=len(result.body or b""),
        etag=None,
        last_modified=None,
        items_found=0,
        items_new=new,
        skip_reasons={},
    )
    with conn, conn.cursor() as cur:
        feed_store.record_fetch(cur, feed_id, outcome, run_id, now, settings.fetch)
    return outcome


def _connection_lost(conn: store.Connection, exc: Exception) -> bool:
    """True when the database connection itself failed (retry later), not the data of one feed."""
    return bool(conn.closed) or isinstance(exc, psycopg2.OperationalError | psycopg2.InterfaceError)


def _reason(exc: Exception, limit: int) -> str:
    """An exception as one clean line (its text may quote feed data)."""
    return shorten(one_line(f"{type(exc).__name__}: {exc}", limit=None), limit)


def _scored(item, scorer: Scorer, detected: language.Detection | None = None) -> article_store.NewArticle:
    """A parsed item with its language (`detected`, or detected now) and its relevance."""
    detected = detected or language.detect(item.title, item.summary, hint=item.language)
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


def _outcome(
    result: FetchResult,
    parsed: ParsedFeed | None,
    new: int,
    fetched: politeness.PoliteFetch | None = None,
    refused: dict[str, int] | None = None,
) -> feed_store.FetchOutcome:
    """A fetch failed if the server did not answer usefully or the body was not a feed at all; a host asking us
    to wait (Retry-After) is not a failure of the feed. New items found right after a 304 were hidden by it.

    `refused` counts items the database would not take, by reason; they are skipped items with a warning."""
    refused = refused or {}
    wait = fetched.wait_for(result) if fetched else None
    checked = fetched is not None and result.feed_name in fetched.checked
    after_304 = fetched is not None and result.feed_name in fetched.after_304
    failed = (not result.ok and wait is None) or (parsed is not None and parsed.error is not None)
    error = result.error or (parsed.error if parsed else None) or (parsed.warning if parsed else None)
    if refused:
        note = f"{sum(refused.values())} item(s) could not be stored: {'; '.join(sorted(refused))}"
        error = f"{error}; {note}" if error else note
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
        skip_reasons={**parsed.skipped, **refused} if parsed else {},
        wait_until=wait.until if wait is not None else None,
        validators_checked=checked,
        hidden_by_304=new if after_304 else 0,
        title=parsed.title if parsed else None,
    )


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
            bodies = text_store.texts_for(cur, [row[0] for row in rows])
            for article_id, title, summary, declared, was_relevant in rows:
                detected = language.detect(title, summary, hint=declared)
                _, r, _ = fulltext.rescore(scorer, settings, title, summary, detected.code, bodies.get(article_id))
                updates.append((article_id, r.score, r.relevant, list(r.terms), r.reason, detected.code))
                gained += int(r.relevant and not was_relevant)
                lost += int(was_relevant and not r.relevant)
            article_store.update_relevance(cur, updates, now)
        total += len(rows)
        last_id = rows[-1][0]
