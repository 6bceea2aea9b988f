"""Fetching feeds from a real HTTP server on 127.0.0.1: limits, errors, conditional GET, concurrency."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest

from nkru.config import FetchConfig
from nkru.feeds import FetchRequest, FetchResult, fetch_feeds
from tests.feedserver import FeedServer, Hit

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
FEED = "kcna_watch_rss2.xml"
SETTINGS = FetchConfig(allow_private_addresses=True, timeout_seconds=5)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer(FIXTURES, huge_bytes=64 * 2**20) as srv:
        yield srv


def fetch(url: str, settings: FetchConfig = SETTINGS, **validators: str | None) -> FetchResult:
    return fetch_feeds([FetchRequest("test", url, **validators)], settings)[0]


def wait_until_done(hit: Hit, timeout: float = 5.0) -> Hit:
    """The server notices that a client hung up only at its next write, a moment after the client left."""
    deadline = time.monotonic() + timeout
    while hit.complete is None and time.monotonic() < deadline:
        time.sleep(0.02)
    return hit


def test_ok_returns_the_body_validators_and_lower_case_headers(server: FeedServer) -> None:
    result = fetch(server.url(FEED))

    assert result.status == "ok" and result.ok
    assert result.http_status == 200
    assert result.body == (FIXTURES / FEED).read_bytes()
    assert result.headers["content-type"] == "application/xml"
    assert result.etag and result.last_modified
    assert result.error is None
    assert result.fetched_at.tzinfo is UTC
    assert result.url == server.url(FEED) == result.final_url


def test_conditional_get_answers_304_and_keeps_the_validators(server: FeedServer) -> None:
    first = fetch(server.url(FEED))
    second = fetch(server.url(FEED), etag=first.etag, last_modified=first.last_modified)

    assert second.status == "not_modified" and second.ok
    assert second.http_status == 304
    assert second.body is None
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
    assert server.statuses(FEED) == [200, 304]
    assert server.hits(FEED)[1].headers["if-none-match"] == first.etag


def test_conditional_get_on_last_modified_alone(server: FeedServer) -> None:
    first = fetch(server.url(FEED))
    second = fetch(server.url(FEED), last_modified=first.last_modified)

    assert second.status == "not_modified"
    assert second.last_modified == first.last_modified
    assert "if-none-match" not in server.hits(FEED)[1].headers


def test_a_changed_feed_is_fetched_again_with_new_validators(server: FeedServer) -> None:
    server.set_content("live.xml", b"<rss version='2.0'><channel><title>v1</title></channel></rss>")
    first = fetch(server.url("live.xml"))
    server.set_content("live.xml", b"<rss version='2.0'><channel><title>v2</title></channel></rss>")
    second = fetch(server.url("live.xml"), etag=first.etag, last_modified=first.last_modified)
    server.set_content("live.xml", b"<rss version='2.0'><channel><title>v3</title></channel></rss>")
    third = fetch(server.url("live.xml"), last_modified=second.last_modified)

    assert second.status == "ok"
    assert b"v2" in (second.body or b"")
    assert second.etag != first.etag
    assert third.status == "ok" and b"v3" in (third.body or b"")
    assert server.statuses("live.xml") == [200, 200, 200]


def test_a_failed_fetch_keeps_the_old_validators(server: FeedServer) -> None:
    result = fetch(server.url("status/503"), etag='"v1"', last_modified="Mon, 02 Jun 2025 10:00:00 GMT")

    assert result.status == "http_error"
    assert (result.etag, result.last_modified) == ('"v1"', "Mon, 02 Jun 2025 10:00:00 GMT")


def test_sends_the_configured_user_agent_and_accepts_gzip(server: FeedServer) -> None:
    settings = SETTINGS.model_copy(update={"user_agent": "nkru-test/9 (+mailto:ops@example.org)"})
    fetch(server.url(FEED), settings)

    headers = server.hits(FEED)[0].headers
    assert headers["user-agent"] == "nkru-test/9 (+mailto:ops@example.org)"
    assert "gzip" in headers["accept-encoding"]
    assert "application/rss+xml" in headers["accept"]


def test_gzip_response_is_decompressed(server: FeedServer) -> None:
    result = fetch(server.url(f"gzip/{FEED}"))

    original = (FIXTURES / FEED).read_bytes()
    assert result.status == "ok"
    assert result.body == original
    assert server.hits(f"gzip/{FEED}")[0].bytes_sent < len(original) / 2  # it really was compressed


def test_timeout_while_waiting_for_the_answer(server: FeedServer) -> None:
    settings = SETTINGS.model_copy(update={"timeout_seconds": 0.5})
    result = fetch(server.url(f"slow/5000/{FEED}"), settings)

    assert result.status == "timeout" and not result.ok
    assert result.error == "timed out after 0.5 s"
    assert result.elapsed_ms < 2000


def test_timeout_covers_a_body_that_trickles_in(server: FeedServer) -> None:
    # Ten pieces 300 ms apart: no single read waits 1 s, but the whole body takes 3 s.
    settings = SETTINGS.model_copy(update={"timeout_seconds": 1})
    result = fetch(server.url(f"trickle/300/{FEED}"), settings)

    assert result.status == "timeout"
    assert result.error == "timed out after 1 s"
    assert result.elapsed_ms < 2000


def test_size_cap_stops_reading_an_endless_stream(server: FeedServer) -> None:
    settings = SETTINGS.model_copy(update={"max_bytes": 100_000})
    result = fetch(server.url("huge"), settings)

    assert result.status == "too_large"
    assert result.error == "response larger than 100,000 bytes"
    assert result.body is None
    hit = wait_until_done(server.hits("huge")[0])
    assert hit.complete is False
    assert hit.bytes_sent < server.huge_bytes / 4  # we hung up long before the end


def test_size_cap_rejects_a_declared_length_without_reading(server: FeedServer) -> None:
    settings = SETTINGS.model_copy(update={"max_bytes": 100_000})
    result = fetch(server.url("huge-declared"), settings)

    assert result.status == "too_large"
    assert result.error == "response larger than 100,000 bytes"


def test_follows_redirects_up_to_the_limit(server: FeedServer) -> None:
    result = fetch(server.url(f"redirect/3/{FEED}"))

    assert result.status == "ok"
    assert result.body == (FIXTURES / FEED).read_bytes()
    assert result.url == server.url(f"redirect/3/{FEED}")
    assert result.final_url == server.url(FEED)


def test_too_many_redirects(server: FeedServer) -> None:
    settings = SETTINGS.model_copy(update={"max_redirects": 2})
    result = fetch(server.url(f"redirect/3/{FEED}"), settings)

    assert result.status == "too_many_redirects"
    assert result.error == "too many redirects: more than 2 redirects"
    assert server.hits(FEED) == []


def test_redirect_loop_is_reported(server: FeedServer) -> None:
    result = fetch(server.url("redirect-loop"))

    assert result.status == "too_many_redirects"
    assert result.error == "redirect loop: more than 5 redirects"
    assert server.statuses("redirect-loop") == [302] * 6


def test_redirect_to_another_scheme_is_refused(server: FeedServer) -> None:
    result = fetch(server.url("redirect-to?url=file:///etc/passwd"))

    assert result.status == "invalid_url"
    assert result.error is not None and result.error.startswith("redirected to a non-http(s) URL: 'file://")


@pytest.mark.parametrize(
    ("code", "error"), [(404, "HTTP 404 Not Found"), (503, "HTTP 503 Service Unavailable"), (410, "HTTP 410 Gone")]
)
def test_http_errors_are_readable(server: FeedServer, code: int, error: str) -> None:
    result = fetch(server.url(f"status/{code}"))

    assert result.status == "http_error" and not result.ok
    assert result.http_status == code
    assert result.error == error
    assert result.body is None


def test_unreachable_host(server: FeedServer) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = fetch(f"http://127.0.0.1:{port}/feed.xml")

    assert result.status == "connection_error"
    assert result.error == f"cannot connect to 127.0.0.1:{port}: Connection refused"


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://127.0.0.1:{port}/kcna_watch_rss2.xml", "refusing to fetch from a loopback address 127.0.0.1"),
        ("http://localhost:{port}/kcna_watch_rss2.xml", "refusing to fetch from a loopback address"),
        ("http://[::1]:{port}/feed.xml", "refusing to fetch from a loopback address ::1"),
        ("http://10.0.0.5/feed.xml", "refusing to fetch from a private address 10.0.0.5"),
        ("http://169.254.169.254/latest/meta-data/", "refusing to fetch from a link-local address 169.254.169.254"),
        ("http://[::ffff:192.168.1.1]/feed.xml", "refusing to fetch from a private address ::ffff:"),
    ],
)
def test_private_addresses_are_blocked_by_default(server: FeedServer, url: str, error: str) -> None:
    result = fetch(url.format(port=server.port), FetchConfig())

    assert result.status == "blocked_address"
    assert result.error is not None and result.error.startswith(error)
    assert server.hits() == []  # refused before connecting


@pytest.mark.parametrize("url", ["ftp://example.com/feed.xml", "feed.xml", "http:///feed.xml", "http://x:99999/"])
def test_invalid_urls(url: str) -> None:
    result = fetch(url)

    assert result.status == "invalid_url"
    assert result.error and url in result.error


def test_one_result_per_request_in_order_whatever_happens(server: FeedServer) -> None:
    requests = [
        FetchRequest("good", server.url(FEED)),
        FetchRequest("gone", server.url("status/410")),
        FetchRequest("bad-url", "gopher://example.com/"),
        FetchRequest("loop", server.url("redirect-loop")),
        FetchRequest("also-good", server.url("wire_atom.xml")),
    ]
    results = fetch_feeds(requests, SETTINGS)

    assert [(r.feed_name, r.url) for r in results] == [(r.feed_name, r.url) for r in requests]
    assert [r.status for r in results] == ["ok", "http_error", "invalid_url", "too_many_redirects", "ok"]


def test_feeds_are_fetched_concurrently(server: FeedServer) -> None:
    requests = [FetchRequest(f"feed{i}", server.url(f"slow/300/{FEED}?n={i}")) for i in range(20)]
    started = time.monotonic()
    results = fetch_feeds(requests, SETTINGS)
    elapsed = time.monotonic() - started

    assert all(r.status == "ok" for r in results)
    assert elapsed < 2.0  # one after another would take 6 s


def test_concurrency_is_bounded(server: FeedServer) -> None:
    requests = [FetchRequest(f"feed{i}", server.url(f"slow/300/{FEED}?n={i}")) for i in range(6)]
    started = time.monotonic()
    fetch_feeds(requests, SETTINGS.model_copy(update={"concurrency": 2}))

    assert time.monotonic() - started >= 0.85  # three waves of two, 300 ms each
