"""Articles as stored from feeds over time: an outlet that edits a headline after publication."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from nkru import pipeline
from nkru.config import FeedConfig, parse_settings
from tests.feedserver import FeedServer

NOW = datetime.now(UTC).replace(microsecond=0)
SUMMARY = (
    "Russian Security Council secretary Sergei Shoigu held talks with North Korean leader Kim Jong Un in "
    "Pyongyang on Monday, KCNA said, as Moscow and Pyongyang deepen military cooperation."
)
FIRST = "Shoigu meets Kim Jong Un in Pyongyang"
EDITED = "Shoigu meets Kim Jong Un in Pyongyang to discuss military cooperation"


def rss(title: str, link: str = "https://wire.example.org/asia/shoigu-kim", guid: str = "wire-1001") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example.org/</link><language>en</language>
<item><title>{escape(title)}</title><link>{escape(link)}</link><guid isPermaLink="false">{guid}</guid>
<pubDate>{format_datetime(NOW - timedelta(hours=1))}</pubDate><description>{escape(SUMMARY)}</description></item>
</channel></rss>""".encode()


def ingest(conn, server: FeedServer, feeds: list[str], run_id: str) -> None:
    base = parse_settings("fetch: {allow_private_addresses: true, timeout_seconds: 5}")
    settings = base.model_copy(update={"feeds": [FeedConfig(name=n, url=server.url(f"{n}.xml")) for n in feeds]})
    for batch in pipeline.plan_batches(conn, settings, NOW, due_only=False):
        pipeline.ingest_batch(conn, settings, batch, run_id, now=NOW)


def stored(conn) -> list[tuple[str, str, str]]:
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url, title, first_title FROM articles ORDER BY id")
        return cur.fetchall()


def test_a_headline_edited_by_the_outlet_is_stored_and_the_first_one_kept(db):
    url = "https://wire.example.org/asia/shoigu-kim"
    with FeedServer() as server:
        server.set_content("/wire.xml", rss(FIRST))
        ingest(db, server, ["wire"], "run-1")
        assert stored(db) == [(url, FIRST, FIRST)]

        server.set_content("/wire.xml", rss(EDITED))
        ingest(db, server, ["wire"], "run-2")
        assert stored(db) == [(url, EDITED, FIRST)]

        # A copy in another feed under its own headline is not an edit by the outlet.
        server.set_content("/mirror.xml", rss("Russia's Shoigu in North Korea again", guid="mirror-77"))
        ingest(db, server, ["wire", "mirror"], "run-3")
        assert stored(db) == [(url, EDITED, FIRST)]

        # Edited once more and moved to another link under the same guid: still the same article.
        server.set_content("/wire.xml", rss(EDITED + " (update)", link=url + "-updated"))
        ingest(db, server, ["wire", "mirror"], "run-4")
        assert stored(db) == [(url, EDITED + " (update)", FIRST)]
