"""Every file of feedparser's own test corpus, served over loopback HTTP, fetched and parsed.

The corpus (about 2,100 small feeds: every RSS/Atom/RDF/CDF variant, broken XML, odd encodings, HTML
entities) lives beside the checkout in `shared/corpora/feedparser-tests`. Files that declare HTTP headers
in their leading comment (`Header: Content-type: text/xml; charset=...`) are served with those headers,
as feedparser's own test server does, so charset and Content-Location handling is exercised too.

The claim tested: nothing raises, and every file ends in a state a user can understand: items kept,
items skipped for a stated reason, an error reason, or a feed that really has no entries.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from nkru.config import FetchConfig
from nkru.feeds import FetchRequest, ParsedFeed, fetch_feeds, parse_feed
from tests.feedserver import FeedServer

CORPUS = Path(__file__).parents[2] / "shared/corpora/feedparser-tests"
SETTINGS = FetchConfig(allow_private_addresses=True, timeout_seconds=10, concurrency=50)
BATCH = 250
_HEADER = re.compile(rb"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.M)
# An element that could be an entry: <item>, <entry>, <rss:item>, <atom:entry>, ...
_ENTRY_TAG = re.compile(rb"<([\w-]+:)?(item|entry)[\s>/]", re.I)

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"feedparser test corpus not found at {CORPUS}")


def corpus_files() -> list[str]:
    return sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file() and p.name != "LICENSE")


def declared_headers(path: Path) -> dict[str, str]:
    """The `Header: Name: value` lines of the file's leading comment."""
    head = path.read_bytes()[:2000]
    return {name.decode(): value.decode("latin-1") for name, value in _HEADER.findall(head)}


def outcome(feed: ParsedFeed, body: bytes) -> str:
    """Which understandable end state the file reached, or 'unexplained' when none."""
    if feed.items:
        return "items"
    if feed.skipped:
        return "all skipped with a reason"
    if feed.error:
        return "error"
    if not _ENTRY_TAG.search(body):
        return "feed without entries"
    return "unexplained"


@pytest.fixture(scope="module")
def corpus_results() -> dict[str, tuple[str, ParsedFeed]]:
    """Each corpus file -> (fetch status, parsed feed); fetched in batches through one server."""
    files = corpus_files()
    results: dict[str, tuple[str, ParsedFeed]] = {}
    with FeedServer(CORPUS) as server:
        for name in files:
            if headers := declared_headers(CORPUS / name):
                server.set_headers(name, headers)
        for start in range(0, len(files), BATCH):
            batch = files[start : start + BATCH]
            fetched = fetch_feeds([FetchRequest(name, server.url(name)) for name in batch], SETTINGS)
            for result in fetched:
                results[result.feed_name] = (result.status, parse_feed(result))
    return results


def test_every_corpus_file_is_fetched(corpus_results: dict[str, tuple[str, ParsedFeed]]) -> None:
    statuses = Counter(status for status, _ in corpus_results.values())
    assert len(corpus_results) > 2000
    assert statuses == {"ok": len(corpus_results)}


def test_every_corpus_file_ends_in_an_understandable_state(
    corpus_results: dict[str, tuple[str, ParsedFeed]],
) -> None:
    outcomes = {name: outcome(feed, (CORPUS / name).read_bytes()) for name, (_, feed) in corpus_results.items()}
    counts = Counter(outcomes.values())
    unexplained = sorted(name for name, kind in outcomes.items() if kind == "unexplained")

    assert unexplained == [], f"no items, no skip reason, no error: {unexplained[:20]}"
    # Well-formed feeds are feeds: only a handful (XML that is not a feed format) may be errors.
    wellformed_errors = [n for n, k in outcomes.items() if n.startswith("wellformed/") and k == "error"]
    assert len(wellformed_errors) < 0.01 * sum(1 for n in outcomes if n.startswith("wellformed/")), wellformed_errors
    assert counts["items"] >= 20, counts


def test_skip_reasons_are_the_documented_ones(corpus_results: dict[str, tuple[str, ParsedFeed]]) -> None:
    known = {"no link", "no title or text", "date in the future", "date before 1990", "duplicate in feed"}
    reasons = {reason for _, feed in corpus_results.values() for reason in feed.skipped}
    assert reasons and reasons <= known


def test_corpus_spot_checks(corpus_results: dict[str, tuple[str, ParsedFeed]]) -> None:
    """A few files whose expected result the corpus states; proves the files are really read."""
    charset = corpus_results["encoding/http_text_xml_charset_2.xml"][1]  # charset only in the HTTP header
    assert (charset.items[0].summary, charset.warning) == ("This is a £“test.”", None)
    rss1 = corpus_results["wellformed/namespace/rss1.0withModules.xml"][1]
    assert [i.title for i in rss1.items] == ["Test Item - RSS 1.0"]
    large = corpus_results["wellformed/sanitize/large_atom_feed_that_needs_css_sanitisation.xml"][1]
    assert len(large.items) == 15 and large.items[0].title.startswith("Невидимая броня")


def test_corpus_items_are_clean(corpus_results: dict[str, tuple[str, ParsedFeed]]) -> None:
    """Whatever the feed did, every kept item has an http(s) URL, bounded plain text and a UTC date."""
    items = [item for _, feed in corpus_results.values() for item in feed.items]
    assert items
    for item in items:
        assert item.url.startswith(("http://", "https://"))
        assert item.title and len(item.title) <= 500 and len(item.summary) <= 4000
        assert "<script" not in item.summary.lower() and "<script" not in item.title.lower()
        assert item.published_at.utcoffset() is not None and item.published_at.utcoffset().total_seconds() == 0
        assert item.language is None or re.fullmatch(r"[a-z]{2,3}", item.language)
