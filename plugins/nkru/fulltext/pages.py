"""From a fetched article page to a status and its main text (trafilatura), a paywall teaser named as such."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import yaml

from nkru.config import Settings
from nkru.feeds.fetch import FetchResult
from nkru.paths import project_root
from nkru.store import fulltext as text_store
from nkru.untrusted import strip_controls

HTML_TYPES = ("text/html", "application/xhtml+xml")
MIN_TEXT_CHARS = 80  # less than this is no article text (a JavaScript shell, a cookie wall)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b")


def head_of(text: str, limit: int) -> str:
    """The first `limit` characters of `text`, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut[: cut.rfind(" ")] if " " in cut[limit // 2 :] else cut


@dataclass(frozen=True)
class Page:
    status: str
    reason: str | None = None
    text: str | None = None

    def with_fetch(self, result: FetchResult) -> text_store.PageResult:
        return text_store.PageResult(self.status, self.reason, result.http_status, result.final_url, self.text)


def classify_page(body: bytes, headers: dict[str, str], settings: Settings) -> Page:
    """Only HTML pages are read; the main text is extracted and bounded, and a paywall teaser is named as such."""
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in HTML_TYPES:
        return Page("not_html", f"Content-Type {media_type or 'missing'} is not an HTML page")
    if _looks_binary(body):
        return Page("not_html", f"Content-Type says {media_type} but the body is binary, not HTML")
    html = decode_html(body, content_type)
    text = extract_text(html)
    if len(text) < MIN_TEXT_CHARS:
        if _paywall_marker(html):
            return Page("paywalled", "the page shows a paywall notice and no article text", text or None)
        scripted = html.lower().count("<script") > 0
        why = "the page builds its text with JavaScript" if scripted else "the page has no article text"
        return Page("error", f"no readable article text ({len(text)} chars): {why}")
    text = head_of(text, settings.fulltext.max_text_chars)
    markers = _paywall_markers()
    if len(text) < markers["max_teaser_chars"] and _paywall_marker(html):
        return Page("paywalled", f"a paywall notice follows {len(text)} chars of teaser", text)
    return Page("ok", None, text)


def _looks_binary(body: bytes) -> bool:
    start = body[:1024].lstrip()
    return start.startswith(_BINARY_MAGIC) or b"\x00" in start


def decode_html(body: bytes, content_type: str) -> str:
    """The page as text: valid UTF-8 first (other encodings rarely pass as UTF-8), then the header's charset,
    then the page's own <meta charset>, then a guess; never an error."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    meta = _META_CHARSET.search(body[:4096])
    for name in (declared.group(1) if declared else None, meta.group(1).decode("ascii") if meta else None):
        if name:
            try:
                return body.decode(name)
            except (LookupError, UnicodeDecodeError):
                continue
    from trafilatura.utils import detect_encoding

    for name in detect_encoding(body):
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def extract_text(html: str) -> str:
    """The main text of an article page (no navigation, ads or comments), '' when there is none."""
    import trafilatura

    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_precision=True, deduplicate=True
    )
    return strip_controls(text or "").strip()


@functools.cache
def _paywall_markers() -> dict:
    path = project_root() / "config" / "paywall_markers.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    phrases = [p.casefold() for group in (data.get("phrases") or {}).values() for p in group]
    return {
        "max_teaser_chars": int(data.get("max_teaser_chars", 1200)),
        "needles": [m.casefold() for m in data.get("markup") or []] + phrases,
    }


def _paywall_marker(html: str) -> bool:
    folded = html.casefold()
    return any(needle in folded for needle in _paywall_markers()["needles"])
