"""Fetching like a good citizen: per-host batches and cap, Retry-After per host, adaptive intervals, lying
validators. Real HTTP servers on distinct loopback addresses (each one host), a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from nkru import pipeline
from nkru.config import FetchConfig
from nkru.edge.cli import main
from nkru.feeds import FetchRequest
from nkru.feeds.politeness import adapt_interval, batches_by_host, fetch_feeds_politely, retry_after_seconds
from tests.hostserver import HostServer
from tests.test_pipeline import settings_for

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def feed(*titles: str) -> bytes:
    items = "".join(
        f"<item><title>{t}</title><link>https://news.example/{i}-{abs(hash(t))}</link><guid>{t}</guid></item>"
        for i, t in enumerate(titles)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


@pytest.fixture
def hosts():
    servers = [HostServer(f"127.0.0.{n}").start() for n in (2, 3, 4)]
    yield servers
    for server in servers:
        server.stop()


def test_no_host_ever_sees_more_than_the_cap(hosts):
    for server in hosts:
        for i in range(12):
            server.set_content(f"f{i}.xml", feed("Lavrov visits Pyongyang"))
    requests = [FetchRequest(f"{s.address}-{i}", s.url(f"slow/150/f{i}.xml")) for s in hosts for i in range(12)]
    settings = FetchConfig(allow_private_addresses=True, per_host_concurrency=2, per_host_delay_seconds=0)

    fetched = fetch_feeds_politely(requests, settings)

    assert [r.status for r in fetched.results] == ["ok"] * 36
    assert all(s.max_in_flight <= 2 for s in hosts)
    assert max(s.max_in_flight for s in hosts) == 2  # the cap is used, not just respected


def test_all_due_feeds_of_a_host_land_in_one_batch(db, hosts):
    names = {f"{s.address}-{i}": s.url(f"f{i}.xml") for s in hosts for i in range(7)}
    settings = settings_for(names, batch_size=5)

    batches = pipeline.plan_batches(db, settings, NOW, due_only=False)

    where = {}
    for number, batch in enumerate(batches):
        for request in batch:
            where.setdefault(request["url"].split("/")[2].split(":")[0], set()).add(number)
    assert sorted(where) == ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    assert all(len(batch_numbers) == 1 for batch_numbers in where.values())


def test_batches_by_host_packs_small_hosts_together():
    requests = [{"url": f"http://h{h}.example/{i}"} for h, n in enumerate([6, 2, 2, 1]) for i in range(n)]

    batches = batches_by_host(requests, 5)

    assert [len(b) for b in batches] == [6, 5]


def test_retry_after_makes_the_whole_host_wait_without_failing_its_feeds(db, hosts):
    busy, calm = hosts[0], hosts[1]
    busy.set_status("first.xml", 429, {"Retry-After": "3600"})
    for i in range(3):
        busy.set_content(f"f{i}.xml", feed(f"Item {i}"))
    calm.set_content("calm.xml", feed("Calm item"))
    feeds = {"a-first": busy.url("first.xml"), **{f"b-{i}": busy.url(f"f{i}.xml") for i in range(3)}}
    settings = settings_for({**feeds, "calm": calm.url("calm.xml")}, per_host_concurrency=1)

    report = pipeline.IngestReport()
    for batch in pipeline.plan_batches(db, settings, NOW, due_only=False):
        report.add(pipeline.ingest_batch(db, settings, batch, "run-1", now=NOW))

    assert busy.statuses("first.xml") == [429]
    assert all(busy.hits(f"f{i}.xml") == [] for i in range(3))  # the host was not asked again
    assert report.failed_feeds == 0
    with db, db.cursor() as cur:
        cur.execute("SELECT name, last_status, consecutive_failures, last_error, next_due_at FROM feeds ORDER BY name")
        rows = {r[0]: r[1:] for r in cur.fetchall()}
        cur.execute("SELECT host, wait_until FROM fetch_hosts")
        waits = dict(cur.fetchall())
    assert rows["calm"][0] == "ok"
    for name in feeds:
        status, failures, error, due = rows[name]
        assert (status, failures) == ("rate_limited", 0)
        assert "asked to wait 3600 s (Retry-After)" in error
        assert due >= NOW + timedelta(minutes=59)
    assert set(waits) == {"127.0.0.2"}
    later = pipeline.plan_batches(db, settings, datetime.now(UTC) + timedelta(minutes=30), due_only=False)
    assert {r["feed_name"] for b in later for r in b} == {"calm"}  # the waiting host is left alone


def test_a_short_retry_after_is_waited_out_and_tried_again(hosts):
    server = hosts[0]
    server.set_status("busy.xml", 503, {"Retry-After": "1"})
    server.set_content("ok.xml", feed("Fine"))
    settings = FetchConfig(allow_private_addresses=True, per_host_concurrency=1, max_retry_after_wait_seconds=5)

    requests = [FetchRequest("busy", server.url("busy.xml")), FetchRequest("ok", server.url("ok.xml"))]
    fetched = fetch_feeds_politely(requests, settings)

    assert server.statuses("busy.xml") == [503, 503]
    assert [r.status for r in fetched.results] == ["rate_limited", "ok"]


def test_retry_after_as_an_http_date():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds({"Retry-After": "Sun, 01 Mar 2026 12:10:00 GMT"}, now) == 600
    assert retry_after_seconds({"retry-after": "120"}, now) == 120
    assert retry_after_seconds({"Retry-After": "soon"}, now) is None


def test_intervals_adapt_to_how_often_fetches_bring_new_items():
    settings = FetchConfig(interval_minutes=15, min_interval_minutes=10, max_interval_hours=24)
    quiet = 15.0
    for _ in range(30):
        quiet = adapt_interval(quiet, 0, False, settings)
    assert quiet == 24 * 60
    assert adapt_interval(24 * 60, 5, False, settings) == 10  # busy again: back to the fast end at once
    assert adapt_interval(40, 1, False, settings) == 40  # one new item a fetch: the interval fits
    assert adapt_interval(15, 30, True, settings) == 15  # a first fetch says nothing about the rate


def test_quiet_feed_is_polled_less_often_and_nkru_feeds_shows_it(db, db_url, hosts, monkeypatch):
    server = hosts[0]
    server.set_content("quiet.xml", feed("Old item"))
    settings = settings_for({"quiet": server.url("quiet.xml")}, interval_minutes=15)
    for run in range(4):
        for batch in pipeline.plan_batches(db, settings, NOW, due_only=False):
            pipeline.ingest_batch(db, settings, batch, f"run-{run}", now=NOW + timedelta(hours=run))
    with db, db.cursor() as cur:
        cur.execute("SELECT poll_minutes, next_due_at FROM feeds WHERE name = 'quiet'")
        minutes, due = cur.fetchone()
    assert minutes == pytest.approx(15 * 1.5**3, abs=0.01)  # the first fetch keeps 15; three 304s stretch it
    expected_due = NOW + timedelta(hours=3) + timedelta(minutes=15 * 1.5**3)
    assert abs((due - expected_due).total_seconds()) < 1

    monkeypatch.setenv("NKRU_DATABASE_URL", db_url)
    out = CliRunner().invoke(main, ["feeds", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)[0]["poll_minutes"] == pytest.approx(50.62, abs=0.01)
    table = CliRunner().invoke(main, ["feeds"], env={"COLUMNS": "250"})
    assert "every" in table.output and "51m" in table.output


def test_lying_validators_are_caught_within_a_day(db, hosts):
    server = hosts[0]
    server.set_content("liar.xml", feed("First story"))
    settings = settings_for({"liar": server.url("liar.xml")}, interval_minutes=15)

    def run(at: datetime, run_id: str) -> list[dict]:
        batches = pipeline.plan_batches(db, settings, at, due_only=False)
        for batch in batches:
            pipeline.ingest_batch(db, settings, batch, run_id, now=at)
        return [r for b in batches for r in b]

    run(NOW, "run-1")  # 200, validators stored
    server.set_content("liar.xml", feed("First story", "Second story"))
    server.lie_not_modified("liar.xml")
    sent = run(NOW + timedelta(hours=1), "run-2")  # conditional: the lie is believed
    assert sent[0]["etag"] and not sent[0]["check_validators"]
    with db, db.cursor() as cur:
        cur.execute("SELECT count(*) FROM articles")
        assert cur.fetchone()[0] == 1

    sent = run(NOW + timedelta(hours=25), "run-3")  # a day on: 304, then the same fetch without validators
    assert sent[0]["check_validators"]
    assert [h.status for h in server.hits("liar.xml")][-2:] == [304, 200]
    with db, db.cursor() as cur:
        cur.execute("SELECT count(*) FROM articles")
        assert cur.fetchone()[0] == 2
        cur.execute("SELECT validators_ignored_since, validators_note FROM feeds WHERE name = 'liar'")
        since, note = cur.fetchone()
    assert since == NOW + timedelta(hours=25) and "found 1 new item(s)" in note

    sent = run(NOW + timedelta(hours=26), "run-4")  # from now on: no validators sent
    assert sent[0]["etag"] is None and sent[0]["last_modified"] is None
    assert "if-none-match" not in server.hits("liar.xml")[-1].headers


def test_honest_validators_are_kept_after_the_daily_check(db, hosts):
    server = hosts[0]
    server.set_content("honest.xml", feed("Only story"))
    settings = settings_for({"honest": server.url("honest.xml")})
    for run, at in enumerate([NOW, NOW + timedelta(hours=25), NOW + timedelta(hours=26)]):
        for batch in pipeline.plan_batches(db, settings, at, due_only=False):
            pipeline.ingest_batch(db, settings, batch, f"run-{run}", now=at)
    assert server.statuses("honest.xml") == [200, 304, 200, 304]  # the check costs one extra request a day
    with db, db.cursor() as cur:
        cur.execute("SELECT validators_ignored_since, validators_checked_at FROM feeds")
        assert cur.fetchone() == (None, NOW + timedelta(hours=25))
