"""Trend queries at scale: each named query's time on a synthetic 3-year history against a plain `count(*)` over
`mentions` measured in the same run.

    python bench/bench_trends.py [--scale 1.0] [--repeat 5] [--keep | --url postgresql://.../existing]

Generates the history with bench/gen_history.py (1M articles, 10M mentions at --scale 1.0) in a database of its
own, runs every query the `nkru` commands, the digest and the UI page run (the same functions, the same SQL
files) a few times, and prints the median time of each and its ratio to the `count(*)` baseline. The database
is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "bench"))

import gen_history  # noqa: E402

from nkru import store  # noqa: E402
from nkru.store import trends as t  # noqa: E402


def median_ms(func: Callable[[], object], repeat: int) -> float:
    """Median wall time of `func` in milliseconds, after one warm-up run (as a user's second query would be)."""
    func()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def count_mentions(conn: store.Connection) -> int:
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM mentions")
        return cur.fetchone()[0]


def entity_ids(conn: store.Connection) -> tuple[int, int, int]:
    """The most-covered entity, a mid-table one and the planted first-ever visitor."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT max(id) FROM entities")
        spike = cur.fetchone()[0]
    return 1, 500, spike


def queries(conn: store.Connection) -> list[tuple[str, Callable[[], object]]]:
    """(description, call) for every trend query, with the windows the commands use by default."""
    today = datetime.now(UTC).date()
    week, month, year, all_time = (today - timedelta(days=d) for d in (6, 29, 364, 1094))
    baseline = week - timedelta(days=28)
    common, middling, spike = entity_ids(conn)
    return [
        ("volume per day, 30 days", lambda: t.volume(conn, month, today)),
        ("volume per week, 3 years", lambda: t.volume(conn, all_time, today, "week")),
        ("volume per feed per day, 30 days", lambda: t.volume_by_feed(conn, month, today)),
        ("top entities per label, 30 days", lambda: t.top_entities(conn, month, today)),
        ("top entities per label, 1 year", lambda: t.top_entities(conn, year, today)),
        ("top entities per label, 3 years", lambda: t.top_entities(conn, all_time, today)),
        ("entity by alias (find_entity)", lambda: t.find_entities(conn, ["entity 1"])),
        ("trend of the commonest entity, 3 years/day", lambda: t.entity_trend(conn, common, all_time, today)),
        ("trend of a middling entity, 1 year/week", lambda: t.entity_trend(conn, middling, year, today, "week")),
        ("rising entities, 7 vs 28 days", lambda: t.rising_entities(conn, week, today, baseline)),
        ("rising pairs, 7 vs 28 days", lambda: t.rising_pairs(conn, week, today, baseline)),
        ("rising entities, 30 vs 120 days", lambda: t.rising_entities(conn, month, today, month - timedelta(days=120))),
        ("cooccur with the commonest entity, 30 days", lambda: t.cooccurring(conn, common, month, today)),
        ("cooccur with the commonest entity, 1 year", lambda: t.cooccurring(conn, common, year, today)),
        ("cooccur with a middling entity, 1 year", lambda: t.cooccurring(conn, middling, year, today)),
        ("top pairs, 7 days (digest)", lambda: t.top_pairs(conn, week, today)),
        ("feed coverage, 7 vs 28 days", lambda: t.feed_coverage(conn, week, today, baseline)),
        ("latest stories with entities (UI)", lambda: t.latest_stories(conn, 20)),
        ("refresh_daily: today (each DAG run)", lambda: t.refresh_daily(conn, today)),
    ]


def refresh_after_new_articles(conn: store.Connection, repeat: int, n: int = 50) -> float:
    """Median ms of the refresh a run makes after storing `n` new relevant articles dated now (copies of
    yesterday's, with their mentions): what each DAG run pays, unlike re-running an unchanged day."""
    times = []
    for attempt in range(repeat + 1):
        with conn, conn.cursor() as cur:
            cur.execute(
                """WITH src AS (SELECT id FROM articles WHERE relevant AND published_at >= now() - interval '2 days'
                                AND published_at < now() - interval '1 day' ORDER BY id LIMIT %(n)s),
                        copied AS (INSERT INTO articles (url, title, published_at, fetched_at, feed_id, score, relevant)
                                   SELECT 'https://bench.example/' || gen_random_uuid(), a.title, now(), now(),
                                          a.feed_id, a.score, true
                                   FROM articles a JOIN src USING (id) ORDER BY a.id
                                   RETURNING id)
                   INSERT INTO mentions (article_id, entity_id, count)
                   SELECT c.id, m.entity_id, m.count
                   FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM copied) c
                   JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM src) s USING (k)
                   JOIN mentions m ON m.article_id = s.id""",
                {"n": n},
            )
        started = time.perf_counter()
        t.refresh_daily(conn)
        if attempt:  # the first one is the warm-up
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run(url: str, repeat: int) -> None:
    with store.connection(url) as conn:
        total = count_mentions(conn)
        baseline = median_ms(lambda: count_mentions(conn), repeat)
        print(f"\nbaseline: count(*) over mentions ({total:,} rows): {baseline:.0f} ms (median of {repeat})")
        print(f"{'query':<46} {'median ms':>10} {'÷ count(*)':>11}")
        for name, call in queries(conn):
            ms = median_ms(call, repeat)
            print(f"{name:<46} {ms:>10.1f} {ms / baseline:>11.4f}", flush=True)
        ms = refresh_after_new_articles(conn, repeat)
        print(f"{'refresh_daily: after 50 new articles today':<46} {ms:>10.1f} {ms / baseline:>11.4f}", flush=True)
        spike = t.rising_entities(conn, *_rising_window())[0]
        print(f"\nfirst in `nkru rising`: {spike['entity']} ({spike['recent']} articles, usual {spike['expected']})")


def _rising_window() -> tuple:
    today = datetime.now(UTC).date()
    week = today - timedelta(days=6)
    return week, today, week - timedelta(days=28)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1M articles, 10M mentions")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    parser.add_argument("--url", help="use this already generated database instead")
    args = parser.parse_args(argv)
    if args.url:
        run(args.url, args.repeat)
        return 0
    shape = gen_history.Shape(scale=args.scale)
    url = gen_history.create_database()
    print(f"generating {shape.articles:,} articles and ~{shape.mentions:,} mentions over {shape.days} days")
    try:
        report = gen_history.generate(url, shape)
        counts = ", ".join(f"{k} {v:,}" for k, v in report.counts.items())
        print(f"generated in {sum(report.seconds.values()):.0f} s: {counts}")
        run(url, args.repeat)
    finally:
        if args.keep:
            print(f"kept {url}")
        else:
            gen_history.drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
