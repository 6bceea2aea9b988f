"""Fetch throughput: many slow feeds in one `fetch_feeds` call, against fetching them one after another.

    .venv/bin/python bench/bench_fetch.py [--feeds 200] [--delay-ms 200] [--sample 20] [--concurrency 100]

A loopback `FeedServer` serves `--feeds` feeds that each answer after `--delay-ms` (a slow news site).
The concurrent run fetches all of them in one call; the baseline is the same code with concurrency 1, i.e.
one request after another. To keep the run short the baseline fetches only `--sample` feeds and is
extrapolated to all of them (the output says so). Goal: at least 20x faster.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]

from nkru.config import FetchConfig  # noqa: E402
from nkru.feeds import FetchRequest, fetch_feeds  # noqa: E402
from tests.feedserver import FeedServer  # noqa: E402

GOAL = 20.0
FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>bench</title>'
    b"<item><title>Lavrov arrives in Pyongyang</title><link>https://bench.example/1</link></item>"
    b"</channel></rss>"
)


@dataclass(frozen=True)
class FetchBench:
    """What one run measured; `sequential_s` is extrapolated from `sample` feeds."""

    feeds: int
    delay_ms: int
    concurrency: int
    sample: int
    concurrent_s: float
    sequential_s: float

    @property
    def speedup(self) -> float:
        return self.sequential_s / self.concurrent_s

    def line(self) -> str:
        return (
            f"fetch: {self.feeds} feeds x {self.delay_ms} ms  "
            f"concurrent {self.concurrent_s:.2f} s (concurrency {self.concurrency})  "
            f"sequential {self.sequential_s:.1f} s (measured on {self.sample} feeds, extrapolated)  "
            f"speed-up {self.speedup:.1f}x (goal >= {GOAL:g}x)"
        )


def measure(feeds: int = 200, delay_ms: int = 200, sample: int = 20, concurrency: int = 100) -> FetchBench:
    """Serve `feeds` slow feeds on loopback and time both ways of fetching them; every fetch must succeed."""
    settings = FetchConfig(allow_private_addresses=True, concurrency=concurrency, timeout_seconds=60)
    with FeedServer() as server:
        for i in range(feeds):
            server.set_content(f"feed{i}.xml", FEED)
        requests = [FetchRequest(f"feed{i}", server.url(f"slow/{delay_ms}/feed{i}.xml")) for i in range(feeds)]
        concurrent_s = _timed(requests, settings)
        sample_s = _timed(requests[:sample], settings.model_copy(update={"concurrency": 1}))
    return FetchBench(feeds, delay_ms, concurrency, sample, concurrent_s, sample_s * feeds / sample)


def _timed(requests: list[FetchRequest], settings: FetchConfig) -> float:
    started = time.perf_counter()
    results = fetch_feeds(requests, settings)
    elapsed = time.perf_counter() - started
    failed = [r for r in results if r.status != "ok"]
    if failed:
        raise RuntimeError(f"{len(failed)} fetches failed, e.g. {failed[0].feed_name}: {failed[0].error}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--delay-ms", type=int, default=200)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args(argv)
    result = measure(args.feeds, args.delay_ms, args.sample, args.concurrency)
    print(result.line())
    return 0 if result.speedup >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
