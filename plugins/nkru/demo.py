"""`nkru demo`: a first look without internet access.

Serves the bundled sample feeds (`config/demo_feeds/`, written for nkru, not real news) on 127.0.0.1 and
runs one pass of the real pipeline over them into the configured news database. Their dates are moved to
the last few hours so they show up under `--since 7d`.
"""

from __future__ import annotations

import functools
import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from nkru import pipeline, store
from nkru.config import FeedConfig, FetchConfig, Settings, load_settings
from nkru.paths import project_root


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
        now = datetime.now(UTC)
        for path in sorted(source.glob("*.xml")):
            (Path(staging) / path.name).write_text(recent_dates(path.read_text(encoding="utf-8"), now), "utf-8")
        with serve_directory(Path(staging)) as base_url:
            settings = _demo_settings(base_settings, base_url, sorted(p.name for p in source.glob("*.xml")))
            demo_names = {f.name for f in settings.feeds} - {f.name for f in base_settings.feeds}
            batch = [
                request
                for planned in pipeline.plan_batches(conn, settings, now, due_only=False)
                for request in planned
                if request["feed_name"] in demo_names
            ]
            report = pipeline.ingest_batch(conn, settings, batch, run_id=f"demo:{now.isoformat()}")
    processed = pipeline.process_pending(conn, settings)
    return (
        f"demo: {report.feeds} feeds, {report.items} items, {report.new_articles} new articles, "
        f"{processed.articles} relevant articles processed into {len(processed.stories)} stories"
    )


def _demo_settings(base: Settings, base_url: str, files: list[str]) -> Settings:
    """The user's settings plus the demo feeds (and loopback allowed). The real feeds stay in the list so
    they are not disabled; only the demo feeds are fetched. The next scheduled run disables the demo feeds."""
    feeds = [FeedConfig(name=f"demo-{Path(f).stem}", url=f"{base_url}/{f}") for f in files]
    fetch = FetchConfig(**{**base.fetch.model_dump(), "allow_private_addresses": True})
    return base.model_copy(update={"feeds": base.feeds + feeds, "fetch": fetch})
