"""Read the whole article when the feed item says too little.

Many feeds carry a headline and one sentence; the other side of the story is often named in the second paragraph.
So, for **candidates** only (see `why_wanted`), the article page is fetched and its main text extracted with
trafilatura, then the item is scored again with the start of the body and its entities are read from headline +
lede + body. Candidates are queued while the feed is stored (`mark_candidates`, status 'pending') and fetched by
`fetch_full_texts`, a step of its own between ingest and extraction, which is what lets the per-host cap hold
across the run.

Pages are fetched like feeds (`nkru.feeds.fetch.fetch_one`: the same address checks on every hop, size and time
caps) within the same per-host politeness (`nkru.feeds.politeness.HostGates`), with the host's robots.txt honoured
(protego; cached a day per host in `fetch_hosts`). Each page ends with one status in `article_texts`: 'ok',
'paywalled', 'blocked', 'robots', 'not_html', 'too_large', 'timeout' or 'error', and a reason in words. A page
never fails the run and never touches the feed item it came from, beyond a better score. Mails quote at most the
feed's summary (the lede): the body is kept for scoring and extraction only.

This module picks the candidates and runs the fetch; `fulltext.robots` says what robots.txt allows and
`fulltext.pages` turns a fetched page into a status and its text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from nkru import language as language_detection
from nkru import store
from nkru.clock import utcnow
from nkru.config import FetchConfig, Settings
from nkru.feeds.fetch import FetchRequest, FetchResult
from nkru.feeds.politeness import HostGates, HostWait, fetch_client, host_of
from nkru.fulltext.pages import classify_page, head_of
from nkru.fulltext.robots import fresh_robots, robots_from_fetch, robots_refusal, robots_url
from nkru.relevance import Relevance, Scorer
from nkru.store import articles as article_store
from nkru.store import fulltext as text_store
from nkru.store import hosts as host_store
from nkru.store.hosts import Robots

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------------------------
# Which items need their page


def why_wanted(
    scorer: Scorer, settings: Settings, title: str, summary: str, relevance: Relevance, language: str | None = None
) -> str | None:
    """Why this item's page is worth fetching, or None. Two kinds of candidates:

    * not relevant, but one side (North Korea or Russia) matched at least `fulltext.candidate_min_side` and, with
      `fulltext.candidate_needs_beat_word`, a word of the beat (troops, visit, treaty, rail...) is there too
      ("Kim Yo Jong denies Zelenskiy's claim on additional troops": the other side is in the article). The beat
      word keeps the everyday news of one country (a Moscow court, a Pyongyang marathon) from costing requests;
    * relevant, but with a summary under `fulltext.short_summary_chars`: its entities need the body.
    """
    rule = settings.fulltext
    if relevance.relevant:
        size = len(summary.strip())
        return f"relevant, summary {size} chars" if size < rule.short_summary_chars else None
    if not relevance.terms:
        return None
    sides = side_strengths(scorer, title, summary, language)
    side, strength = max(sides.strengths.items(), key=lambda pair: pair[1])
    if strength < rule.candidate_min_side or (rule.candidate_needs_beat_word and not sides.beat_words):
        return None
    beat = f", beat word {sides.beat_words[0]}" if sides.beat_words else ""
    return f"one side matched strongly ({side} {strength:.2f}{beat}), score {relevance.score:g} below the threshold"


@dataclass(frozen=True)
class Sides:
    """How strongly a feed item names each side, and the beat words in it."""

    strengths: dict[str, float]  # {"North Korea": 1.0, "Russia": 0.0}
    beat_words: tuple[str, ...]


def side_strengths(scorer: Scorer, title: str, summary: str, language: str | None = None) -> Sides:
    """Each side's strength as the scorer counts a side (the sum over its distinct terms of each one's best
    weight), and the beat words, read from the scorer's explained verdict (`nkru explain`'s contributions)."""
    best: dict[str, dict[str, float]] = {"North Korea": {}, "Russia": {}}
    beat: list[str] = []
    for part in scorer.score(title, summary, language, explain=True).contributions:
        if part.side == "topic" and part.text not in beat:
            beat.append(part.text)
        for side in ("North Korea", "Russia") if part.side == "both" else (part.side,):
            if side in best:
                key = part.text.casefold()
                best[side][key] = max(best[side].get(key, 0.0), part.weight)
    return Sides({side: round(sum(terms.values()), 3) for side, terms in best.items()}, tuple(beat))


def mark_candidates(
    cur: store.Cursor,
    settings: Settings,
    scorer: Scorer,
    articles: Sequence[article_store.NewArticle],
    fetched_at: datetime,
) -> int:
    """Queue the pages of the candidates among a feed's items stored by the fetch at `fetched_at` (call in the
    transaction that stored them; items the database already had are left alone)."""
    wanted = []
    for article in articles:
        verdict = Relevance(article.score, article.relevant, article.matched_terms, article.reason)
        why = why_wanted(scorer, settings, article.title, article.summary, verdict, article.language)
        if why:
            wanted.append((article.url, why))
    return text_store.mark_pending(cur, wanted, fetched_at)


# ---------------------------------------------------------------------------------------------------------------
# Scoring with the body


def score_with_body(
    scorer: Scorer, settings: Settings, title: str, summary: str, language: str | None, body: str
) -> Relevance:
    """The item scored with the start of its body after the summary: body mentions count as summary mentions,
    so the headline still weighs most, and only `fulltext.scored_body_chars` of it count (a passing mention
    deep in a long piece does not make it relevant)."""
    head = head_of(body, settings.fulltext.scored_body_chars)
    return scorer.score(title, f"{summary}\n{head}" if summary else head, language)


def rescore(
    scorer: Scorer, settings: Settings, title: str, summary: str, language: str | None, body: str | None
) -> tuple[Relevance, Relevance, str | None]:
    """(feed-only verdict, verdict to store, what the body added or None). The body can only raise a score;
    when it does, the stored reason ends with what it added. `nkru rescore` uses this too, so a verdict the body
    made is not lost when the topic rules change."""
    before = scorer.score(title, summary, language)
    if not body:
        return before, before, None
    after = score_with_body(scorer, settings, title, summary, language, body)
    added = what_body_added(before, after)
    if after.score <= before.score:
        return before, before, added
    return before, replace(after, reason=f"{after.reason} [{added}]"), added


def what_body_added(before: Relevance, after: Relevance) -> str:
    """In words, what the body changed: the terms it added and the verdict."""
    new_terms = [t for t in after.terms if t.casefold() not in {b.casefold() for b in before.terms}]
    terms = f"added {', '.join(new_terms[:6])}" if new_terms else "added no new terms"
    if after.relevant and not before.relevant:
        verdict = f"made it relevant ({before.score:g} → {after.score:g})"
    elif after.score > before.score:
        verdict = f"raised the score {before.score:g} → {after.score:g}"
    else:
        verdict = f"left the score at {before.score:g}"
    return f"full text {terms}; {verdict}"


# ---------------------------------------------------------------------------------------------------------------
# The step


@dataclass
class FulltextReport:
    """What one full-text step did: pages by status and requests made (pages and robots.txt)."""

    pages: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    robots_requests: int = 0
    became_relevant: int = 0

    def summary(self) -> str:
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(self.pages.items())) or "none"
        return (
            f"full text: {sum(self.pages.values())} pages ({statuses}), {self.requests} requests "
            f"({self.robots_requests} robots.txt), {self.became_relevant} items became relevant"
        )


def fetch_full_texts(conn: store.Connection, settings: Settings, now: datetime | None = None) -> FulltextReport:
    """Fetch up to `fulltext.max_per_run` queued pages, store each with its status, score the items again.

    Each page is stored in its own transaction. A page whose host asked us to wait stays queued for the next run.
    """
    report = FulltextReport()
    rule = settings.fulltext
    if not rule.enabled or rule.max_per_run == 0:
        return report
    now = now or utcnow()
    with conn, conn.cursor() as cur:
        pages = text_store.pending(cur, now - timedelta(hours=rule.max_age_hours), rule.max_per_run)
        if not pages:
            return report
        hosts = sorted({host_of(p.url) for p in pages})
        cached = host_store.cached_robots(cur, hosts, now - timedelta(hours=rule.robots_cache_hours))
        robots = fresh_robots(cached, now)
        waits = host_store.waits_in_force(cur, now)
    fetched = asyncio.run(_fetch_pages(pages, settings, robots, waits))
    scorer = Scorer(settings.topic)
    with conn, conn.cursor() as cur:
        for host, new_robots in fetched.robots.items():
            host_store.save_robots(cur, host, new_robots)
        host_store.record_waits(cur, fetched.waits)
    for page, outcome in zip(pages, fetched.outcomes, strict=True):
        if outcome is None:
            continue  # the host asked us to wait: stays pending
        result = _page_result(page, outcome, settings)
        with conn, conn.cursor() as cur:
            if result.status in text_store.USABLE and result.text:
                result = _rescored(cur, scorer, settings, page, result, now, report)
            text_store.save_result(cur, page.article_id, result, now)
        report.pages[result.status] = report.pages.get(result.status, 0) + 1
    report.requests = fetched.requests
    report.robots_requests = fetched.robots_requests
    return report


def _rescored(
    cur: store.Cursor,
    scorer: Scorer,
    settings: Settings,
    page: text_store.PendingPage,
    result: text_store.PageResult,
    now: datetime,
    report: FulltextReport,
) -> text_store.PageResult:
    """Score the item with its body; store the better verdict (the body never takes relevance away)."""
    before, verdict, added = rescore(scorer, settings, page.title, page.summary, page.language, result.text)
    if verdict is not before:
        code = page.language or language_detection.detect(page.title, page.summary).code
        article_store.update_relevance(
            cur, [(page.article_id, verdict.score, verdict.relevant, list(verdict.terms), verdict.reason, code)], now
        )
        report.became_relevant += int(verdict.relevant and not page.relevant)
    return replace(result, added=added)


# ---------------------------------------------------------------------------------------------------------------
# Fetching pages and robots.txt


@dataclass
class _Fetched:
    """Raw outcomes per page (None: not fetched, the host asked to wait), new robots.txt, waits, request count."""

    outcomes: list[_Outcome | None]
    robots: dict[str, Robots]
    waits: dict[str, HostWait]
    requests: int = 0
    robots_requests: int = 0


@dataclass(frozen=True)
class _Outcome:
    """How one page went before extraction: a fetch result, or a refusal by robots.txt."""

    fetch: FetchResult | None = None
    robots_refusal: str | None = None
    blocked: str | None = None


async def _fetch_pages(
    pages: Sequence[text_store.PendingPage], settings: Settings, robots: dict[str, Robots], waits: dict[str, HostWait]
) -> _Fetched:
    """Fetch the pages concurrently within the per-host rules, each host's robots.txt first (once)."""
    rule = settings.fulltext
    page_settings = fetch_settings_for_pages(settings)
    robots_settings = settings.fetch.model_copy(
        update={"max_bytes": rule.robots_max_bytes, "timeout_seconds": rule.timeout_seconds}
    )
    gates = HostGates(settings.fetch, waits)
    done = _Fetched(outcomes=[], robots={}, waits={})
    known = dict(robots)
    locks: dict[str, asyncio.Lock] = {}

    async with fetch_client(page_settings) as client:

        async def robots_of(url: str) -> Robots | None:
            host = host_of(url)
            async with locks.setdefault(host, asyncio.Lock()):
                if host not in known:
                    request = FetchRequest(f"robots:{host}", robots_url(url))
                    result = await gates.fetch(client, request, robots_settings)
                    done.robots_requests += 1
                    if result.status == "rate_limited":
                        return None
                    known[host] = robots_from_fetch(result, rule.robots_max_bytes)
                    if known[host].status != "blocked":
                        done.robots[host] = known[host]
                return known[host]

        async def fetch(page: text_store.PendingPage) -> _Outcome | None:
            rules = await robots_of(page.url)
            if rules is None:
                return None
            if rules.status == "blocked":  # the host's address is one we never fetch from
                return _Outcome(blocked=rules.note)
            refusal = robots_refusal(rules, page.url, settings.fetch.user_agent)
            if refusal:
                return _Outcome(robots_refusal=refusal)
            result = await gates.fetch(client, FetchRequest(f"article:{page.article_id}", page.url), page_settings)
            done.requests += 1
            return None if result.status == "rate_limited" else _Outcome(fetch=result)

        done.outcomes = list(await asyncio.gather(*(fetch(p) for p in pages)))
    done.requests += done.robots_requests
    done.waits = gates.waits
    return done


# ---------------------------------------------------------------------------------------------------------------
# From a fetched page to a status and text


FETCH_STATUS = {
    "timeout": "timeout",
    "too_large": "too_large",
    "blocked_address": "blocked",
    "connection_error": "error",
    "invalid_url": "error",
    "too_many_redirects": "error",
}
HTTP_STATUS = {401: "blocked", 402: "paywalled", 403: "blocked", 451: "blocked"}


def _page_result(page: text_store.PendingPage, outcome: _Outcome, settings: Settings) -> text_store.PageResult:
    """The stored status of one page: a refusal, a failed fetch, or the extracted text (maybe a paywall teaser)."""
    if outcome.robots_refusal:
        return text_store.PageResult("robots", outcome.robots_refusal)
    if outcome.blocked:
        return text_store.PageResult("blocked", outcome.blocked)
    result = outcome.fetch
    assert result is not None
    if result.status != "ok":
        status = HTTP_STATUS.get(result.http_status or 0) or FETCH_STATUS.get(result.status, "error")
        return text_store.PageResult(status, result.error or result.status, result.http_status, result.final_url)
    try:
        return classify_page(result.body or b"", result.headers, settings).with_fetch(result)
    except Exception as exc:  # a page's fault must never stop the others
        log.exception("unexpected error extracting %s", page.url)
        return text_store.PageResult("error", f"extraction failed: {exc}", result.http_status, result.final_url)


def fetch_settings_for_pages(settings: Settings) -> FetchConfig:
    """The feeds' HTTP settings with the page caps (size, time) of `fulltext`."""
    rule = settings.fulltext
    return settings.fetch.model_copy(update={"max_bytes": rule.max_bytes, "timeout_seconds": rule.timeout_seconds})
