"""Fetching a batch as a stream: results in request order whatever order they answer in, never more than `ahead`
fetched and not yet taken, and a consumer that stops early is not left waiting. A real loopback HTTP server."""

from __future__ import annotations

import time

from nkru.config import FetchConfig
from nkru.feeds import FetchRequest
from nkru.feeds.stream import FeedStream
from tests.feedserver import FeedServer

SETTINGS = FetchConfig(allow_private_addresses=True, per_host_concurrency=10, per_host_delay_seconds=0)


def feed(n: int) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>feed {n}</title></channel></rss>'.encode()


def test_results_come_in_request_order_when_the_first_answer_last():
    with FeedServer() as server:
        for n in range(8):
            server.set_content(f"f{n}.xml", feed(n))
        # The first two answer after the others.
        paths = [f"slow/300/f{n}.xml" if n < 2 else f"f{n}.xml" for n in range(8)]
        requests = [FetchRequest(f"feed-{n}", server.url(p)) for n, p in enumerate(paths)]

        with FeedStream(requests, SETTINGS) as stream:
            results = list(stream)

    assert [r.feed_name for r in results] == [f"feed-{n}" for n in range(8)]
    assert [r.body for r in results] == [feed(n) for n in range(8)]


def test_no_more_than_ahead_are_fetched_before_they_are_taken():
    with FeedServer() as server:
        for n in range(12):
            server.set_content(f"f{n}.xml", feed(n))
        requests = [FetchRequest(f"feed-{n}", server.url(f"f{n}.xml")) for n in range(12)]

        with FeedStream(requests, SETTINGS, ahead=3) as stream:
            taken = iter(stream)
            first = next(taken)
            time.sleep(0.5)  # time enough to fetch all twelve if nothing held the stream back
            asked_while_waiting = len(server.hits())
            rest = list(taken)

    assert first.feed_name == "feed-0"
    assert asked_while_waiting == 4  # three ahead, and one more for the one taken
    assert [r.feed_name for r in rest] == [f"feed-{n}" for n in range(1, 12)]


def test_a_consumer_that_stops_early_is_not_kept_waiting():
    with FeedServer() as server:
        for n in range(20):
            server.set_content(f"f{n}.xml", feed(n))
        requests = [FetchRequest(f"feed-{n}", server.url(f"f{n}.xml")) for n in range(20)]
        started = time.perf_counter()

        with FeedStream(requests, SETTINGS, ahead=2) as stream:
            for result in stream:
                assert result.status == "ok"
                break

    assert time.perf_counter() - started < 10
    assert len(server.hits()) < 20  # the feeds it did not take were not all fetched
