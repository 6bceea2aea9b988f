"""Fetch feeds over HTTP, many at once, with every limit a hostile or broken server could abuse.

One asyncio event loop and one `httpx.AsyncClient` serve a whole batch; a semaphore bounds how many
requests are in flight. Each request has a total time limit (headers and body together), a byte cap on the
inflated body checked as it is inflated (`nkru.feeds.inflate`), and redirects followed by hand so that a loop is
reported as such. Every connection, on every hop, goes to an address checked just before
(`nkru.feeds.transport`). A feed's failure becomes a `FetchResult` with a readable reason; it never raises.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import httpx

from nkru.clock import utcnow
from nkru.config import FetchConfig
from nkru.feeds.addresses import BlockedAddress, Resolver, refuse_legacy_form
from nkru.feeds.inflate import ACCEPT_ENCODING, CappedDecoder, TooLarge, UndecodableBody
from nkru.feeds.urls import DEFAULT_PORTS

log = logging.getLogger(__name__)

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True)
class FetchRequest:
    """One feed to fetch, with the validators kept from its last successful fetch (for a conditional GET)."""

    feed_name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """What happened when fetching one feed.

    `status` is one of 'ok', 'not_modified', 'http_error', 'timeout', 'connection_error', 'too_large',
    'too_many_redirects', 'blocked_address', 'invalid_url'; `error` says why in words for anything but the
    first two. `body` (decompressed) is set only for 'ok'. `etag` and `last_modified` are the validators to
    send next time: the response's for 'ok', else the request's (unless a 304 sent new ones).
    `final_url` is where the answer came from after redirects: the base for the feed's relative links.
    """

    feed_name: str
    url: str
    status: str
    http_status: int | None
    body: bytes | None
    headers: dict[str, str]
    etag: str | None
    last_modified: str | None
    error: str | None
    elapsed_ms: int
    fetched_at: datetime
    final_url: str | None = None

    @property
    def ok(self) -> bool:
        """True when the feed answered as it should (new content, or nothing new since last time)."""
        return self.status in ("ok", "not_modified")


@dataclass(frozen=True)
class _Outcome:
    """How one fetch ended, before timing and identity are added to make a FetchResult."""

    status: str
    response: httpx.Response | None = None
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None


class _Failure(Exception):
    """Ends one fetch with `status` and a readable `reason`; `response` is kept when there was one."""

    def __init__(self, status: str, reason: str, response: httpx.Response | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.response = response


def fetch_feeds(
    requests: Sequence[FetchRequest], settings: FetchConfig, resolver: Resolver | None = None
) -> list[FetchResult]:
    """Fetch all feeds concurrently (at most `settings.concurrency` at once).

    Returns one result per request, in the same order. Synchronous because Airflow tasks are; it runs
    its own event loop, so call `fetch_feeds_async` instead from code that already has one. `resolver`
    replaces the system's name resolution (tests bring a name server of their own).
    """
    return asyncio.run(fetch_feeds_async(requests, settings, resolver))


async def fetch_feeds_async(
    requests: Sequence[FetchRequest], settings: FetchConfig, resolver: Resolver | None = None
) -> list[FetchResult]:
    """The async form of `fetch_feeds`: one client and one semaphore for the whole batch."""
    slots = asyncio.Semaphore(settings.concurrency)

    async with _client(settings, resolver) as client:

        async def fetch_in_slot(request: FetchRequest) -> FetchResult:
            async with slots:
                return await fetch_one(client, request, settings)

        return list(await asyncio.gather(*(fetch_in_slot(r) for r in requests)))


def _client(settings: FetchConfig, resolver: Resolver | None) -> httpx.AsyncClient:
    """A client that connects only to checked addresses, never follows redirects by itself (we count the hops
    and check where they lead) and asks only for the encodings we inflate ourselves."""
    from nkru.feeds.transport import CheckedTransport  # httpcore and anyio: loaded when a fetch starts

    limits = httpx.Limits(max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency)
    return httpx.AsyncClient(
        headers={"User-Agent": settings.user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=httpx.Timeout(settings.timeout_seconds),
        transport=CheckedTransport(allow_private=settings.allow_private_addresses, limits=limits, resolver=resolver),
        follow_redirects=False,
        event_hooks={"response": [_check_location]},
    )


async def fetch_one(client: httpx.AsyncClient, request: FetchRequest, settings: FetchConfig) -> FetchResult:
    """Fetch one feed within `settings.timeout_seconds` overall; every failure becomes a result."""
    started = time.monotonic()
    fetched_at = utcnow()
    outcome = await _attempt(client, request, settings)
    response = outcome.response
    if outcome.status != "ok":  # nothing new arrived: the validators we had are still the ones to send
        outcome = replace(
            outcome, etag=outcome.etag or request.etag, last_modified=outcome.last_modified or request.last_modified
        )
    return FetchResult(
        feed_name=request.feed_name,
        url=request.url,
        status=outcome.status,
        http_status=response.status_code if response is not None else None,
        body=outcome.body,
        headers=dict(response.headers.items()) if response is not None else {},
        etag=outcome.etag,
        last_modified=outcome.last_modified,
        error=outcome.error,
        elapsed_ms=round((time.monotonic() - started) * 1000),
        fetched_at=fetched_at,
        final_url=str(response.url) if response is not None else None,
    )


async def _attempt(client: httpx.AsyncClient, request: FetchRequest, settings: FetchConfig) -> _Outcome:
    """Download within the total time limit and name what went wrong, if anything."""
    try:
        async with asyncio.timeout(settings.timeout_seconds):
            response, body = await _download(client, request, settings)
    except _Failure as failure:
        return _Outcome(failure.status, failure.response, error=failure.reason)
    except BlockedAddress as exc:
        return _Outcome("blocked_address", error=str(exc))
    except socket.gaierror as exc:
        host = urlsplit(request.url).hostname
        return _Outcome("connection_error", error=f"cannot resolve host {host}: {exc.strerror or exc}")
    except (TimeoutError, httpx.TimeoutException):
        return _Outcome("timeout", error=f"timed out after {settings.timeout_seconds:g} s")
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        return _Outcome("invalid_url", error=f"invalid URL: {_reason(exc)}")
    except httpx.DecodingError as exc:
        return _Outcome("http_error", error=f"the response body could not be decoded: {_reason(exc)}")
    except httpx.ConnectError as exc:
        return _Outcome("connection_error", error=f"cannot connect to {_host(request.url)}: {_reason(exc)}")
    except httpx.TransportError as exc:
        return _Outcome("connection_error", error=f"connection failed: {_reason(exc)}")
    except Exception as exc:  # a feed's fault must never stop the other feeds
        log.exception("unexpected error fetching %s", request.url)
        return _Outcome("connection_error", error=f"unexpected error: {_reason(exc)}")
    return _answer(response, body)


def _answer(response: httpx.Response, body: bytes | None) -> _Outcome:
    """The outcome of a complete HTTP answer: new content, not modified (keep the validators), or an error."""
    etag, last_modified = response.headers.get("etag"), response.headers.get("last-modified")
    if response.status_code == 304:
        return _Outcome("not_modified", response, None, etag, last_modified)
    if not response.is_success:
        return _Outcome("http_error", response, error=_http_error(response))
    return _Outcome("ok", response, body, etag, last_modified)


async def _download(
    client: httpx.AsyncClient, request: FetchRequest, settings: FetchConfig
) -> tuple[httpx.Response, bytes | None]:
    """GET the feed, following at most `settings.max_redirects` redirects, each hop checked.

    Returns the final response (closed) and its body, which is read only for a 2xx answer.
    """
    _check_url(request.url)
    next_request = client.build_request("GET", request.url, headers=_conditional_headers(request))
    visited: list[str] = []
    while True:
        _check_scheme(next_request.url)
        response = await client.send(next_request, stream=True)
        try:
            if not response.has_redirect_location:
                body = await _read_capped(response, settings.max_bytes) if response.is_success else None
                return response, body
            visited.append(str(next_request.url))
            if len(visited) > settings.max_redirects:
                raise _Failure("too_many_redirects", _redirect_reason(visited, settings.max_redirects), response)
            assert response.next_request is not None  # httpx sets it with a redirect location
            next_request = response.next_request
        finally:
            await response.aclose()


def _conditional_headers(request: FetchRequest) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the last fetch, so an unchanged feed costs a 304."""
    headers = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    return headers


def _check_url(url: str) -> None:
    """Only absolute http(s) URLs with a host are fetched."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise _Failure("invalid_url", f"invalid URL {url!r}: {exc}") from None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        raise _Failure("invalid_url", f"not an http(s) URL: {url!r}")
    _check_literal_host(parts.hostname)


def _check_scheme(url: httpx.URL) -> None:
    """Refuse hops to anything but http(s) (the addresses are checked when connecting)."""
    if url.scheme not in DEFAULT_PORTS:
        raise _Failure("invalid_url", f"redirected to a non-http(s) URL: {str(url)!r}")


def _check_literal_host(host: str) -> None:
    """Refuse a host written as an IPv4 address in an old numeric form ("0177.0.0.1"), before httpx sees it.

    The connection layer checks every address it connects to; this check exists because httpx rejects some of
    these forms as invalid URLs, and a redirect to one must be reported as the refused address it is.
    """
    try:
        refuse_legacy_form(host)
    except BlockedAddress as exc:
        raise _Failure("blocked_address", str(exc)) from None


async def _check_location(response: httpx.Response) -> None:
    """Response hook: where a redirect leads, checked before httpx builds the next request from it."""
    if not response.has_redirect_location:
        return
    location = response.headers["location"]
    try:
        host = urlsplit(urljoin(str(response.url), location)).hostname
    except ValueError as exc:
        raise _Failure("invalid_url", f"redirected to an invalid URL {location!r}: {exc}", response) from None
    if host:
        _check_literal_host(host)
    try:
        httpx.URL(location)
    except httpx.InvalidURL as exc:
        raise _Failure("invalid_url", f"redirected to an invalid URL {location!r}: {exc}", response) from None


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, abandoned as soon as it grows past `max_bytes`, raw or inflated.

    A declared length is checked first; the raw bytes are counted as they arrive and inflated in steps, so a
    small compressed body that inflates to gigabytes costs no more memory than `max_bytes`.
    """
    too_large = _Failure("too_large", f"response larger than {max_bytes:,} bytes", response)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    received = 0
    try:
        decoder = CappedDecoder(response.headers.get("content-encoding", ""), max_bytes)
        async for raw in response.aiter_raw():
            received += len(raw)
            if received > max_bytes:
                raise too_large
            chunks.extend(decoder.feed(raw))
    except TooLarge:
        raise too_large from None
    except UndecodableBody as exc:
        raise _Failure("http_error", f"the response body could not be decoded: {exc}", response) from None
    return b"".join(chunks)


def _redirect_reason(visited: list[str], max_redirects: int) -> str:
    """'redirect loop' when a URL came back, else just too many hops."""
    kind = "redirect loop" if len(set(visited)) < len(visited) else "too many redirects"
    return f"{kind}: more than {max_redirects} redirects"


def _http_error(response: httpx.Response) -> str:
    """'HTTP 503 Service Unavailable', with the standard phrase when the server sent none."""
    phrase = response.reason_phrase or httpx.codes.get_reason_phrase(response.status_code)
    return f"HTTP {response.status_code} {phrase}".rstrip()


def _reason(exc: BaseException) -> str:
    """The most specific message: the OS's words for the underlying socket error when there is one
    ("Connection refused" rather than httpx's "All connection attempts failed"), else the exception's own
    message, else its class name (httpx's ReadError often has no message). TLS errors say what TLS refused.
    """
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):  # an OSError whose errno means nothing here
            return f"TLS certificate not accepted: {cause.verify_message}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error: {cause.reason or cause}"
        if isinstance(cause, OSError) and cause.errno and cause.errno > 0:
            return os.strerror(cause.errno)
        cause = cause.__cause__ or cause.__context__
    return str(exc) or type(exc).__name__


def _host(url: str) -> str:
    try:
        parts = urlsplit(url)
        return parts.netloc or url
    except ValueError:
        return url
