"""The Stories search of the UI at scale: migration 013's indexes against the same searches without them.

    python bench/bench_search.py [--articles 50000] [--repeat 5] [--keep]

Generates, in a database of its own, N relevant articles in five languages whose titles and summaries are the
demo history's (config/demo_history.yaml) with a number added, three articles per story, Sergei Shoigu named in
about one in twenty; then times each kind of search the Stories page runs (the same function, the same SQL file):
a Russian word, an English word, a German phrase, a name in another script (through entity_aliases), a Korean
substring, and a search narrowed by language and dates. Each is printed as its median time and the ratio of the
same search with index scans switched off (`enable_bitmapscan`/`enable_indexscan` = off, run once), measured in
the same run: how much the indexes buy.
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
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]

from nkru import store  # noqa: E402
from nkru.aliases import alias_key  # noqa: E402
from nkru.edge import demo_history  # noqa: E402
from nkru.store import workspace  # noqa: E402
from tests import databases  # noqa: E402


def generate(url: str, articles: int) -> None:
    data = demo_history.load()
    language = {s.name: s.language for s in demo_history.sources(data)}
    now = datetime.now(UTC)
    templates = [(i.title, i.summary, language[i.source]) for i in demo_history.items(data, now)]
    with store.connection(url) as conn, conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # the benchmark's own database: no triggers
        cur.execute(
            "CREATE TEMP TABLE templates AS SELECT ord - 1 AS k, t.title, t.summary, t.language"
            " FROM unnest(%s::text[], %s::text[], %s::text[]) WITH ORDINALITY AS t(title, summary, language, ord)",
            ([t[0] for t in templates], [t[1] for t in templates], [t[2] for t in templates]),
        )
        cur.execute("INSERT INTO feeds (id, name, url) VALUES (1, 'Bench Wire', 'https://bench.example/rss')")
        params = {"n": articles, "k": len(templates), "start": now - timedelta(days=730), "span": timedelta(days=730)}
        cur.execute(
            """INSERT INTO stories (id, title, published_at)
               SELECT s, 'Story ' || s, %(start)s + (3 * s - 3) * %(span)s / %(n)s
               FROM generate_series(1, (%(n)s + 2) / 3) AS s""",
            params,
        )
        cur.execute(
            """INSERT INTO articles (id, url, title, summary, language, published_at, fetched_at, feed_id, score,
                                     relevant, story_id)
               SELECT i, 'https://bench.example/' || i, t.title || ' (' || i || ')', t.summary, t.language,
                      %(start)s + (i - 1) * %(span)s / %(n)s, %(start)s + (i - 1) * %(span)s / %(n)s, 1,
                      1.5 + (i %% 10) / 10.0, true, (i + 2) / 3
               FROM generate_series(1, %(n)s) AS i JOIN templates t ON t.k = i %% %(k)s""",
            params,
        )
        cur.execute("INSERT INTO entities (id, name, label) VALUES (1, 'Sergei Shoigu', 'PERSON')")
        for alias in ("Sergei Shoigu", "Shoigu", "Шойгу", "쇼이구", "Schoigu"):
            cur.execute("INSERT INTO entity_aliases VALUES (%s, %s, 1)", (alias_key(alias), alias))
        cur.execute("INSERT INTO mentions SELECT id, 1, 1 FROM articles WHERE id % 20 = 0")
        cur.execute("ANALYZE")


def median_ms(func: Callable[[], object], repeat: int, warm_up: bool = True) -> float:
    if warm_up:
        func()  # as a user's second search would be
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    args = parser.parse_args(argv)

    admin = databases.create_database(prefix="nkru_bench")
    url = admin
    try:
        with store.connection(url) as conn:
            store.migrate(conn)
        started = time.monotonic()
        generate(url, args.articles)
        print(f"  generated {args.articles:,} articles in {time.monotonic() - started:.0f} s", flush=True)
        now = datetime.now(UTC)
        searches = {
            "Russian word (мосты)": workspace.StorySearch(query="мосты"),
            "English word (bridge)": workspace.StorySearch(query="bridge"),
            'German phrase ("in Pjöngjang")': workspace.StorySearch(query='"in Pjöngjang"'),
            "name in another script (Шойгу)": workspace.StorySearch(query="Шойгу"),
            "Korean substring (방북)": workspace.StorySearch(query="방북"),
            "word + language + 30 days": workspace.StorySearch(
                query="Pyongyang", language="en", since=now - timedelta(days=30)
            ),
        }
        print(f"  {'search':<34} {'stories':>8} {'median ms':>10} {'no-index / indexed':>19}")
        with store.connection(url) as conn:
            for name, search in searches.items():
                key = alias_key(search.query or "")
                rows, total = workspace.search_stories(conn, search, key)
                indexed = median_ms(lambda s=search, k=key: workspace.search_stories(conn, s, k), args.repeat)
                with conn, conn.cursor() as cur:
                    cur.execute("SET enable_bitmapscan = off; SET enable_indexscan = off")
                # one run: without its indexes a search reads every article, which is the point being measured
                plain = median_ms(lambda s=search, k=key: workspace.search_stories(conn, s, k), 1, warm_up=False)
                with conn, conn.cursor() as cur:
                    cur.execute("RESET enable_bitmapscan; RESET enable_indexscan")
                print(f"  {name:<34} {total:>8,} {indexed:>10.1f} {plain / indexed:>18.1f}x", flush=True)
    finally:
        if args.keep:
            print(f"  kept: {url}")
        else:
            databases.drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
