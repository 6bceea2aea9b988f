"""Scale-out: feeds per minute through `nkru_ingest` on CeleryExecutor with 1 Celery worker, then with 2.

    .venv/bin/python bench/bench_scale.py [--feeds 160] [--batch-size 10] [--delay-ms 1500]
                                          [--worker-concurrency 2] [--fetch-concurrency 5]

One Airflow cluster of separate processes (scheduler, dag-processor, API server, Celery workers; PostgreSQL
metadata database, the local Redis as broker), as in tests/test_scale_out.py. A loopback server serves
`--feeds` feeds that each answer after `--delay-ms` (slow news sites: fetching is waiting, not computing).
Run 1 has one worker; then a second worker joins, every feed gets new items, and run 2 fetches them all
again. The measure is the fetch phase of each run: from the first mapped `ingest_batch` task's start to the
last one's end, as the metadata database records them. Printed: feeds per minute for each run and the ratio
(2 workers / 1 worker). Both workers share this machine's 2 cores, so the ratio understates what two
machines give; the per-task start-up (a new Python process importing Airflow and nkru) is CPU work here.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]

from tests.databases import create_database, drop_database  # noqa: E402
from tests.feedserver import FeedServer  # noqa: E402
from tests.smtpserver import CaptureServer  # noqa: E402
from tests.test_scale_out import AirflowCluster, feed_xml, loopback_hosts, write_settings  # noqa: E402


@dataclass(frozen=True)
class Phase:
    workers: int
    feeds: int
    tasks: int
    hosts: tuple[str, ...]
    fetch_s: float
    run_s: float
    max_queued_s: float
    retries: int

    @property
    def feeds_per_minute(self) -> float:
        return self.feeds / self.fetch_s * 60

    def line(self) -> str:
        return (
            f"scale: {self.workers} worker(s): {self.feeds} feeds in {self.tasks} mapped fetch tasks on "
            f"{', '.join(self.hosts)}: fetch phase {self.fetch_s:.1f} s = {self.feeds_per_minute:.0f} feeds/min "
            f"(whole run {self.run_s:.1f} s; longest wait in the queue {self.max_queued_s:.1f} s, "
            f"{self.retries} retried)"
        )


def serve(servers: list[FeedServer], feeds: int, generation: int) -> None:
    """(Re)publish every feed with items of `generation` (new links, so new ETags and new articles)."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=generation)
    for i in range(feeds):
        servers[i % len(servers)].set_content(f"/feed/{i}.xml", feed_xml(i + generation * 10_000, 4, now))


def phase(cluster: AirflowCluster, workers: int, feeds: int) -> Phase:
    run_id = cluster.trigger()
    state, run_s = cluster.wait_run(run_id, timeout=900)
    if state != "success":
        raise SystemExit(f"run {run_id} ended {state}; see {cluster.home}/*.log")
    rows = cluster.query(
        "SELECT count(*), extract(epoch FROM max(end_date) - min(start_date)), array_agg(DISTINCT hostname),"
        " extract(epoch FROM max(start_date - queued_dttm)), count(*) FILTER (WHERE try_number > 1)"
        " FROM task_instance WHERE dag_id = 'nkru_ingest' AND run_id = %s AND task_id = 'ingest_batch'",
        (run_id,),
    )
    tasks, fetch_s, hosts, queued_s, retries = rows[0]
    if "--verbose" in sys.argv:
        for row in cluster.query(
            "SELECT map_index, hostname, try_number, state, start_date, end_date FROM task_instance"
            " WHERE dag_id = 'nkru_ingest' AND run_id = %s ORDER BY start_date",
            (run_id,),
        ):
            print("   ", *row, flush=True)
    return Phase(workers, feeds, tasks, tuple(sorted(hosts)), float(fetch_s), run_s, float(queued_s or 0), retries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=160)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--delay-ms", type=int, default=1500)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--fetch-concurrency", type=int, default=5)
    parser.add_argument("--verbose", action="store_true", help="list every task instance of both runs")
    args = parser.parse_args()

    # One loopback host per batch's worth of feeds: a host's feeds are always fetched by one task (politeness).
    hosts = max(1, args.feeds // args.batch_size)
    with tempfile.TemporaryDirectory(prefix="nkru-bench-scale-") as tmp, loopback_hosts(hosts) as servers:
        home = Path(tmp)
        serve(servers, args.feeds, 0)
        lines = [
            f'  - {{name: scale-{i:04d}, url: "{servers[i % hosts].url(f"slow/{args.delay_ms}/feed/{i}.xml")}"}}'
            for i in range(args.feeds)
        ]
        settings = write_settings(home / "nkru.yaml", lines, args.batch_size, args.fetch_concurrency)
        # Every feed is due again a second after its fetch, so run 2 fetches all of them too.
        # Politeness is measured by bench_politeness.py; here each host's cap is the task's fetch concurrency so
        # that the figures stay comparable with the runs before per-host caps.
        settings.write_text(
            settings.read_text().replace(
                "fetch:\n",
                "fetch:\n  interval_minutes: 0.01\n"
                f"  per_host_concurrency: {args.fetch_concurrency}\n  per_host_delay_seconds: 0\n",
            )
        )
        news_url = create_database()
        mail = CaptureServer().start()
        cluster = AirflowCluster(home / "cluster", news_url, settings, mail.url)
        try:
            started = time.monotonic()
            cluster.start(workers=1, concurrency=args.worker_concurrency)
            cluster.wait_ready(timeout=300)
            print(f"scale: cluster up in {time.monotonic() - started:.0f} s", flush=True)
            one = phase(cluster, 1, args.feeds)
            print(one.line(), flush=True)

            cluster.add_worker(2, args.worker_concurrency)
            cluster.wait_ready(timeout=300)
            serve(servers, args.feeds, 1)
            time.sleep(2)  # past the feeds' (tiny) interval: all due
            two = phase(cluster, 2, args.feeds)
            print(two.line(), flush=True)
        finally:
            cluster.stop()
            mail.stop()
            drop_database(news_url)
    if len(two.hosts) < 2:
        print(f"scale: WARNING: run 2 used only {two.hosts}")
    print(
        f"scale: 2 workers / 1 worker = {two.feeds_per_minute / one.feeds_per_minute:.2f}x feeds per minute "
        f"({args.delay_ms} ms per feed, {args.worker_concurrency} task slots per worker, {args.fetch_concurrency} "
        "fetches at once per task; both workers on this one 2-core machine)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
