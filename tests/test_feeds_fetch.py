"""Fetching feeds from a real HTTP server on 127.0.0.1: limits, errors, conditional GET, concurrency."""

from __future__ import annotations

import gzip
import ipaddress
import json
import socket
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest

from nkru.config import FetchConfig
from nkru.feeds import FetchRequest, FetchResult, fetch_feeds
from tests import tls
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
        ("http://0.0.0.0:{port}/feed.xml", "refusing to fetch from an unspecified address 0.0.0.0"),
        ("http://[::]:{port}/feed.xml", "refusing to fetch from an unspecified address ::"),
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
    """Counted on the server, not timed: one feed after another would never have two requests open at once."""
    requests = [FetchRequest(f"feed{i}", server.url(f"slow/300/{FEED}?n={i}")) for i in range(20)]
    results = fetch_feeds(requests, SETTINGS)

    assert all(r.status == "ok" for r in results)
    assert server.most_in_flight >= 4  # each answer takes 300 ms: the client opened many before the first ended


def test_concurrency_is_bounded(server: FeedServer) -> None:
    requests = [FetchRequest(f"feed{i}", server.url(f"slow/300/{FEED}?n={i}")) for i in range(6)]
    results = fetch_feeds(requests, SETTINGS.model_copy(update={"concurrency": 2}))

    assert all(r.status == "ok" for r in results)
    assert server.most_in_flight == 2  # never more than the cap, and the cap was used


# ------------------------------------------------------------------------------- addresses in disguise


@pytest.mark.parametrize("host", ["0177.0.0.1", "2130706433", "0x7f.1", "127.1", "0x7f000001"])
def test_a_redirect_to_loopback_in_an_old_numeric_form_is_a_refused_address(server: FeedServer, host: str) -> None:
    """httpx rejects "0177.0.0.1" as an invalid URL; the C library reads all of these as 127.0.0.1. Refused even
    when private addresses are allowed: no feed writes an address that way."""
    result = fetch(server.url(f"redirect-to?url=http://{host}:{server.port}/{FEED}"))

    assert result.status == "blocked_address"
    assert result.error == f"refusing to fetch from a loopback address 127.0.0.1 ({host})"
    assert [h.path for h in server.hits()] == ["/redirect-to"]


def test_a_feed_url_in_an_old_numeric_form_is_a_refused_address(server: FeedServer) -> None:
    result = fetch(f"http://0177.0.0.1:{server.port}/{FEED}", FetchConfig())

    assert result.status == "blocked_address"
    assert result.error == "refusing to fetch from a loopback address 127.0.0.1 (0177.0.0.1)"
    assert server.hits() == []


# ------------------------------------------------------------------------------------- DNS rebinding

# A public address that no test can reach (IPv6 has no route here; were there one, nothing answers on the port).
PUBLIC = ipaddress.ip_address("2606:4700:4700::1111")
LOOPBACK = ipaddress.ip_address("127.0.0.1")


class RebindingDns:
    """A name server under the test's control: its first answer for a name, then another one for ever after."""

    def __init__(self, first: ipaddress.IPv4Address | ipaddress.IPv6Address, then: ipaddress.IPv4Address) -> None:
        self.first, self.then = first, then
        self.queries: list[str] = []

    async def __call__(self, host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        self.queries.append(host)
        return [self.first if len(self.queries) == 1 else self.then]


def test_dns_rebinding_never_reaches_loopback(server: FeedServer) -> None:
    """The name answers a public address to the check and 127.0.0.1 afterwards: the connection must go to the
    address that was checked. ("localhost" also resolves to 127.0.0.1 through the system, so a connection
    layer resolving the name again by itself would reach the server too.)"""
    dns = RebindingDns(first=PUBLIC, then=LOOPBACK)
    settings = FetchConfig(timeout_seconds=2)
    result = fetch_feeds([FetchRequest("rebind", f"http://localhost:{server.port}/{FEED}")], settings, dns)[0]

    assert server.hits() == []
    assert dns.queries == ["localhost"]  # one answer, checked and connected to
    assert result.status in ("connection_error", "timeout")


def test_every_redirect_hop_connects_to_the_address_its_check_resolved(server: FeedServer) -> None:
    """Two names only our name server knows; each answers the server's address once, then an address where
    nothing listens. The feed arrives only if each hop connected to its first answer."""
    hop2 = f"http://feeds.mirror.test:{server.port}/{FEED}"
    url = f"http://feeds.wire.test:{server.port}/redirect-to?url={hop2}"
    answers: dict[str, RebindingDns] = {}

    async def resolver(host: str, port: int) -> list:
        dns = answers.setdefault(host, RebindingDns(first=LOOPBACK, then=ipaddress.ip_address("127.0.0.2")))
        return await dns(host, port)

    result = fetch_feeds([FetchRequest("hops", url)], SETTINGS, resolver)[0]

    assert result.status == "ok" and result.body == (FIXTURES / FEED).read_bytes()
    assert {host: dns.queries for host, dns in answers.items()} == {
        "feeds.wire.test": ["feeds.wire.test"],
        "feeds.mirror.test": ["feeds.mirror.test"],
    }
    assert [h.headers["host"] for h in server.hits()] == [
        f"feeds.wire.test:{server.port}",
        f"feeds.mirror.test:{server.port}",
    ]


def test_a_name_resolving_to_a_private_address_is_refused_before_connecting(server: FeedServer) -> None:
    dns = RebindingDns(first=ipaddress.ip_address("10.0.0.5"), then=LOOPBACK)
    result = fetch_feeds([FetchRequest("inside", f"http://intranet.test:{server.port}/{FEED}")], FetchConfig(), dns)[0]

    assert result.status == "blocked_address"
    assert result.error == "refusing to fetch from a private address 10.0.0.5 (intranet.test)"
    assert server.hits() == []


def test_tls_is_verified_against_the_host_name_while_connecting_to_the_checked_address(tmp_path, monkeypatch):
    """A loopback HTTPS server with a certificate for feeds.wire.test only, signed by a CA the client trusts."""
    ca, cert, key = tls.certificates(tmp_path, "feeds.wire.test")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))

    async def resolver(host: str, port: int) -> list:
        return [LOOPBACK]

    with FeedServer(FIXTURES, tls=(cert, key)) as server:
        right, wrong = fetch_feeds(
            [
                FetchRequest("right", f"https://feeds.wire.test:{server.port}/{FEED}"),
                FetchRequest("wrong", f"https://feeds.other.test:{server.port}/{FEED}"),
            ],
            SETTINGS,
            resolver,
        )
        hosts, port = [h.headers["host"] for h in server.hits()], server.port

    assert right.status == "ok" and right.body == (FIXTURES / FEED).read_bytes()
    assert wrong.status == "connection_error"
    assert wrong.error == (
        f"cannot connect to feeds.other.test:{port}: TLS certificate not accepted: "
        "Hostname mismatch, certificate is not valid for 'feeds.other.test'."
    )
    assert hosts == [f"feeds.wire.test:{port}"]


# ------------------------------------------------------------------------------------------ encodings


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
        ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
        ("identity", lambda data: data),
    ],
)
def test_every_encoding_we_ask_for_is_decoded(server: FeedServer, encoding: str, compress) -> None:
    original = (FIXTURES / FEED).read_bytes()
    server.set_content("/encoded.xml", compress(original), headers={"Content-Encoding": encoding})

    result = fetch(server.url("encoded.xml"))

    assert (result.status, result.body) == ("ok", original)


@pytest.mark.parametrize(
    ("encoding", "body", "error"),
    [
        ("br", b"\x0b\x02\x80hello\x03", "the response body could not be decoded: unsupported content encoding 'br'"),
        ("gzip", b"not gzip at all", "the response body could not be decoded: invalid compressed data"),
    ],
)
def test_an_undecodable_body_is_a_readable_error(server: FeedServer, encoding: str, body: bytes, error: str) -> None:
    server.set_content("/odd.xml", body, headers={"Content-Encoding": encoding})

    result = fetch(server.url("odd.xml"))

    assert result.status == "http_error"
    assert result.error is not None and result.error.startswith(error)


# ------------------------------------------------------------------------------------------ gzip bombs


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """About 1 MiB of gzip that inflates to 1 GiB of zeros."""
    block = bytes(2**20)
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join([*(packer.compress(block) for _ in range(1024)), packer.flush()])


@pytest.mark.parametrize("encoding", ["gzip", "gzip, gzip"])
def test_a_gzip_bomb_is_refused_at_the_size_cap(server: FeedServer, gzip_bomb: bytes, encoding: str) -> None:
    body = gzip_bomb if encoding == "gzip" else gzip.compress(gzip_bomb)
    server.set_content("/bomb.xml", body, headers={"Content-Encoding": encoding})

    result = fetch(server.url("bomb.xml"))

    assert result.status == "too_large"
    assert result.error == f"response larger than {SETTINGS.max_bytes:,} bytes"


# Run in a process of its own so that its peak memory is the fetch's alone. The peak is the kernel's high-water
# mark of this process image (VmHWM): getrusage's ru_maxrss would also count the test process it was started
# from, since Linux carries that over across fork and exec.
BOMB_FETCH = """
import json, re, sys
from pathlib import Path
from nkru.config import FetchConfig
from nkru.feeds import FetchRequest, fetch_feeds

results = fetch_feeds(
    [FetchRequest(f"bomb{i}", url) for i, url in enumerate(sys.argv[1:])],
    FetchConfig(allow_private_addresses=True, timeout_seconds=60),
)
peak_kib = int(re.search(r"VmHWM:\\s*(\\d+) kB", Path("/proc/self/status").read_text()).group(1))
print(json.dumps({"statuses": [r.status for r in results], "peak_mb": peak_kib / 1024}))
"""


def test_ten_gzip_bombs_at_once_keep_memory_under_300_mb(server: FeedServer, gzip_bomb: bytes) -> None:
    """Ten 1 GiB bombs fetched concurrently; a fetch that inflated whole network chunks peaked near 800 MB."""
    server.set_content("/bomb.xml", gzip_bomb, headers={"Content-Encoding": "gzip"})
    urls = [server.url(f"bomb.xml?n={i}") for i in range(10)]

    done = subprocess.run(
        [sys.executable, "-c", BOMB_FETCH, *urls], capture_output=True, text=True, timeout=120, check=True
    )
    outcome = json.loads(done.stdout)

    assert outcome["statuses"] == ["too_large"] * 10
    assert outcome["peak_mb"] < 300, outcome
