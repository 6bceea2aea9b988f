"""Parsing and normalising feeds fetched from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from nkru.config import FetchConfig
from nkru.feeds import FetchRequest, FetchResult, Item, ParsedFeed, canonical_url, fetch_feeds, parse_feed
from tests.feedserver import FeedServer

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
SETTINGS = FetchConfig(allow_private_addresses=True, timeout_seconds=5)
_adhoc = itertools.count()


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer(FIXTURES) as srv:
        yield srv


@pytest.fixture(scope="module")
def fixtures(server: FeedServer) -> dict[str, ParsedFeed]:
    """Every fixture feed, fetched over HTTP and parsed, by file name."""
    names = sorted(p.name for p in FIXTURES.glob("*.xml"))
    results = fetch_feeds([FetchRequest(n, server.url(n)) for n in names], SETTINGS)
    assert all(r.status == "ok" for r in results)
    return {r.feed_name: parse_feed(r, default_language="en") for r in results}


def fetched(server: FeedServer, body: bytes, content_type: str = "application/rss+xml") -> FetchResult:
    """Serve `body` at a fresh path and fetch it, as the pipeline would."""
    path = f"adhoc/{next(_adhoc)}.xml"
    server.set_content(path, body, content_type=content_type)
    return fetch_feeds([FetchRequest("adhoc", server.url(path))], SETTINGS)[0]


def parsed(server: FeedServer, body: bytes, content_type: str = "application/rss+xml", **kwargs: object) -> ParsedFeed:
    return parse_feed(fetched(server, body, content_type), **kwargs)  # type: ignore[arg-type]


def rss(*items: str, channel: str = "") -> bytes:
    """An RSS 2.0 document with a channel titled "T" and these items (inner XML of each <item>)."""
    inner = "".join(f"<item>{item}</item>" for item in items)
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
    return f"{head}<channel><title>T</title>{channel}{inner}</channel></rss>".encode()


def by_title(feed: ParsedFeed, start: str) -> Item:
    [item] = [i for i in feed.items if i.title.startswith(start)]
    return item


# -- canonical URLs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://news.example/a?utm_source=rss&utm_medium=feed&id=7&fbclid=x&gclid=y&b=2",
            "https://news.example/a?id=7&b=2",
        ),
        (
            "https://news.example/a?yclid=1&mc_cid=2&mc_eid=3&ref=home&rss=1&cmpid=4&ocid=5&_ga=6",
            "https://news.example/a",
        ),
        ("https://news.example/a?UTM_Campaign=x&q=kim%20jong%20un", "https://news.example/a?q=kim%20jong%20un"),
        ("HTTPS://News.EXAMPLE:443/Story#comments", "https://news.example/Story"),
        ("http://news.example:80", "http://news.example/"),
        ("http://news.example:8080/a", "http://news.example:8080/a"),
        ("https://user:secret@news.example/a", "https://news.example/a"),
        ("  https://news.example/a  ", "https://news.example/a"),
        ("ftp://news.example/a", None),
        ("javascript:alert(1)", None),
        ("mailto:desk@news.example", None),
        ("https://news.example:99999/a", None),
        ("", None),
    ],
)
def test_canonical_url(url: str, expected: str | None) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_resolves_relative_links_against_the_feed() -> None:
    base = "https://news.example/feeds/asia/rss.xml"
    assert canonical_url("/story/1?ref=rss", base) == "https://news.example/story/1"
    assert canonical_url("story/2", base) == "https://news.example/feeds/asia/story/2"
    assert canonical_url("//cdn.example/x", base) == "https://cdn.example/x"


# -- the fixture feeds ----------------------------------------------------------------------------------------


def test_rss2_items_are_normalised(fixtures: dict[str, ParsedFeed]) -> None:
    feed = fixtures["kcna_watch_rss2.xml"]
    lavrov = by_title(feed, "Lavrov arrives in Pyongyang")

    assert feed.title == "KCNA Watch (test fixture)"
    assert feed.error is None and feed.warning is None
    assert lavrov.guid == "kcnawatch-2025-0711-001"
    assert lavrov.url == "https://kcnawatch.example/newstream/lavrov-pyongyang-choe-son-hui/"
    assert lavrov.published_at == datetime(2025, 7, 11, 0, 30, tzinfo=UTC)
    assert lavrov.language == "en"


def test_summary_is_plain_text_without_scripts(fixtures: dict[str, ParsedFeed]) -> None:
    summary = by_title(fixtures["kcna_watch_rss2.xml"], "Lavrov arrives").summary

    assert summary.startswith("Russian Foreign Minister Sergei Lavrov arrived in Pyongyang on Friday")
    assert "strategic partnership & cooperation." in summary
    assert "“warm, comradely”" in summary
    assert "<" not in summary and "document.write" not in summary and "color: red" not in summary
    assert "  " not in summary and "\n" not in summary


def test_link_is_canonical(fixtures: dict[str, ParsedFeed]) -> None:
    shoigu = by_title(fixtures["kcna_watch_rss2.xml"], "Shoigu meets Kim Jong Un")
    assert shoigu.url == "https://kcnawatch.example/newstream/shoigu-kim-jong-un/?page=2"


def test_relative_link_resolves_against_the_feed_url(fixtures: dict[str, ParsedFeed], server: FeedServer) -> None:
    bridge = by_title(fixtures["kcna_watch_rss2.xml"], "Work starts on the Rason–Khasan road bridge")

    assert bridge.url == server.url("newstream/rason-khasan-road-bridge/")
    assert bridge.guid == bridge.url  # no <guid>: the link is the id


def test_item_without_title_takes_one_from_its_summary(fixtures: dict[str, ParsedFeed]) -> None:
    greetings = next(i for i in fixtures["kcna_watch_rss2.xml"].items if "russia-day" in i.url)

    assert greetings.summary.startswith("Kim Jong Un sent a message of greetings to Vladimir Putin on Russia Day")
    assert greetings.title.startswith("Kim Jong Un sent a message of greetings")
    assert greetings.title.endswith("…") and len(greetings.title) <= 121
    assert greetings.summary.startswith(greetings.title[:-1])


def test_unusable_items_are_skipped_with_reasons(fixtures: dict[str, ParsedFeed]) -> None:
    feed = fixtures["kcna_watch_rss2.xml"]

    assert feed.skipped == {
        "no link": 1,
        "no title or text": 1,
        "date in the future": 1,
        "date before 1990": 1,
        "duplicate in feed": 1,
    }
    assert len(feed.items) == 6
    assert not any("(updated)" in i.title or "2099" in i.url for i in feed.items)


def test_syndicated_story_has_the_same_url_in_both_feeds(fixtures: dict[str, ParsedFeed]) -> None:
    title = "North Korean troops fought in Kursk, Moscow and Pyongyang confirm"
    rss_item = by_title(fixtures["kcna_watch_rss2.xml"], title)
    atom_item = by_title(fixtures["wire_atom.xml"], title)

    assert rss_item.url == atom_item.url == "https://nkwire.example/2025/04/28/kpa-troops-kursk"
    assert rss_item.guid != atom_item.guid


def test_atom_entries(fixtures: dict[str, ParsedFeed]) -> None:
    feed = fixtures["wire_atom.xml"]
    belousov = by_title(feed, "Belousov holds talks")
    choe = by_title(feed, "Choe Son Hui meets Putin")
    kalma = by_title(feed, "Russian tourists return")

    assert len(feed.items) == 8 and feed.skipped == {}
    assert belousov.guid == "tag:nkwire.example,2024:belousov-1130"
    assert belousov.summary.startswith("Russian Defence Minister Andrei Belousov met Kim Jong Un")
    assert belousov.published_at == datetime(2024, 11, 29, 23, 0, tzinfo=UTC)  # <published>, not <updated>
    assert choe.published_at == datetime(2024, 11, 4, 15, 0, tzinfo=UTC)  # only <updated>
    assert kalma.summary.startswith("The first group of Russian tourists")  # from <content>
    assert {i.language for i in feed.items} == {"en", "ru"}


def test_item_language_overrides_the_feed_language(fixtures: dict[str, ParsedFeed]) -> None:
    assert by_title(fixtures["wire_atom.xml"], "Лавров").language == "ru"  # xml:lang="ru-RU" on the entry
    multilingual = fixtures["multilingual_utf8.xml"]
    assert by_title(multilingual, "Лавров и Чхве Сон Хи").language == "ru"  # <dc:language>ru-RU
    assert by_title(multilingual, "김정은").language == "ko"  # the channel's ko-KR


def test_rdf_feed(fixtures: dict[str, ParsedFeed]) -> None:
    feed = fixtures["moscow_rdf.xml"]
    treaty = by_title(feed, "Putin signs law ratifying")

    assert len(feed.items) == 4
    assert treaty.url == "https://moscowdesk.example/2024/11/09/treaty-ratified?from=rdf"
    assert treaty.published_at == datetime(2024, 11, 9, 9, 0, tzinfo=UTC)


def test_utf8_korean_and_russian(fixtures: dict[str, ParsedFeed]) -> None:
    titles = [i.title for i in fixtures["multilingual_utf8.xml"].items]
    assert titles[:2] == [
        "김정은, 평양에서 라브로프 러시아 외무장관 접견",
        "Лавров и Чхве Сон Хи провели переговоры в Вонсане",
    ]


def test_windows_1251_declared_in_the_prolog(fixtures: dict[str, ParsedFeed]) -> None:
    feed = fixtures["tass_cp1251.xml"]
    assert feed.title == "ТАСС — Азия (test fixture)"
    assert feed.items[0].title == "Шойгу встретился с Ким Чен Ыном в Пхеньяне"
    assert feed.items[0].url == "https://tass.example/politika/shoigu-kim-chen-yn"


def test_euc_kr_declared_in_the_prolog(fixtures: dict[str, ParsedFeed]) -> None:
    feed = fixtures["yonhap_euckr.xml"]
    assert feed.items[0].title == "북한군, 러시아 쿠르스크 전선에 투입"
    assert feed.items[0].summary.startswith("국가정보원은 러시아에 파병된 북한군이")
    assert feed.items[0].url == "https://yonhap.example/nk/20241218-kursk?input=rss"


def test_wrongly_declared_encoding_is_detected_and_reported(fixtures: dict[str, ParsedFeed]) -> None:
    feed = fixtures["mislabelled_encoding.xml"]
    assert feed.items[0].title == "Поезд из Пхеньяна прибыл во Владивосток"
    assert feed.warning == "wrong encoding declared, read as cp1251 instead"


def test_charset_from_the_content_type_header(server: FeedServer) -> None:
    body = rss("<title>Лавров в Пхеньяне</title><link>https://tass.example/1</link>").replace(
        b'<?xml version="1.0" encoding="utf-8"?>', b""
    )
    result = parsed(server, body.decode().encode("windows-1251"), "application/rss+xml; charset=windows-1251")
    assert result.items[0].title == "Лавров в Пхеньяне"
    assert result.warning is None  # read as declared, not repaired by guessing


def test_malformed_xml_keeps_items_with_a_warning(fixtures: dict[str, ParsedFeed]) -> None:
    feed = fixtures["broken_bozo.xml"]

    assert feed.error is None
    assert [i.title for i in feed.items] == [
        "Kozlov leads Russian delegation to Pyongyang intergovernmental commission",
        "Vladivostok port handles record container traffic",
        "Direct flights between Moscow and Pyongyang resume",
    ]
    assert feed.warning == "malformed XML (kept 3 items): mismatched tag at line 23"


# -- feeds that are not feeds ----------------------------------------------------------------------------------


def test_html_page_is_an_error(server: FeedServer) -> None:
    [result] = fetch_feeds([FetchRequest("moved", server.url("html"))], SETTINGS)
    feed = parse_feed(result)
    assert (feed.items, feed.error) == ([], "an HTML page, not a feed")


def test_empty_body_is_an_error(server: FeedServer) -> None:
    [result] = fetch_feeds([FetchRequest("empty", server.url("empty"))], SETTINGS)
    assert parse_feed(result).error == "empty response body"


def test_text_that_is_no_feed_is_an_error(server: FeedServer) -> None:
    feed = parsed(server, b"Service temporarily unavailable, try later.", "text/plain")
    assert feed.error is not None and feed.error.startswith("not a feed: ")


def test_failed_fetch_passes_its_reason_on_and_not_modified_is_no_error(server: FeedServer) -> None:
    gone, unchanged = fetch_feeds(
        [FetchRequest("gone", server.url("status/410")), FetchRequest("same", server.url("wire_atom.xml"), etag="*")],
        SETTINGS,
    )
    assert parse_feed(gone).error == "HTTP 410 Gone"
    assert unchanged.status == "not_modified"
    assert parse_feed(unchanged) == ParsedFeed(items=[], skipped={}, error=None, warning=None, title=None)


def test_empty_feed_is_no_error(server: FeedServer) -> None:
    feed = parsed(server, rss())
    assert (feed.items, feed.error, feed.title) == ([], None, "T")


# -- single rules ---------------------------------------------------------------------------------------------------


def test_duplicate_url_with_other_tracking_is_skipped(server: FeedServer) -> None:
    feed = parsed(
        server,
        rss(
            "<title>A</title><link>https://x.example/a?utm_source=one</link><guid isPermaLink='false'>1</guid>",
            "<title>A again</title><link>https://x.example/a?utm_source=two</link><guid isPermaLink='false'>2</guid>",
        ),
    )
    assert [i.guid for i in feed.items] == ["1"]
    assert feed.skipped == {"duplicate in feed": 1}


def test_missing_or_unreadable_dates_fall_back_to_the_fetch_time(server: FeedServer) -> None:
    result = fetched(
        server,
        rss(
            "<title>No date</title><link>https://x.example/1</link>",
            "<title>Bad date</title><link>https://x.example/2</link><pubDate>the day before yesterday</pubDate>",
        ),
    )
    feed = parse_feed(result)
    assert [i.published_at for i in feed.items] == [result.fetched_at, result.fetched_at]


def test_dates_up_to_a_day_ahead_are_kept(server: FeedServer) -> None:
    now = datetime.now(UTC)

    def item(name: str, hours_ahead: int) -> str:
        pub_date = format_datetime(now + timedelta(hours=hours_ahead))
        return f"<title>{name}</title><link>https://x.example/{name}</link><pubDate>{pub_date}</pubDate>"

    feed = parsed(server, rss(item("soon", 20), item("tomorrow-and-more", 26)))
    assert [i.title for i in feed.items] == ["soon"]
    assert feed.skipped == {"date in the future": 1}


def test_max_items(fixtures: dict[str, ParsedFeed], server: FeedServer) -> None:
    [result] = fetch_feeds([FetchRequest("kcna", server.url("kcna_watch_rss2.xml"))], SETTINGS)
    feed = parse_feed(result, max_items=2)

    assert [i.guid for i in feed.items] == [i.guid for i in fixtures["kcna_watch_rss2.xml"].items[:2]]
    assert feed.skipped["over the limit of 2 items"] == 4


def test_lengths_are_bounded(server: FeedServer) -> None:
    words = "Pyongyang " * 2000
    feed = parsed(
        server, rss(f"<title>{words}</title><link>https://x.example/1</link><description>{words}</description>")
    )
    item = feed.items[0]
    assert len(item.title) <= 500 and len(item.summary) <= 4000
    assert item.title.startswith("Pyongyang Pyongyang") and item.title.endswith("…")


@pytest.mark.parametrize(
    ("channel", "item", "default", "expected"),
    [
        ("<language>en-US</language>", "", None, "en"),
        ("<language>RU</language>", "", "en", "ru"),
        ("", "", "ko-KR", "ko"),
        ("", "", None, None),
        ("<language>not a language!</language>", "", "en", "en"),
        ("<language>en</language>", "<dc:language>ru_RU</dc:language>", None, "ru"),
    ],
)
def test_language(server: FeedServer, channel: str, item: str, default: str | None, expected: str | None) -> None:
    body = rss(f"<title>A</title><link>https://x.example/1</link>{item}", channel=channel).replace(
        b'<rss version="2.0">', b'<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    )
    assert parsed(server, body, default_language=default).items[0].language == expected


NASTY = {
    "binary noise": bytes(range(256)) * 50,
    "unclosed items": b"<rss version='2.0'><channel>" + b"<item><title>x" * 5000,
    "entity expansion": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;'
    b'&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><rss version="2.0"><channel><title>&c;'
    b"</title></channel></rss>",
    "bogus encoding": b'<?xml version="1.0" encoding="x-no-such-charset"?><rss version="2.0"><channel>'
    b"<item><title>t</title><link>http://x.example/</link></item></channel></rss>",
    "deep nesting": b"<rss version='2.0'><channel><item>" + b"<div>" * 20000 + b"</item></channel></rss>",
    "utf-16 without BOM": "<rss version='2.0'><channel><title>ʻ</title></channel></rss>".encode("utf-16-le"),
}


@pytest.mark.parametrize("name", NASTY)
def test_nothing_escapes_parse_feed(server: FeedServer, name: str) -> None:
    feed = parsed(server, NASTY[name], "application/xml")
    assert isinstance(feed, ParsedFeed)
    assert feed.items or feed.error or feed.warning or feed.title is not None
