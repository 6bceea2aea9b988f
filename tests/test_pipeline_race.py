"""Two processes running `pipeline_process.process_pending` on one database at the same instant (two `nkru run`, a
retried task overlapping a late one, two Celery workers) must never double a story or an alert.

120 syndicated items (40 events × 3 outlets) are processed once by one process alone (the reference), then ten
times by two real processes released together by a barrier; every trial must give the reference's stories
and outbox rows, each article processed once.
"""

from __future__ import annotations

import multiprocessing

import pytest

from nkru import pipeline_process, store
from tests import racing
from tests.alert_data import NOW, rule, settings

TRIALS = 10


def outcome(conn: store.Connection) -> dict[str, object]:
    """What a user would see: stories, alert rows, and the story of each article (grouped by headline)."""
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM stories")
        stories = cur.fetchone()[0]
        cur.execute("SELECT count(*), count(DISTINCT message_id) FROM alert_outbox")
        outbox, message_ids = cur.fetchone()
        cur.execute("SELECT count(*) FROM articles WHERE story_id IS NULL OR extracted_at IS NULL")
        unprocessed = cur.fetchone()[0]
        cur.execute("SELECT array_agg(title ORDER BY id) FROM articles GROUP BY story_id ORDER BY min(id)")
        groups = [tuple(r[0]) for r in cur.fetchall()]
    return {
        "stories": stories,
        "outbox": outbox,
        "message_ids": message_ids,
        "unprocessed": unprocessed,
        "groups": groups,
    }


@pytest.mark.slow
def test_two_processes_racing_never_double_a_story_or_an_alert(db_url):
    cfg = settings(rule("all", recipients=("analyst@example.org",)), max_story_age_hours=racing.MAX_STORY_AGE_HOURS)
    with store.connection(db_url) as conn:
        assert racing.store_syndicated_news(conn) == racing.EVENTS * len(racing.OUTLETS)
        pipeline_process.process_pending(conn, cfg, now=NOW)
        reference = outcome(conn)
        # One story and one alert per event: the syndicated copies were recognised as such.
        assert reference["stories"] == reference["outbox"] == reference["message_ids"] == racing.EVENTS
        assert reference["unprocessed"] == 0

        spawn = multiprocessing.get_context("spawn")
        barrier = spawn.Barrier(2)
        jobs = [spawn.Queue() for _ in range(2)]
        results = spawn.Queue()
        workers = [
            spawn.Process(target=racing.worker, args=(db_url, cfg, barrier, queue, results), daemon=True)
            for queue in jobs
        ]
        for process in workers:
            process.start()
        try:
            for trial in range(TRIALS):
                racing.reset_processing(conn)
                for queue in jobs:
                    queue.put(trial)
                reports = [results.get(timeout=300) for _ in workers]
                assert all(status == "ok" for status, _ in reports), reports
                assert outcome(conn) == reference, f"trial {trial}"
                # Every article was processed by exactly one of the two.
                assert sum(n for _, n in reports) == racing.EVENTS * len(racing.OUTLETS), (trial, reports)
        finally:
            for queue in jobs:
                queue.put(None)
            for process in workers:
                process.join(timeout=30)
                if process.is_alive():
                    process.kill()
