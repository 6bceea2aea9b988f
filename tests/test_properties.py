"""Property-based tests (Hypothesis) over feed items: any title, summary, link, guid and date, in any of
several encodings, with any Unicode (controls, NUL, C1, lone surrogates, RFC 2047 encoded-words, markup)
written raw or as character references, go through parse → score → store → mail → terminal and chart.

What must hold for every example:
* nothing raises;
* every item of the feed is stored or skipped with a stated reason (none silently lost);
* nothing stored, printed, drawn or put in a mail header carries a control character;
* a mail header never holds feed text unencoded: its raw bytes are printable ASCII, and the message has
  exactly our headers and MIME parts.

The examples are derandomized (a fixed sequence), so the tests cannot pass or fail by the day. Together they
run 1,100 examples (about 1,400 feeds); the feed server and the database are started once per module.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.utils import format_datetime
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rich.console import Console

from nkru import pipeline, store
from nkru.config import FeedConfig, parse_settings
from nkru.edge.cli.common import print_json, terminal_text
from nkru.edge.cli.search import _print_stories
from nkru.feeds import FetchResult, parse_feed
from nkru.mail.render import render_alert
from nkru.store import feeds as feed_store
from nkru.store.outbox import StoryItem
from nkru.trends import charts, tables
from nkru.untrusted import has_controls
from tests.databases import create_database, drop_database
from tests.feedserver import FeedServer

PROPERTY = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
OUR_HEADERS = {"subject", "from", "to", "date", "message-id", "auto-submitted", "mime-version", "content-type"}
ENCODINGS = ("utf-8", "utf-16", "windows-1251", "koi8-r", "iso-8859-1", "shift_jis", "euc-kr")
NOW = datetime.now(UTC)

# Pieces the red team used, mixed into arbitrary text so that the examples hit them often.
HOSTILE = [
    "=?utf-8?b?DQpCY2M6IHhAZXZpbC5leGFtcGxl?=",
    "=?utf-8?q?=0D=0AReply-To:_x@evil.example?=",
    "\r\nBcc: x@evil.example\r\n",
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\x9b31m",
    "\x00",
    "\ud800",
    "\udfff",
    "[/bold]",
    "$x$",
    "<script>alert(1)</script>",
    "Korea North Russia Pyongyang Moscow",
    "Ким Чен Ын Путин",
    "북한 러시아",
    "\u2028",
    "\x85",
]
ANY_CHAR = st.characters(exclude_categories=())  # every code point, surrogates and controls included
TEXT = st.lists(st.one_of(st.text(ANY_CHAR, max_size=12), st.sampled_from(HOSTILE)), max_size=6).map("".join)


@st.composite
def feed_items(draw: st.DrawFn) -> dict:
    """One item's fields, and how the feed writes its special characters (raw or `&#N;`)."""
    return {
        "title": draw(TEXT),
        "summary": draw(TEXT),
        "link": draw(st.one_of(TEXT, st.text("abc/?=&%#:@ .-", max_size=20))),
        "guid": draw(TEXT),
        "date": draw(
            st.one_of(
                st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)).map(format_datetime),
                st.just(format_datetime(NOW - timedelta(hours=1))),
                TEXT,
            )
        ),
        "refs": draw(st.booleans()),
    }


FEEDS = st.tuples(st.lists(feed_items(), min_size=1, max_size=4), st.sampled_from(ENCODINGS), st.booleans())


def xml_text(text: str, as_refs: bool) -> str:
    """Text as XML content or attribute value: markup escaped; controls and surrogates raw, or as `&#N;`."""
    text = escape(text, {'"': "&quot;"})
    if as_refs:
        text = "".join(f"&#{ord(c)};" if has_controls(c) else c for c in text)
    return text


def feed_bytes(items: list[dict], encoding: str, atom: bool, serial: int) -> bytes:
    """A whole RSS or Atom document. Links and guids get the example's serial number, so an example never
    meets an item stored by an earlier one."""
    entries = []
    for item in items:
        refs = item["refs"]
        link = f"https://h{serial}.example.org/{item['link']}"
        guid, title, summary = f"{serial}-{item['guid']}", item["title"], item["summary"]
        if atom:
            entries.append(
                f'<entry><title>{xml_text(title, refs)}</title><link href="{xml_text(link, refs)}"/>'
                f"<id>{xml_text(guid, refs)}</id><updated>{xml_text(item['date'], refs)}</updated>"
                f"<summary>{xml_text(summary, refs)}</summary></entry>"
            )
        else:
            entries.append(
                f"<item><title>{xml_text(title, refs)}</title><link>{xml_text(link, refs)}</link>"
                f"<guid isPermaLink='false'>{xml_text(guid, refs)}</guid>"
                f"<pubDate>{xml_text(item['date'], refs)}</pubDate>"
                f"<description>{xml_text(summary, refs)}</description></item>"
            )
    if atom:
        body = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>p</title>{"".join(entries)}</feed>'
    else:
        body = f'<rss version="2.0"><channel><title>p</title>{"".join(entries)}</channel></rss>'
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'
    return (declaration + body).encode(encoding, "xmlcharrefreplace")


def assert_no_controls(*texts: str) -> None:
    for text in texts:
        assert not has_controls(text), repr(text)


def assert_headers_hold(title: str, summary: str, url: str, source: str, entities: tuple[str, ...]) -> None:
    """The alert e-mail of a story with these fields: only our headers, printable ASCII, our two parts."""
    story = StoryItem(
        story_id=1,
        article_id=1,
        title=title,
        url=url,
        summary=summary,
        source=source,
        published_at=NOW,
        score=1.0,
        reason="test",
        matched_terms=("russia",),
        entities=entities,
        other_outlets=(source,),
    )
    msg = render_alert(
        story, rule="r", terms=["korea"], sender="n@example.org", recipient="a@example.org", message_id="<m@n>", now=NOW
    )
    raw = msg.as_bytes()
    head = raw.split(b"\n\n", 1)[0]
    assert all(b == 0x09 or b == 0x0A or 0x20 <= b <= 0x7E for b in head), head
    names = {line.split(b":", 1)[0].decode().lower() for line in head.split(b"\n") if line[:1] not in (b" ", b"\t")}
    assert names == OUR_HEADERS, names
    again = message_from_bytes(raw, policy=policy.default)
    assert [p.get_content_type() for p in again.walk()] == ["multipart/alternative", "text/plain", "text/html"]
    assert not has_controls(str(again["Subject"]).replace("\n", "\x00"))
    for part in again.walk():
        if not part.is_multipart():
            assert_no_controls(part.get_content().replace("\r", ""))


def printed(func, *args) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        func(*args)
    return out.getvalue()


# ------------------------------------------------------------------------------- parse → score → store → out


FEEDS_PER_BATCH = 3


@pytest.fixture(scope="module")
def loop(migrated_template):
    """One database, one feed server and three feed rows for every example of the module."""
    url = create_database(template=migrated_template)
    with store.connection(url) as conn, FeedServer() as server:
        # One loopback host for every example: no per-host gap (politeness is tested in test_politeness.py).
        base = parse_settings("fetch: {allow_private_addresses: true, timeout_seconds: 5, per_host_delay_seconds: 0}")
        feeds = [FeedConfig(name=f"prop{n}", url=f"http://127.0.0.1/prop{n}.xml") for n in range(FEEDS_PER_BATCH)]
        cfg = base.model_copy(update={"feeds": feeds})
        with conn, conn.cursor() as cur:
            feed_store.sync_feeds(cur, cfg.feeds)
        yield conn, server, cfg, itertools.count(1)
    drop_database(url)


@settings(PROPERTY, max_examples=150)
@given(batch=st.lists(FEEDS, min_size=1, max_size=FEEDS_PER_BATCH))
def test_any_feed_is_stored_or_skipped_with_a_reason_and_shown_clean(loop, batch):
    """A batch of one to three feeds, each served on loopback, through `ingest_batch` as the DAG runs it."""
    conn, server, cfg, serials = loop
    requests, expected = [], {}
    for n, (items, encoding, atom) in enumerate(batch):
        serial = next(serials)
        server.set_content(f"/f{serial}.xml", feed_bytes(items, encoding, atom, serial))
        requests.append(
            {"feed_name": f"prop{n}", "url": server.url(f"f{serial}.xml"), "etag": None, "last_modified": None}
        )
        expected[serial] = len(items)

    report = pipeline.ingest_batch(conn, cfg, requests, f"run-{min(expected)}")

    assert report.feeds == len(batch)
    assert all(error.strip() for error in report.errors.values())
    assert all(reason.strip() for reason in report.skipped)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT fl.items_found, fl.items_new, fl.items_skipped, fl.error, fl.status FROM fetch_log fl"
            " JOIN feeds f ON f.id = fl.feed_id WHERE fl.run_id = %s ORDER BY f.name",
            (f"run-{min(expected)}",),
        )
        logged = cur.fetchall()
    assert len(logged) == len(batch)
    for (found, new, skipped, error, status), items in zip(logged, expected.values(), strict=True):
        event(f"feed {status}, {'some' if new else 'no'} articles stored")
        if status != "ok":
            assert error and error.strip()  # the feed failed as a whole, with its reason
            continue
        assert found == items and new + skipped == items, (found, new, skipped, error)
    for serial in expected:
        _check_stored(conn, serial)


def _check_stored(conn, serial: int) -> None:
    """Every article one feed stored: clean text, a mail with only our headers, clean terminal output."""
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT title, summary, url, guid, published_at, score, matched_terms, language FROM articles"
            " WHERE url LIKE %s ORDER BY id",
            (f"https://h{serial}.example.org/%",),
        )
        rows = cur.fetchall()
    for title, summary, url, guid, published_at, score, terms, language in rows:
        assert_no_controls(title, summary, url, guid)
        assert_headers_hold(title, summary, url, "prop", (title[:40],))
        row = {
            "title": title,
            "published_at": published_at,
            "source": "prop",
            "display_name": f"Prop {title[:20]}",
            "language": language,
            "other_outlets": 0,
            "score": score,
            "url": url,
            "matched_terms": terms,
            "entities": [summary[:30]],
            "coverage": f"First reported by {title[:20]}",
            "reports": [
                {
                    "source": "prop",
                    "display_name": title[:20],
                    "url": url,
                    "language": language,
                    "published_at": published_at,
                }
            ]
            * 2,
        }
        terminal = printed(_print_stories, [row]) + printed(print_json, [row])
        assert_no_controls(terminal)


@settings(PROPERTY, max_examples=600)
@given(feed=FEEDS)
def test_any_feed_parses_to_clean_bounded_items(feed):
    """The parser alone, in memory: every entry is kept or skipped with a reason, and kept ones are clean."""
    items, encoding, atom = feed
    body = feed_bytes(items, encoding, atom, 0)
    result = FetchResult("p", "https://p.example.org/f.xml", "ok", 200, body, {}, None, None, None, 1, NOW)
    parsed = parse_feed(result)
    event("error" if parsed.error else f"{'some' if parsed.items else 'no'} items kept")
    if parsed.error:
        assert parsed.error.strip()
        return
    assert len(parsed.items) + sum(parsed.skipped.values()) == len(items), parsed
    for item in parsed.items:
        assert_no_controls(item.title, item.summary, item.url, item.guid)
        assert item.url.startswith(("http://", "https://")) and len(item.title) <= 500
        assert item.published_at.tzinfo is not None


@settings(PROPERTY, max_examples=300)
@given(title=TEXT, summary=TEXT, source=TEXT, entity=TEXT, url=TEXT)
def test_any_text_in_an_alert_leaves_the_headers_alone(title, summary, source, entity, url):
    """Even text stored before normalisation (controls, surrogates, encoded-words) cannot break a header."""
    assert_headers_hold(title, summary, url, source, (entity,))


@settings(PROPERTY, max_examples=50)
@given(name=TEXT, label=TEXT, feed=TEXT, chart=st.sampled_from(["trend", "rising", "cooccur"]))
def test_any_name_makes_a_clean_table_and_a_valid_svg(name, label, feed, chart):
    """Entity and feed names as the trend commands show them: no control character in the table, and the
    chart is well-formed XML (matplotlib would also read a "$" as the start of a formula)."""
    day = NOW.date()
    rows = [{"period": day - timedelta(days=i), "articles": i, "mentions": i} for i in range(3)]
    rising = [{"entity": name, "label": label, "recent": 3, "expected": 1.0, "score": 1.0, "daily": [0, 1, 3]}]
    out = io.StringIO()
    printer = Console(file=out, width=120, color_system=None)
    printer.print(tables.trend_table(name, label, rows, "day", day - timedelta(days=2), day))
    printer.print(tables.rising_table(rising, 7, 28))
    assert_no_controls(out.getvalue(), terminal_text(name), terminal_text(feed, markup=True))
    cooccur = [{"entity": name, "label": label, "articles": 2, "share": 0.5, "entity_articles": 4}]
    figure = {
        "trend": lambda: charts.trend_chart(rows, name),
        "rising": lambda: charts.rising_chart(rising),
        "cooccur": lambda: charts.cooccur_chart(cooccur, feed),
    }[chart]()
    ET.fromstring(charts.render(figure, "svg"))  # raises unless well-formed
