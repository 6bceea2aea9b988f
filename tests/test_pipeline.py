"""The pipeline's promises on bad input: every failure has a reason, failing feeds back off, nothing doubles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nkru import pipeline, pipeline_process, store
from nkru.config import FeedConfig, Settings, parse_settings
from nkru.store import articles as article_store
from nkru.store import feeds as feed_store
from tests.feedserver import FeedServer

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "feedparser-tests"
DAG_FIXTURES = ROOT / "tests" / "fixtures" / "dag"


def settings_for(feeds: dict[str, str], **fetch) -> Settings:
    base = parse_settings("fetch: {allow_private_addresses: true, timeout_seconds: 5}")
    feed_list = [FeedConfig(name=name, url=url) for name, url in feeds.items()]
    return base.model_copy(
        update={"feeds": feed_list, "fetch": base.fetch.model_copy(update=fetch)},
    )


def ingest_all(conn, settings: Settings, run_id: str, now: datetime) -> pipeline.IngestReport:
    report = pipeline.IngestReport()
    for batch in pipeline.plan_batches(conn, settings, now, due_only=False):
        report.add(pipeline.ingest_batch(conn, settings, batch, run_id, now=now))
    return report


def feed_health(conn, name: str) -> dict:
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT consecutive_failures, last_error, next_due_at, failing_since, last_status "
            "FROM feeds WHERE name = %s",
            (name,),
        )
        failures, error, due, since, status = cur.fetchone()
    return {"failures": failures, "error": error, "due": due, "since": since, "status": status}


def test_failing_feed_backs_off_exponentially_capped_then_recovers(db):
    with FeedServer(DAG_FIXTURES) as server:
        settings = settings_for({"flaky": server.url("status/503")}, interval_minutes=15, max_backoff_hours=1)
        now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
        delays = []
        for attempt in range(4):
            ingest_all(db, settings, f"run-{attempt}", now)
            health = feed_health(db, "flaky")
            delays.append(health["due"] - now)
        assert health["failures"] == 4 and "503" in health["error"] and health["since"] is not None
        assert delays == [timedelta(minutes=30), timedelta(minutes=60), timedelta(hours=1), timedelta(hours=1)]

        recovered = settings_for({"flaky": server.url("wire.xml")}, interval_minutes=15)
        ingest_all(db, recovered, "run-ok", now)
    health = feed_health(db, "flaky")
    assert health["failures"] == 0 and health["since"] is None and health["status"] == "ok"
    assert health["due"] - now == timedelta(minutes=15)


def test_one_bad_feed_never_stops_the_others(db):
    with FeedServer(DAG_FIXTURES) as server:
        settings = settings_for(
            {
                "html-page": server.url("html"),
                "empty": server.url("empty"),
                "loop": server.url("redirect-loop"),
                "good": server.url("wire.xml"),
                "closed-port": "http://127.0.0.1:9/feed.xml",
            },
            max_redirects=3,
        )
        report = ingest_all(db, settings, "run", datetime.now(UTC))
    assert report.feeds == 5 and report.failed_feeds == 4
    assert set(report.errors) == {"html-page", "empty", "loop", "closed-port"}
    assert all(report.errors.values()), report.errors
    assert report.new_articles == 5
    with db, db.cursor() as cur:
        cur.execute("SELECT count(*) FROM articles")
        assert cur.fetchone()[0] == 5


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"feedparser's corpus not found at {CORPUS}")
def test_feedparser_corpus_through_the_pipeline(db):
    """Every file of feedparser's own test corpus, served on loopback: no crash, every failure has a reason."""
    files = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file() and p.name != "LICENSE")
    with FeedServer(CORPUS) as server:
        # ~2,100 files on one loopback host: the per-host gap would make this a 9-minute wait for no purpose here.
        feeds = {f"corpus-{i}": server.url(f) for i, f in enumerate(files)}
        settings = settings_for(feeds, batch_size=200, per_host_concurrency=50, per_host_delay_seconds=0)
        report = ingest_all(db, settings, "corpus", datetime.now(UTC))
        processed = pipeline_process.process_pending(db, settings)
    assert report.feeds == len(files)
    with db, db.cursor() as cur:
        cur.execute("SELECT count(*) FROM fetch_log WHERE run_id = 'corpus'")
        assert cur.fetchone()[0] == len(files), "every feed's fetch is recorded"
        cur.execute(
            "SELECT count(*) FROM fetch_log WHERE run_id = 'corpus' AND status NOT IN ('ok', 'not_modified') "
            "AND coalesce(error, '') = ''"
        )
        assert cur.fetchone()[0] == 0, "every failure has a readable reason"
        cur.execute("SELECT count(*) FROM articles")
        stored = cur.fetchone()[0]
        cur.execute(
            "SELECT r.key, sum(r.value::int) FROM fetch_log, jsonb_each_text(skip_reasons) r "
            "WHERE run_id = 'corpus' GROUP BY r.key"
        )
        skipped = dict(cur.fetchall())
    # Most corpus entries are fragments without a link; those are skipped with a reason, the rest stored.
    assert stored >= 20, "the valid feeds' items are stored"
    assert skipped.get("no link", 0) > 500 and all(reason.strip() for reason in skipped)
    assert report.failed_feeds < len(files) // 2
    with db, db.cursor() as cur:
        cur.execute("SELECT count(*) FILTER (WHERE extracted_at IS NOT NULL), count(*) FROM articles WHERE relevant")
        extracted, relevant = cur.fetchone()
    assert processed.articles == extracted == relevant, "every relevant corpus item gets its entities"


def test_the_same_run_twice_changes_nothing(db):
    with FeedServer(DAG_FIXTURES) as server:
        settings = settings_for({"wire": server.url("wire.xml"), "mirror": server.url("mirror.xml")})
        now = datetime.now(UTC)
        first = ingest_all(db, settings, "same-run", now)
        with db, db.cursor() as cur:
            cur.execute("UPDATE feeds SET etag = NULL, last_modified = NULL")  # force full bodies again
        second = ingest_all(db, settings, "same-run", now)
    assert first.new_articles == 7 and second.new_articles == 0
    with db, db.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT url) FROM articles")
        assert cur.fetchone() == (7, 7)
        cur.execute("SELECT count(*), sum(items_new) FROM fetch_log")
        assert cur.fetchone() == (2, 7)


def test_feeds_stored_together_share_an_article_as_if_stored_one_after_another(db):
    """Feeds are stored in chunks (one transaction, one statement per table): two feeds of one chunk carrying the
    same items give one article each, owned by the first feed, carried by both, counted new once."""
    wire = (DAG_FIXTURES / "wire.xml").read_bytes()
    with FeedServer(DAG_FIXTURES) as server:
        server.set_content("/copy.xml", wire)
        feeds = {"wire": server.url("wire.xml"), "copy": server.url("copy.xml"), "mirror": server.url("mirror.xml")}
        settings = settings_for(feeds)
        now = datetime.now(UTC)
        first = ingest_all(db, settings, "run-1", now)
        with db, db.cursor() as cur:
            cur.execute("UPDATE feeds SET etag = NULL, last_modified = NULL")  # force full bodies again
        second = ingest_all(db, settings, "run-2", now)
    assert (first.feeds, first.new_articles, second.new_articles) == (3, 7, 0)
    with db, db.cursor() as cur:
        cur.execute(
            """SELECT f.name, count(DISTINCT a.id), count(DISTINCT af.article_id) FROM feeds f
               LEFT JOIN articles a ON a.feed_id = f.id LEFT JOIN article_feeds af ON af.feed_id = f.id
               GROUP BY f.name"""
        )
        owned_carried = {name: (owned, carried) for name, owned, carried in cur.fetchall()}
        cur.execute(
            "SELECT f.name, l.run_id, l.items_new FROM fetch_log l JOIN feeds f ON f.id = l.feed_id ORDER BY 1, 2"
        )
        logged = cur.fetchall()
    assert owned_carried == {"wire": (5, 5), "copy": (0, 5), "mirror": (2, 3)}  # mirror carries one of wire's
    assert logged == [
        ("copy", "run-1", 0), ("copy", "run-2", 0), ("mirror", "run-1", 2), ("mirror", "run-2", 0),
        ("wire", "run-1", 5), ("wire", "run-2", 0),
    ]  # fmt: skip


def test_store_database_outage_raises_and_leaves_nothing_half_written(db_url):
    """A database that goes away mid-run fails the step (Airflow retries it); committed feeds stay whole."""
    with FeedServer(DAG_FIXTURES) as server, store.connection(db_url) as conn:
        settings = settings_for({"wire": server.url("wire.xml")})
        batches = pipeline.plan_batches(conn, settings, datetime.now(UTC), due_only=False)
        with store.connection(db_url) as admin, admin, admin.cursor() as cur:  # the server drops us
            cur.execute("SELECT pg_terminate_backend(%s)", (conn.get_backend_pid(),))
        with pytest.raises(Exception, match="terminat|closed|connection"):
            pipeline.ingest_batch(conn, settings, batches[0], "outage")
    with store.connection(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM articles")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT count(*) FROM fetch_log")
        assert cur.fetchone()[0] == 0


REFUSE_RASON = """
CREATE FUNCTION refuse_rason() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM articles WHERE id = NEW.article_id AND title LIKE '%Rason%') THEN
        RAISE EXCEPTION 'mentions of this article are refused';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER refuse_rason BEFORE INSERT ON mentions FOR EACH ROW EXECUTE FUNCTION refuse_rason();
"""


def test_one_bad_article_never_stops_the_others_and_is_tried_again(db):
    """Articles are written in batches; one the database refuses stays pending with its reason, the others of its
    batch are stored, and the next run stores it once the database takes it."""
    settings = parse_settings(f'entities: {{gazetteer: "{ROOT / "config" / "gazetteer.yaml"}"}}')
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    titles = [
        "Kim Jong Un meets Sergei Shoigu in Pyongyang",
        "North Korea and Russia open a bridge in Rason",
        "Sergei Lavrov praises North Korean allies in Moscow",
    ]
    with db, db.cursor() as cur:
        feed_store.sync_feeds(cur, [FeedConfig(name="wire", url="https://wire.example.org/rss")])
        feed_id = feed_store.feed_ids(cur, ["wire"])["wire"]
        article_store.save_articles(
            cur,
            feed_id,
            [
                article_store.NewArticle(
                    url=f"https://wire.example.org/{n}",
                    guid=str(n),
                    title=title,
                    summary="The talks covered trade.",
                    language="en",
                    published_at=now - timedelta(hours=n + 1),
                    score=3.0,
                    relevant=True,
                    matched_terms=("test",),
                    reason="test",
                )
                for n, title in enumerate(titles)
            ],
            now,
        )
        cur.execute(REFUSE_RASON)

    first = pipeline_process.process_pending(db, settings, now=now)

    with db, db.cursor() as cur:
        cur.execute(
            "SELECT a.title, a.extracted_at IS NOT NULL, a.extract_notes, a.story_id IS NOT NULL, "
            "(SELECT count(*) FROM mentions m WHERE m.article_id = a.id) FROM articles a ORDER BY a.id"
        )
        rows = {title: rest for title, *rest in cur.fetchall()}
        cur.execute("DROP TRIGGER refuse_rason ON mentions")
    bad = rows.pop(titles[1])
    assert first.articles == 2 and len(first.errors) == 1
    assert "mentions of this article are refused" in next(iter(first.errors.values()))
    assert bad[0] is False and bad[2] is False and bad[3] == 0, "nothing of the refused article is half-written"
    assert any("could not be processed" in note for note in bad[1])
    assert all(done and story and mentions > 0 for done, _, story, mentions in rows.values())

    second = pipeline_process.process_pending(db, settings, now=now)
    assert second.articles == 1 and not second.errors
    with db, db.cursor() as cur:
        cur.execute("SELECT count(*) FROM articles WHERE extracted_at IS NULL")
        assert cur.fetchone()[0] == 0
