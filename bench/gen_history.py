"""A synthetic news history for the trend benchmark: by default 1,000,000 articles and 10,000,000 mentions over
3 years, generated inside PostgreSQL (INSERT ... SELECT generate_series) in a database of its own.

    python bench/gen_history.py [--scale 0.01] [--days 1095] [--keep]

The shape follows the beat: articles spread evenly over time and in time order (as ingest writes them), 75%
relevant, stories of three consecutive articles, 10% of articles also carried by a second feed, feeds of
very different sizes, and entities drawn log-uniformly (a Zipf-like law: "North Korea" is in most articles, the
long tail in one or two). A first-ever visit is planted: a never-seen entity in 40 articles of the last 3 days.

The bulk load runs with `session_replication_role = replica` (no foreign-key or trigger work per row; this is
the benchmark's own database) and builds `mentions`' indexes after loading; the daily aggregates are then built
with `nkru_refresh_daily`, 30 days at a time, exactly as the DAG would rebuild a range.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]

from nkru import store  # noqa: E402
from tests import databases  # noqa: E402

FULL_ARTICLES = 1_000_000
FULL_MENTIONS = 10_000_000
RELEVANT_SHARE = 0.75
SPIKE_ARTICLES = 40


@dataclass(frozen=True)
class Shape:
    """How big a history to generate; `scale` 1.0 is the goal size."""

    scale: float = 1.0
    days: int = 1095
    feeds: int = 60
    entities: int = 50_000

    @property
    def articles(self) -> int:
        return max(1000, int(FULL_ARTICLES * self.scale))

    @property
    def mentions(self) -> int:
        return max(10_000, int(FULL_MENTIONS * self.scale))


@dataclass
class Report:
    """What was generated and how long each step took (seconds)."""

    url: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def timed(self, step: str, func: Callable[[], object]) -> None:
        started = time.monotonic()
        func()
        self.seconds[step] = time.monotonic() - started
        print(f"  {step:<34} {self.seconds[step]:7.1f} s", flush=True)


def create_database() -> str:
    """An empty database of our own for the synthetic history; its URL."""
    return databases.create_database(prefix="nkru_bench")


drop_database = databases.drop_database


def generate(url: str, shape: Shape) -> Report:
    """Migrate the database at `url` and fill it with a history of `shape`; print and return the timings."""
    report = Report(url)
    end = datetime.now(UTC)
    params = {
        "n": shape.articles,
        "feeds": shape.feeds,
        "entities": shape.entities,
        "start": end - timedelta(days=shape.days),
        "span": timedelta(days=shape.days),
        "relevant_share": RELEVANT_SHARE,
    }
    with store.connection(url) as conn:
        store.migrate(conn)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SET session_replication_role = replica")
            cur.execute("SET synchronous_commit = off")
            cur.execute("SET maintenance_work_mem = '512MB'")
            cur.execute("SET work_mem = '128MB'")
            cur.execute("SELECT setseed(0.42)")
            report.timed("feeds, entities, aliases", lambda: _reference_data(cur, params))
            report.timed("stories and articles", lambda: _articles(cur, params))
            report.timed("article_feeds", lambda: _article_feeds(cur, params))
            params["draws"] = _draws_per_article(cur, shape)
            _drop_mention_indexes(cur)
            report.timed("mentions (bulk, no indexes)", lambda: _mentions(cur, params))
            report.timed("mentions indexes", lambda: _mention_indexes(cur))
            report.timed("planted first-ever visit", lambda: _spike(cur, params, end))
            cur.execute("RESET session_replication_role")
            report.timed("daily aggregates (nkru_refresh_daily)", lambda: _aggregates(cur, end, shape.days))
            report.timed("vacuum analyze", lambda: cur.execute("VACUUM ANALYZE"))
            report.counts = _counts(cur)
    return report


def _reference_data(cur, params: dict) -> None:
    cur.execute(
        """INSERT INTO feeds (name, url, last_status, last_http_status, last_fetched_at, last_success_at,
                              last_new_item_at, next_due_at)
           SELECT 'Feed ' || i, 'https://feeds.example/' || i || '.xml', 'ok', 200, now(), now(), now(),
                  now() + interval '15 minutes'
           FROM generate_series(1, %(feeds)s) AS i""",
        params,
    )
    cur.execute(
        """INSERT INTO entities (id, name, label)
           SELECT i, 'Entity ' || i, (ARRAY['GPE','PERSON','ORG','LOC','NORP','FAC','EVENT','PRODUCT'])[1 + i %% 8]
           FROM generate_series(1, %(entities)s + 1) AS i""",
        params,
    )
    cur.execute("SELECT setval('entities_id_seq', (SELECT max(id) FROM entities))")
    cur.execute(
        """INSERT INTO entity_aliases (alias_key, alias, entity_id)
           SELECT 'entity ' || id, name, id FROM entities
           UNION ALL
           SELECT 'ent ' || id, 'Ent ' || id, id FROM entities"""
    )


def _articles(cur, params: dict) -> None:
    """Articles in time order; feeds log-uniformly sized; three consecutive articles per story."""
    cur.execute(
        """INSERT INTO stories (id, title, published_at)
           SELECT s, 'Story ' || s, %(start)s + (3 * s - 3) * %(span)s / %(n)s
           FROM generate_series(1, (%(n)s + 2) / 3) AS s""",
        params,
    )
    cur.execute("SELECT setval('stories_id_seq', (SELECT max(id) FROM stories))")
    cur.execute(
        """INSERT INTO articles (id, url, guid, title, published_at, fetched_at, feed_id, score, relevant,
                                 story_id, extracted_at)
           SELECT i, 'https://news.example/a/' || i, 'g' || i, 'Article ' || i, at, at + interval '5 minutes',
                  least(%(feeds)s, floor(exp(random() * ln(%(feeds)s + 1))))::int,
                  CASE WHEN relevant THEN 1.5 ELSE 0.2 END, relevant, (i + 2) / 3,
                  CASE WHEN relevant THEN at + interval '6 minutes' END
           FROM (SELECT i, random() < %(relevant_share)s AS relevant, %(start)s + (i - 1) * %(span)s / %(n)s AS at
                 FROM generate_series(1, %(n)s) AS i) AS s""",
        params,
    )
    cur.execute("SELECT setval('articles_id_seq', (SELECT max(id) FROM articles))")


def _article_feeds(cur, params: dict) -> None:
    cur.execute(
        """INSERT INTO article_feeds (article_id, feed_id, guid, first_seen_at)
           SELECT id, feed_id, guid, fetched_at FROM articles
           UNION ALL
           SELECT id, 1 + (feed_id %% %(feeds)s), guid, fetched_at FROM articles WHERE id %% 10 = 0""",
        params,
    )


def _draws_per_article(cur, shape: Shape) -> float:
    """How many log-uniform draws per relevant article give `shape.mentions` distinct mentions (measured)."""
    target = shape.mentions / (shape.articles * RELEVANT_SHARE)
    cur.execute(
        """SELECT avg(distinct_entities) FROM (
               SELECT count(DISTINCT least(%(entities)s, floor(exp(random() * ln(%(entities)s + 1))))::int)
                      AS distinct_entities
               FROM generate_series(1, 5000) AS a, generate_series(1, %(draws)s) AS d
               GROUP BY a) s""",
        {"entities": shape.entities, "draws": round(target)},
    )
    distinct = float(cur.fetchone()[0])
    return target * target / distinct


def _mentions(cur, params: dict) -> None:
    """Entities per relevant article drawn log-uniformly; repeated draws make the mention count."""
    cur.execute(
        """INSERT INTO mentions (article_id, entity_id, count)
           SELECT a.id, d.entity_id, d.n
           FROM articles a
           CROSS JOIN LATERAL (
               SELECT least(%(entities)s, floor(exp(random() * ln(%(entities)s + 1))))::int AS entity_id,
                      count(*)::int AS n
               FROM generate_series(1, floor(%(draws)s * (0.5 + (a.id * 7919 %% 1000) / 1000.0))::int + 1)
               GROUP BY 1
           ) AS d
           WHERE a.relevant""",
        {**params, "draws": params["draws"] - 0.5},
    )


def _drop_mention_indexes(cur) -> None:
    """Building `mentions`' two indexes once after loading is far quicker than maintaining them row by row."""
    cur.execute("ALTER TABLE mentions DROP CONSTRAINT mentions_pkey")
    cur.execute("DROP INDEX mentions_entity")


def _mention_indexes(cur) -> None:
    """The same indexes as sql/migrations/001_core.sql."""
    cur.execute("ALTER TABLE mentions ADD PRIMARY KEY (article_id, entity_id)")
    cur.execute("CREATE INDEX mentions_entity ON mentions (entity_id, article_id)")


def _spike(cur, params: dict, end: datetime) -> None:
    """A never-seen entity (id entities + 1) named in 40 relevant articles of the last 3 days."""
    cur.execute(
        """INSERT INTO mentions (article_id, entity_id, count)
           SELECT id, %(entities)s + 1, 2 FROM articles
           WHERE relevant AND published_at >= %(since)s
           ORDER BY id LIMIT %(k)s
           ON CONFLICT DO NOTHING""",
        {**params, "since": end - timedelta(days=3), "k": SPIKE_ARTICLES},
    )


def _aggregates(cur, end: datetime, days: int) -> None:
    last = end.date()
    first = last - timedelta(days=days + 1)
    while first <= last:
        chunk_end = min(first + timedelta(days=29), last)
        cur.execute("SELECT nkru_refresh_daily(%s, %s)", (first, chunk_end))
        first = chunk_end + timedelta(days=1)


def _counts(cur) -> dict[str, int]:
    counts = {}
    for table in ("articles", "mentions", "entity_daily", "pair_daily", "volume_daily", "volume_total_daily"):
        cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608  (table names are ours)
        counts[table] = cur.fetchone()[0]
    cur.execute("SELECT pg_database_size(current_database())")
    counts["database bytes"] = cur.fetchone()[0]
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1M articles, 10M mentions")
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    args = parser.parse_args(argv)
    shape = Shape(scale=args.scale, days=args.days)
    url = create_database()
    print(f"generating {shape.articles:,} articles, ~{shape.mentions:,} mentions over {shape.days} days in {url}")
    try:
        report = generate(url, shape)
        print({k: f"{v:,}" for k, v in report.counts.items()})
        print(f"total {sum(report.seconds.values()):.0f} s")
    finally:
        if not args.keep:
            drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
