"""Helpers (no tests here) for racing `pipeline_process.process_pending` in two real processes.

Each worker is a separate Python process (multiprocessing, spawn: nothing shared with pytest but what is
pickled), with its own database connection and its own spaCy model, loaded once before the first trial. For
each trial the test puts a job on every worker's queue; the workers meet at a barrier and call
`process_pending` at the same instant.

The news: `EVENTS` reports, each carried by `OUTLETS` outlets as a wire copy with an outlet's small edits
(a "(LEAD)" tag, another dateline, a trimmed lede), so each event is one story and one alert.
"""

from __future__ import annotations

import random
from datetime import timedelta

from nkru import pipeline_process, store
from nkru.config import Settings
from tests.alert_data import NOW, NewsDB

EVENTS = 40
OUTLETS = ("Wire Service", "Seoul Daily", "Moscow Herald")
RUSSIANS = ["Sergei Lavrov", "Sergei Shoigu", "Sergei Naryshkin", "Andrei Belousov", "Alexander Kozlov"]
KOREANS = ["Choe Son Hui", "Kim Jong Un", "Ri Chang Dae", "Pak Thae Song", "No Kwang Chol"]
PLACES = ["Pyongyang", "Moscow", "Vladivostok", "Wonsan", "Rason", "Khabarovsk"]
# Filler words drawn per event, so two events share few word shingles and never form one story.
_VOCABULARY_TEXT = """
harbour grain convoy ministry delegation treaty border bridge tunnel cargo fuel ration pipeline engineers
satellite launch rocket shells artillery drones factory workers tourism resort ferry railway freight customs
bank payments ruble envoy embassy summit banquet parade anniversary veterans hospital students exchange
university scholarship fishing quota timber coal iron smelter port crane warehouse airline flights charter visa
hotel orchestra exhibition film archive museum monument protocol memorandum committee commission chairman
"""
VOCABULARY = tuple(_VOCABULARY_TEXT.split())
# Events a day and an hour apart: with actors cycling through short lists, events published together would
# share people and places, and event-level grouping (nkru.stories) would rightly call them one happening.
EVENT_SPACING_HOURS = 25
# The alert rule must still alert the oldest event's story.
MAX_STORY_AGE_HOURS = EVENT_SPACING_HOURS * EVENTS + 24
DATELINES = ("SEOUL, March 26 (Yonhap) -- ", "MOSCOW, March 26 (AFP) - ", "PYONGYANG — ")


def store_syndicated_news(conn: store.Connection) -> int:
    """Write EVENTS × OUTLETS relevant, unprocessed articles, interleaved as feeds deliver them; returns how many."""
    news = NewsDB(conn)
    count = 0
    for event in range(EVENTS):
        rng = random.Random(event)
        filler = " ".join(rng.choice(VOCABULARY) for _ in range(30))
        who = f"{RUSSIANS[event % len(RUSSIANS)]} and {KOREANS[event % len(KOREANS)]}"
        place = PLACES[event % len(PLACES)]
        title = f"{' '.join(rng.choice(VOCABULARY) for _ in range(5))}: {who} sign deal in {place}"
        lede = f"North Korea and Russia agreed on {filler}, {who} said in {place}, officials added."
        for n, outlet in enumerate(OUTLETS):
            edited_title = ("(LEAD) " if n == 1 else "") + title
            edited_lede = DATELINES[n] + (lede if n != 2 else lede.rsplit(",", 1)[0] + ".")
            published = NOW - timedelta(hours=EVENT_SPACING_HOURS * (EVENTS - 1 - event), minutes=90 - n * 10)
            news.article(outlet, edited_title, edited_lede, published_at=published)
            count += 1
    return count


def reset_processing(conn: store.Connection) -> None:
    """Put every article back in the extraction queue, with no story, mention or alert: a fresh trial."""
    with conn, conn.cursor() as cur:
        cur.execute("DELETE FROM alert_outbox")
        cur.execute("DELETE FROM story_signatures")
        cur.execute("DELETE FROM mentions")
        cur.execute("UPDATE articles SET story_id = NULL, extracted_at = NULL")
        cur.execute("DELETE FROM stories")


def worker(db_url: str, settings: Settings, barrier, jobs, results) -> None:
    """Run `process_pending` once per job, released together with the other worker by `barrier`."""
    from nkru import entities

    entities.load_pipeline(settings.entities.gazetteer)  # before the race: both start processing at once
    with store.connection(db_url) as conn:
        while jobs.get() is not None:
            barrier.wait(timeout=120)
            try:
                report = pipeline_process.process_pending(conn, settings, now=NOW)
                results.put(("ok", report.articles))
            except Exception as exc:  # reported to the test rather than lost in a child's stderr
                results.put(("error", repr(exc)))
