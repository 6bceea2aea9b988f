"""Top entities and co-occurrence read bounds, running totals and monthly co-mention sums instead of `mentions`:
on a random half-year history they must give exactly what a plain query over `mentions` gives, for many windows,
also after articles are rescored, re-extracted, deleted or arrive late."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from nkru import store
from nkru.store import Connection
from nkru.store import trends as trend_store

LABELS = ("PERSON", "GPE", "ORG")
ENTITY_COUNT = 24
DAYS = 200


def _build(conn: Connection, seed: int = 15) -> tuple[date, dict[int, str]]:
    """Articles over DAYS days: a few a day, some irrelevant, entities drawn from a skewed law (entity 1 in most
    articles, the tail in few), one nationality counted for its country. Returns today and entity names by id."""
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    names = {}
    with conn, conn.cursor() as cur:
        cur.execute("INSERT INTO feeds (name, url) VALUES ('Wire', 'https://wire.example/rss') RETURNING id")
        feed = cur.fetchone()[0]
        for n in range(1, ENTITY_COUNT + 1):
            cur.execute(
                "INSERT INTO entities (name, label) VALUES (%s, %s) RETURNING id", (f"Entity {n:02d}", LABELS[n % 3])
            )
            names[cur.fetchone()[0]] = f"Entity {n:02d}"
        ids = sorted(names)
        cur.execute("INSERT INTO entities (name, label) VALUES ('Entity 01 people', 'NORP') RETURNING id")
        nationality = cur.fetchone()[0]
        cur.execute("UPDATE entities SET country_id = %s WHERE id = %s", (ids[0], nationality))
        weights = [1 / (1 + k) ** 1.2 for k in range(len(ids))]
        weights[0] = 3.0  # the staple: in most articles
        for back in range(DAYS):
            day = today - timedelta(days=back)
            for k in range(rng.choice((0, 1, 2, 4, 6, 9))):
                published = datetime.combine(day, time(rng.randrange(24), rng.randrange(60)), UTC)
                cur.execute(
                    "INSERT INTO articles (url, title, published_at, fetched_at, feed_id, score, relevant)"
                    " VALUES (%s, 't', %s, %s, %s, 1, %s) RETURNING id",
                    (f"https://news.example/{back}/{k}", published, published, feed, rng.random() < 0.85),
                )
                article = cur.fetchone()[0]
                named = set(rng.choices(ids, weights, k=rng.randint(1, 6)))
                if rng.random() < 0.2:
                    named.add(nationality)
                for entity in named:
                    cur.execute(
                        "INSERT INTO mentions (article_id, entity_id, count) VALUES (%s, %s, %s)",
                        (article, entity, rng.randint(1, 3)),
                    )
        cur.execute("SET nkru.cooccur_min_articles = 2")  # small days: heavy from two articles on
        cur.execute("SET nkru.cooccur_pending_rows = 10")  # and sums folded into arrays at this size
    trend_store.refresh_daily(conn)
    return today, names


def _truth_top(conn: Connection, since: date, until: date, label: str | None, limit: int) -> list[tuple]:
    with conn, conn.cursor() as cur:
        cur.execute(
            """SELECT label, rank, name, articles, mentions FROM (
                   SELECT f.label, f.name, c.articles, c.mentions,
                          row_number() OVER (PARTITION BY f.label ORDER BY c.articles DESC, f.name) AS rank
                   FROM (SELECT coalesce(e.country_id, e.id) AS id, count(DISTINCT a.id) AS articles,
                                sum(m.count) AS mentions
                         FROM articles a JOIN mentions m ON m.article_id = a.id JOIN entities e ON e.id = m.entity_id
                         WHERE a.relevant AND (a.published_at AT TIME ZONE 'UTC')::date BETWEEN %s AND %s
                         GROUP BY 1) c
                   JOIN entities f ON f.id = c.id
                   WHERE %s::text IS NULL OR f.label = %s::text) r
               WHERE rank <= %s ORDER BY label, rank""",
            (since, until, label, label, limit),
        )
        return cur.fetchall()


def _truth_cooccur(conn: Connection, entity: int, since: date, until: date) -> dict[int, int]:
    with conn, conn.cursor() as cur:
        cur.execute(
            """WITH sets AS (
                   SELECT array_agg(DISTINCT coalesce(e.country_id, e.id)) AS ids
                   FROM articles a JOIN mentions m ON m.article_id = a.id JOIN entities e ON e.id = m.entity_id
                   WHERE a.relevant AND (a.published_at AT TIME ZONE 'UTC')::date BETWEEN %s AND %s
                   GROUP BY a.id)
               SELECT o, count(*) FROM sets, unnest(ids) AS o WHERE %s = ANY (ids) GROUP BY o""",
            (since, until, entity),
        )
        return dict(cur.fetchall())


def _windows(today: date) -> list[tuple[date, date]]:
    """Long and short windows, ending today or in the past, on and off month boundaries."""
    first_of_month = today.replace(day=1)
    earlier = (first_of_month - timedelta(days=1)).replace(day=1)
    spans = [(364, 0), (199, 0), (195, 0), (150, 4), (120, 0), (90, 10), (61, 33), (29, 0), (6, 0), (45, 44), (0, 0)]
    windows = [(today - timedelta(days=a), today - timedelta(days=b)) for a, b in spans]
    windows += [(earlier, first_of_month - timedelta(days=1)), (earlier + timedelta(days=3), today)]
    return windows


def _assert_exact(conn: Connection, today: date, names: dict[int, str]) -> None:
    by_name = {name: entity for entity, name in names.items()}
    for since, until in _windows(today):
        for label, limit in ((None, 3), ("GPE", 2), (None, 50)):
            rows = trend_store.top_entities(conn, since, until, label=label, limit=limit)
            got = [(r["label"], r["rank"], r["entity"], r["articles"], r["mentions"]) for r in rows]
            assert got == _truth_top(conn, since, until, label, limit), (since, until, label, limit)
        for entity in sorted(names)[:8]:
            truth = _truth_cooccur(conn, entity, since, until)
            rows = trend_store.cooccurring(conn, entity, since, until, limit=100)
            got = {by_name[r["entity"]]: r["articles"] for r in rows}
            assert got == {k: v for k, v in truth.items() if k != entity}, (names[entity], since, until)
            assert all(r["entity_articles"] == truth.get(entity, 0) for r in rows)
            expected = sorted(got.items(), key=lambda kv: (-kv[1], names[kv[0]]))[:3]
            top = trend_store.cooccurring(conn, entity, since, until, limit=3)
            assert [(r["entity"], r["articles"]) for r in top] == [(names[k], v) for k, v in expected]


@pytest.fixture
def history(db: Connection) -> tuple[date, dict[int, str]]:
    return _build(db)


def test_long_windows_match_a_plain_count_over_mentions(db, history):
    today, names = history
    with db, db.cursor() as cur:  # both ways of reading are exercised: summed months and entity sets
        cur.execute("SELECT count(DISTINCT entity_id), count(*) FROM cooccur_heavy_days")
        heavy_entities, heavy_days = cur.fetchone()
        cur.execute("SELECT count(*) FROM entity_daily")
        entity_days = cur.fetchone()[0]
        cur.execute("SELECT (SELECT count(*) FROM cooccur_sums), (SELECT count(*) FROM cooccur_pending)")
        folded, waiting = cur.fetchone()
    assert heavy_entities >= 3 and 0 < heavy_days < entity_days / 2
    assert folded > 0 and waiting > 0
    _assert_exact(db, today, names)


def test_rescored_reprocessed_deleted_and_late_articles_stay_exact(db, history):
    today, names = history
    staple = min(names)
    with db, db.cursor() as cur:
        # rescored away: three months ago, the staple's articles of two days
        cur.execute(
            """UPDATE articles SET relevant = false
               WHERE relevant AND id IN (SELECT article_id FROM mentions WHERE entity_id = %s)
                 AND published_at >= %s AND published_at < %s""",
            (staple, today - timedelta(days=92), today - timedelta(days=90)),
        )
        # re-extracted: an article of last month loses its entities and gets two others
        cur.execute(
            """SELECT a.id FROM articles a WHERE a.relevant AND a.published_at < %s
               AND EXISTS (SELECT 1 FROM mentions m WHERE m.article_id = a.id AND m.entity_id = %s)
               ORDER BY a.published_at DESC LIMIT 1""",
            (today - timedelta(days=35), staple),
        )
        article = cur.fetchone()[0]
        cur.execute("DELETE FROM mentions WHERE article_id = %s", (article,))
        cur.execute(
            "INSERT INTO mentions (article_id, entity_id, count) VALUES (%s, %s, 1), (%s, %s, 2)",
            (article, sorted(names)[5], article, sorted(names)[9]),
        )
        # deleted: two relevant articles of 150 days ago
        cur.execute(
            """DELETE FROM articles WHERE id IN (SELECT id FROM articles WHERE relevant AND published_at < %s
               ORDER BY published_at DESC LIMIT 2)""",
            (today - timedelta(days=150),),
        )
        # late: an article dated 70 days ago naming the staple and a tail entity
        cur.execute(
            "INSERT INTO articles (url, title, published_at, fetched_at, feed_id, score, relevant)"
            " SELECT 'https://late.example/1', 'late', %s, now(), id, 2, true FROM feeds RETURNING id",
            (datetime.combine(today - timedelta(days=70), time(8), UTC),),
        )
        late = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO mentions (article_id, entity_id, count) VALUES (%s, %s, 1), (%s, %s, 1)",
            (late, staple, late, sorted(names)[-1]),
        )
        cur.execute("SELECT count(DISTINCT day) FROM trend_dirty_days")
        changed = cur.fetchone()[0]
    assert 5 <= changed <= 8  # two rescored days (some may be empty), one re-extracted, one or two deleted, one late
    assert trend_store.refresh_daily(db) == changed  # only the changed days are recomputed
    _assert_exact(db, today, names)


def test_a_rebuild_with_another_heavy_rule_stays_exact(db, history):
    """Which days are summed per month is stored per day, so days refreshed under different rules mix freely."""
    today, names = history
    for rule, (first, last) in ((1, (100, 40)), (4, (130, 20))):  # entities become heavy, then stop being so
        with db, db.cursor() as cur:
            cur.execute(f"SET nkru.cooccur_min_articles = {rule}")
        assert trend_store.refresh_daily(db, today - timedelta(days=first), today - timedelta(days=last)) == (
            first - last + 1
        )
        _assert_exact(db, today, names)
    with db, db.cursor() as cur:
        cur.execute("SET nkru.cooccur_min_articles = 1000")
    trend_store.refresh_daily(db, today - timedelta(days=DAYS), today)
    with db, db.cursor() as cur:
        cur.execute(  # arrays plus the changes waiting to be folded into them
            """SELECT count(*) FROM (
                   SELECT s.entity_id, s.period, s.first_day, x.other_id, x.articles
                   FROM cooccur_sums s, unnest(s.other_ids, s.articles) AS x(other_id, articles)
                   UNION ALL
                   SELECT entity_id, period, first_day, other_id, articles FROM cooccur_pending) c
               GROUP BY entity_id, period, first_day, other_id HAVING sum(articles) <> 0"""
        )
        assert cur.fetchone() is None  # no heavy day left: every sum taken off again
    _assert_exact(db, today, names)


def test_the_migration_fills_the_new_tables_from_an_existing_history(db, history):
    """021 on a database that already holds a history: its last statements fill the tables from the aggregates."""
    today, names = history
    migration = next(p for _, p in store.migration_files() if p.name.startswith("021_"))
    backfill = migration.read_text(encoding="utf-8").split("-- The history already aggregated")[1].split("\n", 1)[1]
    with db, db.cursor() as cur:
        cur.execute("TRUNCATE entity_totals, cooccur_heavy_days, cooccur_sums, cooccur_pending")
        cur.execute(backfill)
        cur.execute("SELECT count(*) FROM cooccur_sums")
        assert cur.fetchone()[0] > 0
    _assert_exact(db, today, names)
