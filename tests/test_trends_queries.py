"""The trend queries on a small history with known counts (tests/history.py), against a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from nkru import store
from nkru.store import trends as trend_store
from nkru.trends.lookup import UnknownEntity, resolve_entity
from tests import history
from tests.history import BASELINE_DAYS, HOSTILE, RECENT_DAYS

history_db = history.history_db  # the module-scoped fixture


@pytest.fixture
def hist(history_db):
    return history_db[1]


@pytest.fixture
def hdb(history_db):
    """A connection to the shared history database (these tests only read)."""
    with store.connection(history_db[0]) as conn:
        yield conn


def _windows(h):
    """(since, until, baseline_since) of the recent week against the 28 days before."""
    since = h.since(RECENT_DAYS - 1)
    return since, h.today, since - timedelta(days=BASELINE_DAYS)


def test_volume_counts_each_day_and_fills_gaps_with_zeros(hdb, hist):
    first = hist.since(50)
    rows = trend_store.volume(hdb, first, hist.today)
    assert [r["period"] for r in rows] == [first + timedelta(days=n) for n in range(51)]
    for row in rows:
        day_items = [i for i in hist.items if hist.day(i) == row["period"]]
        assert row["articles"] == len(day_items), row
        assert row["relevant_articles"] == sum(i.relevant for i in day_items), row
    by_day = {r["period"]: r for r in rows}
    assert by_day[hist.since(45)]["relevant_articles"] == 1  # the lone old article
    assert all(by_day[hist.since(d)]["articles"] == 0 for d in range(36, 45))  # the gap, as zeros
    # new stories: one per staple day, plus the visit's two stories on their first days
    assert by_day[hist.since(2)]["stories"] == 2 and by_day[hist.since(1)]["stories"] == 2


def test_volume_by_week_sums_the_days_of_each_week(hdb, hist):
    first = hist.since(34)
    weeks = trend_store.volume(hdb, first, hist.today, bucket="week")
    assert all(r["period"].weekday() == 0 for r in weeks)
    assert sum(r["relevant_articles"] for r in weeks) == len(hist.relevant_in(first, hist.today))
    assert len(weeks) in (5, 6)


def test_volume_by_feed_counts_syndicated_copies_for_every_feed(hdb, hist):
    rows = trend_store.volume_by_feed(hdb, hist.since(2), hist.today)
    day = {(r["feed"], r["period"]): r for r in rows}
    two_days_ago = hist.since(2)
    # Yonhap: its staple plus the visit article it also carried; KCNA Watch: two visit articles that day
    assert day[("Yonhap", two_days_ago)]["relevant_articles"] == 2
    assert day[("KCNA Watch", two_days_ago)]["relevant_articles"] == 2
    # a silent feed is listed with zeros, not left out
    assert [day[("Quiet Wire", hist.since(d))]["articles"] for d in (2, 1, 0)] == [0, 0, 0]


def test_entity_found_by_any_alias_across_scripts(hdb, hist):
    kim = hist.entity_ids["Kim Jong Un"]
    for spelling in ("Kim Jong Un", "kim jong-un", "KIM JONG-UN", "Ким Чен Ын", "김정은"):
        match = resolve_entity(hdb, spelling)
        assert (match.entity_id, match.name, match.label) == (kim, "Kim Jong Un", "PERSON"), spelling
    assert resolve_entity(hdb, "КНДР").name == "North Korea"


def test_unknown_entity_suggests_the_closest_names(hdb, hist):
    with pytest.raises(UnknownEntity) as exc:
        resolve_entity(hdb, "Naryshkine")
    assert exc.value.suggestions[0] == "Sergei Naryshkin"
    with pytest.raises(UnknownEntity) as exc:
        resolve_entity(hdb, "Kim Jong")
    assert "Kim Jong Un" in exc.value.suggestions
    assert "Kim Jong Un" in str(exc.value)
    with pytest.raises(UnknownEntity, match="No similar names") as exc:
        resolve_entity(hdb, "...")
    assert exc.value.suggestions == []


def test_names_with_quotes_percent_underscore_and_sql_are_just_text(hdb, hist):
    match = resolve_entity(hdb, HOSTILE)
    assert match.name == HOSTILE
    rows = trend_store.entity_trend(hdb, match.entity_id, hist.since(6), hist.today)
    assert sum(r["articles"] for r in rows) == 1
    for text in ("%", "_", "' OR 1=1 --", "Kim%"):
        with pytest.raises(UnknownEntity):
            resolve_entity(hdb, text)
    with hdb, hdb.cursor() as cur:
        cur.execute("SELECT count(*) FROM articles")
        assert cur.fetchone()[0] == len(hist.items)


def test_entity_trend_is_zero_filled_per_day(hdb, hist):
    naryshkin = hist.entity_ids["Sergei Naryshkin"]
    rows = trend_store.entity_trend(hdb, naryshkin, hist.since(9), hist.today)
    assert [r["articles"] for r in rows] == [0] * 7 + [3, 2, 1]
    assert [r["mentions"] for r in rows] == [0] * 7 + [6, 4, 2]


def test_staple_trend_matches_the_history(hdb, hist):
    kim = hist.entity_ids["Kim Jong Un"]
    first = hist.since(40)
    rows = trend_store.entity_trend(hdb, kim, first, hist.today)
    assert sum(r["articles"] for r in rows) == hist.articles_naming("Kim Jong Un", first, hist.today) == 36
    assert rows[-11]["articles"] == 1  # the article at 00:30 UTC ten days ago counts on that UTC day
    weekly = trend_store.entity_trend(hdb, kim, first, hist.today, bucket="week")
    assert sum(r["articles"] for r in weekly) == 36


def test_first_ever_visit_ranks_top_and_twice_instead_of_once_does_not(hdb, hist):
    since, until, baseline_since = _windows(hist)
    rows = trend_store.rising_entities(hdb, since, until, baseline_since)
    names = [r["entity"] for r in rows]
    assert names[0] == "Sergei Naryshkin"
    top = rows[0]
    assert (top["recent"], top["baseline"], top["expected"]) == (6, 0, 0.0)
    assert "Choe Son Hui" not in names  # 2 articles instead of 1: below the minimum count
    # the staple (8 this week against 28 in the four weeks before) is barely up, and ranks last
    assert names[-1] == "Kim Jong Un" and rows[-1]["score"] < 0.2
    assert len(top["daily"]) == RECENT_DAYS + BASELINE_DAYS and top["daily"][-3:] == [3, 2, 1]
    # even with no minimum count, twice-instead-of-once stays far below the first-ever visit
    loose = trend_store.rising_entities(hdb, since, until, baseline_since, min_count=1)
    by_name = {r["entity"]: r for r in loose}
    assert by_name["Choe Son Hui"]["recent"] == 2 and by_name["Choe Son Hui"]["baseline"] == 1
    assert by_name["Choe Son Hui"]["score"] < by_name["Sergei Naryshkin"]["score"] / 2
    assert [r["entity"] for r in loose][0] == "Sergei Naryshkin"


def test_rising_filters_by_label(hdb, hist):
    since, until, baseline_since = _windows(hist)
    rows = trend_store.rising_entities(hdb, since, until, baseline_since, label="GPE")
    assert rows and {r["label"] for r in rows} == {"GPE"}
    assert rows[0]["entity"] == "Pyongyang"


def test_rising_pairs_put_the_visit_first(hdb, hist):
    since, until, baseline_since = _windows(hist)
    rows = trend_store.rising_pairs(hdb, since, until, baseline_since)
    top = {frozenset((r["entity_a"], r["entity_b"])) for r in rows if r["score"] == rows[0]["score"]}
    assert top == {frozenset(("Sergei Naryshkin", "North Korea")), frozenset(("Sergei Naryshkin", "Russia"))}
    assert rows[0]["recent"] == 6 and rows[0]["baseline"] == 0
    assert frozenset(("Kim Jong Un", "North Korea")) not in {frozenset((r["entity_a"], r["entity_b"])) for r in rows}


def test_cooccurrence_counts_shared_articles(hdb, hist):
    first = hist.since(34)
    rows = trend_store.cooccurring(hdb, hist.entity_ids["Kim Jong Un"], first, hist.today)
    counts = {r["entity"]: r["articles"] for r in rows}
    assert counts == {"North Korea": 35, "Russia": 35, HOSTILE: 1}
    assert rows[0]["entity_articles"] == 36 and rows[0]["share"] == pytest.approx(35 / 36, abs=0.001)
    visit = trend_store.cooccurring(hdb, hist.entity_ids["Sergei Naryshkin"], hist.since(6), hist.today, limit=2)
    assert [(r["entity"], r["articles"]) for r in visit] == [("North Korea", 6), ("Russia", 6)]


def test_top_entities_rank_by_articles_within_each_label(hdb, hist):
    first = hist.since(34)
    rows = trend_store.top_entities(hdb, first, hist.today, limit=2)
    person = [(r["entity"], r["articles"]) for r in rows if r["label"] == "PERSON"]
    assert person == [("Kim Jong Un", 36), ("Sergei Naryshkin", 6)]
    # by articles, not tokens: Naryshkin is named twice per article
    assert next(r["mentions"] for r in rows if r["entity"] == "Sergei Naryshkin") == 12
    gpe = trend_store.top_entities(hdb, first, hist.today, label="GPE", limit=1)
    expected = hist.articles_naming("North Korea", first, hist.today)
    assert [(r["entity"], r["articles"]) for r in gpe] == [("North Korea", expected)]


def test_top_entities_over_whole_months_match_day_by_day_counts(hdb, hist):
    for days_back in (70, 40, 9):  # 70 days always hold a whole calendar month, read from entity_monthly
        first = hist.since(days_back)
        rows = trend_store.top_entities(hdb, first, hist.today, limit=50)
        assert {r["entity"]: r["articles"] for r in rows} == {
            name: hist.articles_naming(name, first, hist.today)
            for name in history.ENTITIES
            if hist.articles_naming(name, first, hist.today)
        }, days_back


def test_top_pairs_of_the_week(hdb, hist):
    rows = trend_store.top_pairs(hdb, hist.since(6), hist.today, limit=1)
    assert [(frozenset((r["entity_a"], r["entity_b"])), r["articles"]) for r in rows] == [
        (frozenset(("North Korea", "Russia")), 7 + 6)
    ]


def test_feed_coverage_tells_silent_quiet_and_failing_apart(hdb, hist):
    since, until, baseline_since = _windows(hist)
    rows = {r["feed"]: r for r in trend_store.feed_coverage(hdb, since, until, baseline_since)}
    status = {name: r["status"] for name, r in rows.items()}
    assert status == {
        "Yonhap": "ok",
        "TASS": "ok",
        "KCNA Watch": "new",
        "New Feed": "new",
        "Quiet Wire": "silent",
        "Slow Wire": "quiet",
        "Broken Feed": "failing",
    }
    assert rows["Quiet Wire"]["usual_per_day"] == 1.0 and rows["Quiet Wire"]["expected_items"] == 7.0
    assert rows["Slow Wire"]["recent_items"] == 1 and rows["Slow Wire"]["usual_per_day"] == 2.0
    broken = rows["Broken Feed"]
    assert broken["last_error"] == "HTTP 503 Service Unavailable" and broken["consecutive_failures"] == 4
    assert broken["daily"] == [1, 1, 1, 0, 0, 0, 0]


def test_latest_stories_have_source_outlets_and_entities(hdb, hist):
    rows = trend_store.latest_stories(hdb, 50)
    talks = next(r for r in rows if r["title"] == "visit-talks")
    arrival = next(r for r in rows if r["title"] == "visit-arrival")
    assert talks["entities"][:3] == ["Sergei Naryshkin", "North Korea", "Russia"]
    assert arrival["outlets"] == 3  # KCNA Watch, TASS and Yonhap's copy
    assert arrival["source"] == "KCNA Watch"
    assert rows[0]["published_at"] >= rows[-1]["published_at"]


def test_refresh_follows_changes_and_is_idempotent(db):
    hist = history.build(db)
    kim = hist.entity_ids["Kim Jong Un"]
    week = (hist.since(6), hist.today)

    def kim_week() -> int:
        return sum(r["articles"] for r in trend_store.entity_trend(db, kim, *week))

    assert kim_week() == 8  # 7 staple days + the hostile-name article
    assert trend_store.refresh_daily(db) == 0  # nothing changed since the build
    with db, db.cursor() as cur:  # rescoring makes today's staple irrelevant
        cur.execute(
            "UPDATE articles SET relevant = false WHERE id IN (SELECT article_id FROM mentions WHERE entity_id = %s)"
            " AND published_at >= %s",
            (kim, hist.today),
        )
    assert kim_week() == 8  # not refreshed yet
    assert trend_store.refresh_daily(db) == 1  # only today was marked
    assert kim_week() == 7
    top = trend_store.top_entities(db, hist.since(70), hist.today, label="PERSON", limit=1)
    assert (top[0]["entity"], top[0]["articles"]) == ("Kim Jong Un", 35)  # the monthly sums followed
    assert trend_store.refresh_daily(db, hist.since(60)) == 61  # a full rebuild gives the same numbers
    assert kim_week() == 7
    with db, db.cursor() as cur:  # a late item dated 20 days ago
        cur.execute(
            "INSERT INTO articles (url, title, published_at, fetched_at, feed_id, score, relevant)"
            " SELECT 'https://late.example/1', 'late', %s, now(), id, 2, true FROM feeds WHERE name = 'Yonhap'",
            (hist.since(20),),
        )
    assert trend_store.refresh_daily(db) == 1
    rows = trend_store.volume(db, hist.since(20), hist.since(20))
    assert rows[0]["relevant_articles"] == 3  # staple, Choe Son Hui, and the late item


def test_days_are_utc_whatever_the_session_time_zone(db_url, db):
    hist = history.build(db)
    with store.connection(db_url) as seoul:
        with seoul, seoul.cursor() as cur:
            cur.execute("SET TIME ZONE 'Asia/Seoul'")
        trend_store.refresh_daily(seoul, hist.since(40))
        rows = trend_store.entity_trend(seoul, hist.entity_ids["Kim Jong Un"], hist.since(10), hist.since(10))
    assert rows[0]["articles"] == 1  # the 00:30 UTC article stays on its UTC day


def test_every_query_file_documents_its_parameters(db):
    names = trend_store.query_names()
    assert {"volume", "entity_trend", "rising_entities", "rising_pairs", "cooccur", "feed_coverage"} <= set(names)
    for name in names:
        text = trend_store.query_text(name)
        assert text.startswith(f"-- {name}:"), name
        assert "Columns:" in text and "Parameters:" in text, name


def test_empty_database_gives_empty_answers(db):
    today = datetime.now(UTC).date()
    assert not trend_store.has_articles(db)
    assert trend_store.rising_entities(db, today, today, today - timedelta(days=28)) == []
    assert all(r["articles"] == 0 for r in trend_store.volume(db, today - timedelta(days=3), today))
    assert trend_store.feed_coverage(db, today, today, today) == []


def test_long_windows_follow_a_change_inside_an_earlier_whole_month(db):
    """Whole months are read from running totals and co-occurrence from each article's entity set: both follow an
    article of an earlier month becoming irrelevant, exactly as the day-by-day counts do."""
    hist = history.build(db, today=date(2026, 3, 17))
    kim = hist.entity_ids["Kim Jong Un"]
    first = hist.since(70)  # 2026-01-06: February is the window's whole month

    def counts() -> tuple[dict, dict]:
        top = trend_store.top_entities(db, first, hist.today, limit=50)
        together = trend_store.cooccurring(db, kim, first, hist.today)
        return {r["entity"]: r["articles"] for r in top}, {r["entity"]: r["articles"] for r in together}

    top, together = counts()
    with db, db.cursor() as cur:  # February's last article naming Kim Jong Un (and North Korea) is rescored away
        cur.execute(
            """UPDATE articles SET relevant = false WHERE id = (
                   SELECT a.id FROM articles a JOIN mentions m ON m.article_id = a.id AND m.entity_id = %s
                   WHERE a.relevant AND nkru_day(a.published_at) BETWEEN '2026-02-01' AND '2026-02-28'
                     AND EXISTS (SELECT 1 FROM mentions n WHERE n.article_id = a.id AND n.entity_id = %s)
                   ORDER BY a.published_at DESC LIMIT 1)""",
            (kim, hist.entity_ids["North Korea"]),
        )
        assert cur.rowcount == 1
    trend_store.refresh_daily(db)
    top_after, together_after = counts()
    assert top_after["Kim Jong Un"] == top["Kim Jong Un"] - 1
    assert top_after["Kim Jong Un"] == hist.articles_naming("Kim Jong Un", first, hist.today) - 1
    assert together_after["North Korea"] == together["North Korea"] - 1
