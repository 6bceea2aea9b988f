"""Turn a fetched feed into normalised items.

feedparser does the parsing (RSS 0.9x/1.0/2.0, Atom, encodings, broken XML; see `document`); this module decides what an
item must have to be worth keeping and reduces it to plain, bounded values: a stable id, a canonical URL,
plain-text title and summary, a UTC time and a language. Everything in a feed is untrusted, so nothing
raises out of `parse_feed`: a fatal problem is reported in `ParsedFeed.error`, a skipped item is counted
under a readable reason.
"""

from __future__ import annotations

import calendar
import hashlib
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from nkru.feeds.document import read_document
from nkru.feeds.fetch import FetchResult
from nkru.feeds.text import fold_whitespace, html_to_text, shorten
from nkru.feeds.urls import canonical_url

log = logging.getLogger(__name__)

MAX_TITLE = 500
MAX_SUMMARY = 4000
TITLE_FROM_SUMMARY = 120
MAX_GUID = 1000
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)
DATE_FIELDS = ("published_parsed", "updated_parsed", "created_parsed")
_LANGUAGE = re.compile(r"[a-z]{2,3}")


@dataclass(frozen=True)
class Item:
    """One story from a feed, normalised. `published_at` is the fetch time when the feed gives none."""

    guid: str
    url: str
    title: str
    summary: str
    published_at: datetime
    language: str | None


@dataclass(frozen=True)
class ParsedFeed:
    """The usable items of a feed, why the others were skipped, and what was wrong with the feed itself.

    `error` means nothing usable came out; `warning` means the XML was malformed but items were kept.
    """

    items: list[Item]
    skipped: dict[str, int]
    error: str | None
    warning: str | None
    title: str | None


def parse_feed(result: FetchResult, *, default_language: str | None = None, max_items: int = 500) -> ParsedFeed:
    """Parse and normalise a fetched feed; never raises, whatever the bytes."""
    if result.status != "ok" or result.body is None:
        # 'not_modified' has nothing new and is no fault; a failed fetch carries its own reason.
        return _failed(None if result.status == "not_modified" else result.error or f"not fetched: {result.status}")
    if not result.body.strip():
        return _failed("empty response body")
    try:
        return _parse(result, default_language, max_items)
    except Exception as exc:  # untrusted bytes must not stop the pipeline
        log.exception("cannot parse feed %s", result.url)
        return _failed(f"cannot parse the feed: {type(exc).__name__}: {exc}")


def _failed(error: str | None) -> ParsedFeed:
    return ParsedFeed(items=[], skipped={}, error=error, warning=None, title=None)


def _parse(result: FetchResult, default_language: str | None, max_items: int) -> ParsedFeed:
    body = result.body or b""
    doc = read_document(body, result.headers, base_url=result.final_url or result.url)
    if doc.error:
        return _failed(doc.error)
    feed_language = _language(doc.feed.get("language")) or _language(default_language)
    items, skipped = _items(doc.entries, result, doc.base, feed_language, max_items)
    return ParsedFeed(
        items=items,
        skipped=dict(skipped),
        error=None,
        warning=doc.warning(kept=len(items)),
        title=_plain(doc.feed.get("title_detail") or doc.feed.get("title"), MAX_TITLE) or None,
    )


def _items(
    entries: list[Any], result: FetchResult, base: str, feed_language: str | None, max_items: int
) -> tuple[list[Item], Counter[str]]:
    """Normalise each entry, skipping (and counting) the unusable, the duplicates and those over the limit."""
    items: list[Item] = []
    skipped: Counter[str] = Counter()
    seen: set[str] = set()
    for entry in entries:
        item, reason = _item(entry, result, base, feed_language)
        if item and (item.guid in seen or item.url in seen):
            item, reason = None, "duplicate in feed"
        if item and len(items) >= max_items:
            item, reason = None, f"over the limit of {max_items} items"
        if item:
            items.append(item)
            seen.update((item.guid, item.url))
        else:
            skipped[reason] += 1
    return items, skipped


def _item(entry: Any, result: FetchResult, base: str, feed_language: str | None) -> tuple[Item | None, str]:
    """One normalised item, or None and the reason it cannot be used; relative links resolve against `base`."""
    url = _entry_url(entry, base)
    if not url:
        return None, "no link"
    title = _plain(entry.get("title_detail") or entry.get("title"), MAX_TITLE)
    summary = _plain(_entry_text(entry), MAX_SUMMARY)
    if not title and not summary:
        return None, "no title or text"
    published_at = _published(entry) or result.fetched_at
    if published_at > result.fetched_at + FUTURE_TOLERANCE:
        return None, "date in the future"
    if published_at < EARLIEST:
        return None, "date before 1990"
    item = Item(
        guid=_guid(entry, url),
        url=url,
        title=title or shorten(summary, TITLE_FROM_SUMMARY),
        summary=summary,
        published_at=published_at,
        language=_entry_language(entry) or feed_language,
    )
    return item, ""


def _entry_url(entry: Any, base: str) -> str | None:
    """The story's canonical URL: the entry's link, else its first link with an href."""
    candidates = [entry.get("link")] + [link.get("href") for link in entry.get("links", [])]
    for href in candidates:
        if isinstance(href, str) and (url := canonical_url(href, base)):
            return url
    return None


def _entry_text(entry: Any) -> Any:
    """The summary, else the first content block (Atom entries may carry only <content>)."""
    if entry.get("summary_detail") or entry.get("summary"):
        return entry.get("summary_detail") or entry.get("summary")
    contents = entry.get("content") or []
    return contents[0] if contents else None


def _plain(value: Any, limit: int) -> str:
    """Plain text from a feedparser text construct (a dict with 'type' and 'value') or a bare string."""
    if not value:
        return ""
    if isinstance(value, str):
        text = html_to_text(value)
    else:
        raw = str(value.get("value") or "")
        is_html = "html" in str(value.get("type") or "")
        text = html_to_text(raw) if is_html else fold_whitespace(raw)
    return shorten(text, limit)


def _published(entry: Any) -> datetime | None:
    """The first of published/updated/created that feedparser could read, as UTC."""
    for name in DATE_FIELDS:
        parsed = entry.get(name)
        if isinstance(parsed, time.struct_time):
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _guid(entry: Any, url: str) -> str:
    """The entry's own id when it has one, else its canonical URL; an absurdly long id is hashed."""
    guid = fold_whitespace(str(entry.get("id") or "")) or url
    if len(guid) > MAX_GUID:
        return "sha256:" + hashlib.sha256(guid.encode("utf-8", "replace")).hexdigest()
    return guid


def _entry_language(entry: Any) -> str | None:
    """The item's declared language: dc:language, else xml:lang on its title or summary."""
    details = (entry.get("title_detail"), entry.get("summary_detail"))
    declared = [entry.get("language")] + [d.get("language") for d in details if d]
    return next((lang for value in declared if (lang := _language(value))), None)


def _language(value: Any) -> str | None:
    """The lower-case primary subtag ('en-US' -> 'en', 'ru_RU' -> 'ru'), or None when not a language tag."""
    if not isinstance(value, str):
        return None
    primary = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return primary if _LANGUAGE.fullmatch(primary) else None
