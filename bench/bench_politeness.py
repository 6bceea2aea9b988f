"""Per-host politeness: 200 feeds on 5 hosts, today's batching against per-host batches with the per-host cap.

    .venv/bin/python bench/bench_politeness.py [--feeds 200] [--delay-ms 100] [--parallel 8]

Five loopback hosts (127.0.0.2-6, each a `tests.hostserver.HostServer` counting the requests it is handling,
one connection each) serve `--feeds` feeds between them, each answering after `--delay-ms`. Both ways run the batches
`--parallel` at a time, as the DAG's mapped tasks do (`max_active_tis_per_dagrun=8`):

* **before** (the batching this replaces): the due feeds cut into batches of `fetch.batch_size` in due order, each
  batch fetched with `fetch_feeds` (only the overall `fetch.concurrency` cap);
* **polite**: `batches_by_host` and `fetch_feeds_politely` (at most `per_host_concurrency` requests to a host at
  any moment, `per_host_delay_seconds` between starts), with the default gap and with no gap (the cap alone).

Printed: the most requests in flight (connections open) at once on any host, and the wall time of each way with
its ratio to the old batching's. Goal: the cap holds (never more than `per_host_concurrency` on any host).
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]

from nkru.config import FetchConfig  # noqa: E402
from nkru.feeds import FetchRequest, fetch_feeds  # noqa: E402
from nkru.feeds.politeness import batches_by_host, fetch_feeds_politely  # noqa: E402
from tests.hostserver import HostServer  # noqa: E402

ADDRESSES = [f"127.0.0.{n}" for n in range(2, 7)]
FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>bench</title>'
    b"<item><title>Lavrov arrives in Pyongyang</title><link>https://bench.example/1</link></item>"
    b"</channel></rss>"
)


def run(batches: list[list[dict]], fetch_batch, parallel: int, servers: list[HostServer]) -> tuple[float, int]:
    """(wall seconds, most requests in flight, i.e. connections open, on one host at once)."""
    for server in servers:
        server.reset_counts()
    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        results = [r for batch_results in pool.map(fetch_batch, batches) for r in batch_results]
    elapsed = time.perf_counter() - started
    failed = [r for r in results if r.status != "ok"]
    if failed:
        raise RuntimeError(f"{len(failed)} fetches failed, e.g. {failed[0].feed_name}: {failed[0].error}")
    return elapsed, max(s.max_in_flight for s in servers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--delay-ms", type=int, default=100)
    parser.add_argument("--parallel", type=int, default=8)
    args = parser.parse_args(argv)

    settings = FetchConfig(allow_private_addresses=True, timeout_seconds=60)
    servers = [HostServer(address).start() for address in ADDRESSES]
    try:
        for server in servers:
            server.set_content("feed.xml", FEED)
        # Due order interleaves the hosts, as feeds added over time do.
        requests = [
            {"feed_name": f"feed{i}", "url": servers[i % len(servers)].url(f"slow/{args.delay_ms}/feed.xml?f={i}")}
            for i in range(args.feeds)
        ]
        size = settings.batch_size
        old_batches = [requests[i : i + size] for i in range(0, len(requests), size)]
        new_batches = batches_by_host(requests, size)

        def old_way(batch: list[dict]):
            return fetch_feeds([FetchRequest(r["feed_name"], r["url"]) for r in batch], settings)

        def polite_way(fetch_settings: FetchConfig):
            def fetch(batch: list[dict]):
                return fetch_feeds_politely(
                    [FetchRequest(r["feed_name"], r["url"]) for r in batch], fetch_settings
                ).results

            return fetch

        no_gap = settings.model_copy(update={"per_host_delay_seconds": 0})
        before = run(old_batches, old_way, args.parallel, servers)
        polite = run(new_batches, polite_way(settings), args.parallel, servers)
        cap_only = run(new_batches, polite_way(no_gap), args.parallel, servers)
    finally:
        for server in servers:
            server.stop()

    cap = settings.per_host_concurrency
    print(
        f"politeness: {args.feeds} feeds on {len(ADDRESSES)} hosts, each answering after {args.delay_ms} ms, "
        f"batches {args.parallel} at a time"
    )
    print(
        f"  before (batches of {size} in due order): {len(old_batches)} batches, wall {before[0]:.2f} s, "
        f"most on one host at once: {before[1]} requests"
    )
    print(
        f"  polite (per-host batches, cap {cap}, gap {settings.per_host_delay_seconds:g} s): "
        f"{len(new_batches)} batches, wall {polite[0]:.2f} s ({polite[0] / before[0]:.1f}x before), "
        f"most on one host at once: {polite[1]} requests"
    )
    print(
        f"  polite, cap {cap} and no gap: wall {cap_only[0]:.2f} s ({cap_only[0] / before[0]:.1f}x before), "
        f"most on one host at once: {cap_only[1]} requests"
    )
    held = polite[1] <= cap and cap_only[1] <= cap
    print(f"  cap held: {'yes' if held else 'NO'} (goal: never more than {cap} requests to a host at once)")
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
