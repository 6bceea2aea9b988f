"""Fetch like a good citizen: one host is never asked more than a few things at once, nor too often.

Many feeds live on a few hosts (a site's sections, a news search), and article pages of one outlet come from one
host too. The rules, for feeds and article pages alike:

* **one place per host** — `batches_by_host` puts all due feeds of a host in one batch, so one task fetches
  them and two workers never ask the same host at once;
* **a cap and a gap** — `HostGates` lets at most `fetch.per_host_concurrency` requests to a host run at any
  moment, and starts two requests to one host at least `fetch.per_host_delay_seconds` apart;
* **Retry-After** — a 429 or 503 with Retry-After makes the whole host wait: a short wait is waited out (and the
  request tried once more), a long one puts the host's other requests off (status 'rate_limited', not a failure);
* **adaptive intervals** — `adapt_interval` polls a feed more often when its fetches keep bringing new items and
  less often when they bring none, within `fetch.min_interval_minutes` and `fetch.max_interval_hours` (the idea
  of Media Cloud's rss-fetcher, which adapts between 10 minutes and a day by the share of new stories);
* **stale validators** — once a day (`fetch.validator_check_hours`) a feed's conditional fetch that gets a 304 is
  followed by one without validators; new items in it mean the 304 lied (see `PoliteFetch.after_304`).

The HTTP itself (address checks, size and time caps, redirects) is `nkru.feeds.fetch.fetch_one`, reused here.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx

from nkru.clock import utcnow
from nkru.config import FetchConfig
from nkru.feeds.addresses import Resolver
from nkru.feeds.fetch import FetchRequest, FetchResult, _client, fetch_one

RATE_LIMIT_STATUSES = (429, 503)
QUIET_FACTOR = 1.5  # a fetch with nothing new stretches the interval by this much ...
BUSY_DIVISOR = 2.0  # ... one with several new items halves it (from the starting interval at most)


def fetch_client(settings: FetchConfig, resolver: Resolver | None = None) -> httpx.AsyncClient:
    """The feeds' HTTP client (`nkru.feeds.fetch`: every hop connects only to a checked address), shared by feeds
    and article pages so both get the same protection."""
    return _client(settings, resolver)


def host_of(url: str) -> str:
    """The host name a URL points at, lower case ('' when there is none): the unit of politeness."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def batches_by_host(requests: Sequence[dict], size: int) -> list[list[dict]]:
    """Batches of about `size` feeds in which all feeds of a host are together (first fit, largest host first).

    A host with `size` feeds or more gets a batch of its own, whole: splitting it would let two workers ask the
    same host at once.
    """
    by_host: dict[str, list[dict]] = {}
    for request in requests:
        by_host.setdefault(host_of(request["url"]), []).append(request)
    batches: list[list[dict]] = []
    open_batches: list[list[dict]] = []  # batches with room left
    for group in sorted(by_host.values(), key=len, reverse=True):
        if len(group) >= size:
            batches.append(list(group))
            continue
        target = next((b for b in open_batches if len(b) + len(group) <= size), None)
        if target is None:
            target = []
            batches.append(target)
            open_batches.append(target)
        target.extend(group)
        if len(target) >= size:
            open_batches.remove(target)
    return batches


def retry_after_seconds(headers: dict[str, str], now: datetime) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or None when absent or unreadable."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True)
class HostWait:
    """A host asked us to wait (429/503 with Retry-After): no request to it before `until`."""

    until: datetime
    reason: str


@dataclass
class _Gate:
    """One host's state for a run: its request slots, when the next request may start, and any wait."""

    slots: asyncio.Semaphore
    next_start: float = 0.0  # time.monotonic() before which no request to this host starts
    wait_until: float = 0.0  # time.monotonic() of the end of a Retry-After wait
    wait: HostWait | None = None


class HostGates:
    """The per-host cap, gap and waits for one run, plus the run's overall cap (`fetch.concurrency`).

    `known_waits` are waits recorded in earlier runs (`fetch_hosts.wait_until`) still in force.
    Every request of a run must go through one `HostGates`, which is what makes the cap hold.
    """

    def __init__(self, settings: FetchConfig, known_waits: dict[str, HostWait] | None = None) -> None:
        self.settings = settings
        self._overall = asyncio.Semaphore(settings.concurrency)
        self._gates: dict[str, _Gate] = {}
        for host, wait in (known_waits or {}).items():
            self._hold(self._gate(host), wait)

    @property
    def waits(self) -> dict[str, HostWait]:
        """The waits hosts asked for during this run (and the known ones), by host."""
        return {host: gate.wait for host, gate in self._gates.items() if gate.wait is not None}

    def _gate(self, host: str) -> _Gate:
        if host not in self._gates:
            self._gates[host] = _Gate(asyncio.Semaphore(self.settings.per_host_concurrency))
        return self._gates[host]

    def _hold(self, gate: _Gate, wait: HostWait) -> None:
        seconds = (wait.until - utcnow()).total_seconds()
        if seconds > 0 and (gate.wait is None or wait.until > gate.wait.until):
            gate.wait = wait
            gate.wait_until = time.monotonic() + seconds

    async def fetch(self, client: httpx.AsyncClient, request: FetchRequest, settings: FetchConfig) -> FetchResult:
        """`fetch_one` within the host's cap and gap; a host's Retry-After is honoured, never raised."""
        host = host_of(request.url)
        gate = self._gate(host)
        for _ in range(2):  # a short Retry-After wait is waited out and the request tried once more
            async with gate.slots:
                if not await self._turn(gate):
                    return _deferred(request, gate.wait)
                async with self._overall:
                    result = await fetch_one(client, request, settings)
            wait = self._rate_limit(result)
            if wait is None:
                return result
            self._hold(gate, wait)
            result = replace(result, status="rate_limited", error=wait.reason)
            if (wait.until - utcnow()).total_seconds() > self.settings.max_retry_after_wait_seconds:
                return result
        return result

    async def _turn(self, gate: _Gate) -> bool:
        """Wait for the host's gap (and a short Retry-After) to pass; False when the host asked for a long wait."""
        while True:
            now = time.monotonic()
            if gate.wait_until - now > self.settings.max_retry_after_wait_seconds:
                return False
            start = max(gate.next_start, gate.wait_until)
            if start <= now:
                gate.next_start = now + self.settings.per_host_delay_seconds
                return True
            await asyncio.sleep(start - now)

    def _rate_limit(self, result: FetchResult) -> HostWait | None:
        """A HostWait when the answer was a 429/503 asking to retry later, else None."""
        if result.http_status not in RATE_LIMIT_STATUSES:
            return None
        now = utcnow()
        seconds = retry_after_seconds(result.headers, now)
        if seconds is None:
            return None
        seconds = min(seconds, self.settings.max_interval_hours * 3600)
        until = now + timedelta(seconds=seconds)
        reason = (
            f"HTTP {result.http_status}: {host_of(result.url)} asked to wait {seconds:.0f} s (Retry-After), "
            f"until {until:%Y-%m-%d %H:%M:%S} UTC"
        )
        return HostWait(until, reason)


def _deferred(request: FetchRequest, wait: HostWait | None) -> FetchResult:
    """The result of a request not made because its host asked us to wait."""
    reason = wait.reason if wait else "the host asked to wait"
    return FetchResult(
        feed_name=request.feed_name,
        url=request.url,
        status="rate_limited",
        http_status=None,
        body=None,
        headers={},
        etag=request.etag,
        last_modified=request.last_modified,
        error=f"not fetched: {reason}",
        elapsed_ms=0,
        fetched_at=utcnow(),
    )


@dataclass
class PoliteFetch:
    """A batch fetched politely: one result per request (same order), the hosts' waits, and the validator checks.

    `checked` names the feeds whose validators were checked this time; `after_304` those among them whose
    conditional fetch got a 304 and whose result is the fetch made right after without validators: new items
    in it are items the 304 hid.
    """

    results: list[FetchResult]
    waits: dict[str, HostWait] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)
    after_304: set[str] = field(default_factory=set)

    def wait_for(self, result: FetchResult) -> HostWait | None:
        """The wait that kept `result` from an answer ('rate_limited'), else None."""
        return self.waits.get(host_of(result.url)) if result.status == "rate_limited" else None


def fetch_feeds_politely(
    requests: Sequence[FetchRequest],
    settings: FetchConfig,
    check_validators: set[str] | frozenset[str] = frozenset(),
    known_waits: dict[str, HostWait] | None = None,
    resolver: Resolver | None = None,
) -> PoliteFetch:
    """Fetch a batch of feeds within the per-host rules; synchronous, as Airflow tasks are. `resolver` replaces
    the system's name resolution (tests)."""
    return asyncio.run(fetch_feeds_politely_async(requests, settings, check_validators, known_waits, resolver))


async def fetch_feeds_politely_async(
    requests: Sequence[FetchRequest],
    settings: FetchConfig,
    check_validators: set[str] | frozenset[str] = frozenset(),
    known_waits: dict[str, HostWait] | None = None,
    resolver: Resolver | None = None,
) -> PoliteFetch:
    """The async form of `fetch_feeds_politely`: one client and one `HostGates` for the whole batch."""
    gates = HostGates(settings, known_waits)
    done = PoliteFetch(results=[])
    async with fetch_client(settings, resolver) as client:
        done.results = list(
            await asyncio.gather(*(fetch_checked(gates, client, r, settings, check_validators, done) for r in requests))
        )
    done.waits = gates.waits
    return done


async def fetch_checked(
    gates: HostGates,
    client: httpx.AsyncClient,
    request: FetchRequest,
    settings: FetchConfig,
    check_validators: set[str] | frozenset[str],
    done: PoliteFetch,
) -> FetchResult:
    """One feed within `gates`; when its validators are due a check and it answered 304, fetched again without
    them (noted in `done.checked` and `done.after_304`)."""
    result = await gates.fetch(client, request, settings)
    if request.feed_name not in check_validators or not (request.etag or request.last_modified):
        return result
    if result.status == "not_modified":
        unconditional = await gates.fetch(client, replace(request, etag=None, last_modified=None), settings)
        if unconditional.status != "ok":
            return result  # the check could not be made; the 304 stands
        done.after_304.add(request.feed_name)
        result = unconditional
    if result.ok:
        done.checked.add(request.feed_name)
    return result


def interval_bounds(settings: FetchConfig) -> tuple[float, float]:
    """The lowest and highest interval in minutes (the starting interval is always inside them)."""
    low = min(settings.min_interval_minutes, settings.interval_minutes)
    high = max(settings.max_interval_hours * 60, settings.interval_minutes)
    return low, high


def adapt_interval(current: float | None, new_items: int, first_success: bool, settings: FetchConfig) -> float:
    """The next interval in minutes for a feed fetched successfully every `current` minutes.

    Nothing new (or a 304): 1.5 times longer. One new item: the interval fits the feed, keep it. Several new
    items: we are behind, so half the starting interval or half the current one, whichever is shorter. The first
    successful fetch says nothing about the rate (everything in it is new) and keeps the interval.
    """
    low, high = interval_bounds(settings)
    current = current or settings.interval_minutes
    if first_success or new_items == 1:
        proposed = current
    elif new_items == 0:
        proposed = current * QUIET_FACTOR
    else:
        proposed = min(current, settings.interval_minutes) / BUSY_DIVISOR
    return round(min(high, max(low, proposed)), 2)
