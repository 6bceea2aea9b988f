"""`nkru demo`: a first look without internet access.

Serves the bundled sample feeds on 127.0.0.1 and runs one pass of the real pipeline over them into the configured
news database: `config/demo_feeds/` (the latest hours) and, unless another directory is given, eight weeks of
history in five languages from nine outlets generated from `config/demo_history.yaml` (nkru.edge.demo_history), so
trends, rising entities, pairs, co-occurrence, the stories search and the digest have something to show. All of
it was written for nkru; none of it is real news. It ends with the UI addresses of a story to open (those of the
running `make run`, found as nkru.edge.resources finds it) and when the alerts it queued will be mailed.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

from nkru import pipeline, pipeline_process, store
from nkru.clock import utcnow
from nkru.config import FeedConfig, FetchConfig, Settings, load_settings
from nkru.edge import resources
from nkru.paths import project_root
from nkru.store import trends as trend_store


def demo_feeds_dir() -> Path:
    return project_root() / "config" / "demo_feeds"


def recent_dates(xml: str, now: datetime) -> str:
    """Rewrite RSS `<pubDate>` and Atom `<updated>` values to one, two, three ... hours before `now`."""
    hours = iter(range(1, 10_000))

    def rss(_: re.Match) -> str:
        return f"<pubDate>{format_datetime(now - timedelta(hours=next(hours)))}</pubDate>"

    def atom(_: re.Match) -> str:
        return f"<updated>{(now - timedelta(hours=next(hours))).isoformat()}</updated>"

    return re.sub(r"<updated>[^<]+</updated>", atom, re.sub(r"<pubDate>[^<]+</pubDate>", rss, xml))


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve `directory` over HTTP on a free loopback port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep the demo's output readable
        pass


def run_demo(conn: store.Connection, feeds_dir: Path | None) -> str:
    """Run one pipeline pass over the demo feeds; returns a one-line summary."""
    source = feeds_dir or demo_feeds_dir()
    base_settings = load_settings()
    with tempfile.TemporaryDirectory() as staging:
        now = utcnow()
        feeds = {f"demo-{p.stem}": (p.name, None) for p in sorted(source.glob("*.xml"))}
        for path in sorted(source.glob("*.xml")):
            (Path(staging) / path.name).write_text(recent_dates(path.read_text(encoding="utf-8"), now), "utf-8")
        if feeds_dir is None:
            feeds.update(_stage_history(Path(staging), now))
        with serve_directory(Path(staging)) as base_url:
            settings = _demo_settings(base_settings, base_url, feeds)
            demo_names = {f.name for f in settings.feeds} - {f.name for f in base_settings.feeds}
            batch = [
                request
                for planned in pipeline.plan_batches(conn, settings, now, due_only=False)
                for request in planned
                if request["feed_name"] in demo_names
            ]
            report = pipeline.ingest_batch(conn, settings, batch, run_id=f"demo:{now.isoformat()}")
    processed = pipeline_process.process_pending(conn, settings)
    trend_store.refresh_daily(conn)  # so psql users, the UI and the digest see the history at once
    summary = (
        f"demo: {report.feeds} feeds, {report.items} items, {report.new_articles} new articles, "
        f"{processed.articles} relevant articles processed into {len(processed.stories)} stories"
    )
    return "\n".join([summary, *story_to_open(conn, now)])


def ui_url() -> tuple[str, bool]:
    """The Airflow UI of the running `make run` and True, or where `make run` will serve it and False."""
    running = resources.running_launcher()
    if running and running.get("ui_url"):
        return running["ui_url"], True
    return f"http://127.0.0.1:{os.environ.get('NKRU_AIRFLOW_PORT', '8080')}", False


def story_to_open(conn: store.Connection, now: datetime, search: str = "Шойгу") -> list[str]:
    """Lines naming the past week's most widely carried story and its page in the UI, and a search to try."""
    with conn, conn.cursor() as cur:
        cur.execute(
            """
            SELECT s.id, s.title, count(DISTINCT af.feed_id) AS outlets, count(DISTINCT a.language) AS languages
            FROM stories s
            JOIN articles a ON a.story_id = s.id
            JOIN article_feeds af ON af.article_id = a.id
            WHERE s.merged_into IS NULL AND s.published_at >= %s
            GROUP BY s.id, s.title
            ORDER BY outlets DESC, languages DESC, s.published_at DESC
            LIMIT 1
            """,
            (now - timedelta(days=7),),
        )
        top = store.dict_rows(cur)
    if not top:
        return []
    base, running = ui_url()
    story = top[0]
    where = "log in with the banner's user and password" if running else "start `make run` first"
    return [
        f"open a story ({where}): {base}/nkru/stories/{story['id']}",
        f'  "{story["title"]}": {story["outlets"]} outlets in {story["languages"]} languages, who was first',
        f"search a name in any script: {base}/nkru/stories?q={quote(search)}",
    ]


def alerts_note(conn: store.Connection, settings: Settings, now: datetime, sent_now: int | None) -> list[str]:
    """When the alerts the demo queued will be mailed, in words: instant ones by the next ingest run (or now,
    when `sent_now` says they were sent), digest ones at the next 06:00 UTC or on `nkru digest --send-now`."""
    from nkru.store import outbox as outbox_store

    with conn, conn.cursor() as cur:
        instant = outbox_store.count_pending(cur, "instant")
        digest = outbox_store.count_pending(cur, "digest")
    lines = []
    if sent_now is not None:
        lines.append(f"alerts: {sent_now} instant alert e-mail(s) sent now; {instant} still pending")
    elif instant:
        running = resources.running_launcher()
        if running:
            caught = f" (caught in {running['mail_dir']})" if running.get("mail_dir") else ""
            when = (
                f"the running `make run` mails them{caught} with its next nkru_ingest run, within 15 minutes "
                "(or trigger nkru_ingest in the UI now)"
            )
        else:
            when = "the next nkru_ingest run of `make run` mails them, or set NKRU_SMTP_URL and run `nkru demo` again"
        lines.append(f"alerts: {instant} instant alert e-mail(s) queued; {when}")
    if digest:
        six = datetime.combine(now.date(), datetime.min.time(), UTC) + timedelta(hours=6)
        next_digest = six if six > now else six + timedelta(days=1)
        wait = next_digest - now
        lines.append(
            f"digest: {digest} stor{'y' if digest == 1 else 'ies'} wait for the daily digest, mailed by nkru_digest at "
            f"{next_digest:%Y-%m-%d %H:%M} UTC (in {wait.seconds // 3600} h {wait.seconds % 3600 // 60:02d} min); "
            "see it now: `nkru digest --preview digest.html`, send it now: `nkru digest --send-now`"
        )
    return lines


def _stage_history(staging: Path, now: datetime) -> dict[str, tuple[str, str | None]]:
    """Write the eight weeks of demo history as RSS files; {feed name: (file name, language)}."""
    from nkru.edge import demo_history

    data = demo_history.load()
    outlets = demo_history.sources(data)
    files = demo_history.write_feeds(outlets, demo_history.items(data, now), staging)
    return {s.name: (files[s.name], s.language) for s in outlets}


def _demo_settings(base: Settings, base_url: str, feeds: dict[str, tuple[str, str | None]]) -> Settings:
    """The user's settings plus the demo feeds (and loopback allowed). The real feeds stay in the list so
    they are not disabled; only the demo feeds are fetched. The next scheduled run disables the demo feeds."""
    demo = [
        FeedConfig(name=name, url=f"{base_url}/{file}", language=language) for name, (file, language) in feeds.items()
    ]
    fetch = FetchConfig(**{**base.fetch.model_dump(), "allow_private_addresses": True})
    return base.model_copy(update={"feeds": base.feeds + demo, "fetch": fetch})
