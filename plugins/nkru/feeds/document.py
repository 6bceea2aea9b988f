"""Read untrusted feed bytes with feedparser, and say in words what is wrong with them.

feedparser copes with most broken feeds (it falls back to a tolerant parser and flags the feed "bozo"), but
its diagnostics are exceptions meant for programmers. This module turns them into reasons a user can act
on: "an HTML page, not a feed", "malformed XML (kept 7 items): mismatched tag at line 40". It also repairs
the one failure feedparser cannot: a feed whose declared encoding is wrong, which it would read as
windows-1252 mojibake.
"""

from __future__ import annotations

import codecs
import io
import re
import xml.sax
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import charset_normalizer
import feedparser
from feedparser import CharacterEncodingOverride

from nkru.feeds.text import fold_whitespace, shorten

# What feedparser falls back to when the declared encoding cannot decode the body (codecs' names too).
LAST_RESORT_ENCODINGS = ("cp1252", "windows-1252", "iso8859-2", "iso-8859-2")
# An HTML page starts (after an optional XML declaration and comments) with <!DOCTYPE html> or <html>.
# The comment pattern cannot span "-->", so a hostile body cannot make the match backtrack exponentially.
_HTML_START = re.compile(rb"\s*(<\?xml[^>]*>\s*)?(<!--(?:(?!-->).)*-->\s*)*<(!doctype\s+html|html)[\s>]", re.I | re.S)
# A numeric character reference (`&#55296;`, `&#xD800;`); the digits are bounded so int() stays cheap.
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,20}));")
_CHARREF_TEXT = re.compile(_CHARREF.pattern.decode())
# The encodings whose bytes hide ASCII patterns, by BOM or by the bytes of "<?" (XML 1.0, appendix F).
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDE_STARTS = {
    b"<\x00\x00\x00": "utf-32-le",
    b"\x00\x00\x00<": "utf-32-be",
    b"<\x00?\x00": "utf-16-le",
    b"\x00<\x00?": "utf-16-be",
}


@dataclass(frozen=True)
class Document:
    """feedparser's result for one body, with a fatal `error` or notes for a warning."""

    feed: Any
    entries: list[Any]
    error: str | None
    notes: tuple[str, ...]
    problem: tuple[str, str] | None  # what feedparser recovered from: (kind, detail)
    base: str = ""  # what the entries' relative links are relative to

    def warning(self, *, kept: int) -> str | None:
        """The user-facing warning, given how many items were kept."""
        notes = list(self.notes)
        if self.problem:
            kind, detail = self.problem
            notes.append(f"{kind} (kept {kept} items): {detail}")
        return "; ".join(notes) or None


def read_document(body: bytes, headers: dict[str, str], *, base_url: str) -> Document:
    """Parse `body` with its response headers. Relative links are left for the caller to resolve against
    `Document.base` (`base_url`, or the response's Content-Location relative to it).

    feedparser is not given the base: with one, it joins it to every element's (about a third of its time on
    news feeds, issue 15), and only the entries' links need it. A feed's own xml:base still applies. Nor does it
    resolve the links inside titles and summaries: they are reduced to plain text, links dropped.
    """
    base = urljoin(base_url, headers.get("content-location", ""))
    headers = {name: value for name, value in headers.items() if name.lower() != "content-location"}
    doc, notes = _parse_with_real_encoding(_without_impossible_charrefs(body), headers)
    if not doc.version and not doc.entries:
        return Document(doc.feed, [], _not_a_feed(body, headers, doc), (), None, base)
    return Document(doc.feed, list(doc.entries), None, notes, _recovered_problem(doc, body), base)


def _without_impossible_charrefs(body: bytes) -> bytes:
    """`body` with references to characters that cannot exist (a lone surrogate such as `&#xD800;`, or beyond
    U+10FFFF) replaced by U+FFFD: feedparser's tolerant parser raises on them and would lose the whole feed."""
    wide = _wide_encoding(body)
    if wide is None:
        return _CHARREF.sub(lambda m: b"&#xFFFD;" if _impossible(m) else m.group(0), body) if b"&#" in body else body
    try:  # UTF-16/32: the ASCII pattern cannot match their bytes, so look in the decoded text
        text = body.decode(wide)
    except UnicodeDecodeError:
        return body
    fixed = _CHARREF_TEXT.sub(lambda m: "&#xFFFD;" if _impossible(m) else m.group(0), text)
    return body if fixed == text else fixed.encode(wide)


def _impossible(match: re.Match) -> bool:
    hex_digits, digits = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(digits)
    return 0xD800 <= code <= 0xDFFF or code > 0x10FFFF


def _wide_encoding(body: bytes) -> str | None:
    """The UTF-16/32 codec the body is in, from its BOM or its first bytes; None for ASCII-compatible ones."""
    for bom, codec in _WIDE_BOMS:
        if body.startswith(bom):
            return codec
    return _WIDE_STARTS.get(body[:4])


def _parse_with_real_encoding(body: bytes, headers: dict[str, str]) -> tuple[Any, tuple[str, ...]]:
    """feedparser's reading; when the declared encoding was wrong, read again in the detected one."""
    doc = feedparser.parse(io.BytesIO(body), response_headers=headers, resolve_relative_uris=False)
    real = _detected_encoding(doc, body)
    if real is None:
        return doc, ()
    # For application/xml the HTTP charset overrides the XML declaration (RFC 7303).
    forced = {**headers, "content-type": f"application/xml; charset={real}"}
    return feedparser.parse(io.BytesIO(body), response_headers=forced, resolve_relative_uris=False), (
        f"wrong encoding declared, read as {real} instead",
    )


def _detected_encoding(doc: Any, body: bytes) -> str | None:
    """The body's real encoding when feedparser gave up on the declared one and guessed Latin, else None."""
    if not isinstance(doc.get("bozo_exception"), CharacterEncodingOverride):
        return None
    if doc.get("encoding") not in LAST_RESORT_ENCODINGS:
        return None
    guess = charset_normalizer.from_bytes(body).best()
    if guess is None or codecs.lookup(guess.encoding).name in LAST_RESORT_ENCODINGS:
        return None
    return guess.encoding


def _not_a_feed(body: bytes, headers: dict[str, str], doc: Any) -> str:
    """Why nothing usable came out: an HTML page, or feedparser's reason."""
    if _HTML_START.match(body[:10_000]) or "html" in headers.get("content-type", "").lower():
        return "an HTML page, not a feed"
    problem = _describe(doc.get("bozo_exception"), body) if doc.get("bozo") else None
    return f"not a feed: {problem or 'no RSS, Atom or RDF element found'}"


def _recovered_problem(doc: Any, body: bytes) -> tuple[str, str] | None:
    """What feedparser had to recover from (kind, detail), if anything."""
    if not doc.get("bozo"):
        return None
    exc = doc.get("bozo_exception")
    kind = "malformed XML" if isinstance(exc, xml.sax.SAXException) else "feed problem"
    return kind, _describe(exc, body)


def _describe(exc: BaseException | None, body: bytes) -> str:
    """An exception from feedparser in a short sentence, with the line of an XML error in the body."""
    if isinstance(exc, xml.sax.SAXParseException):
        # feedparser prepends an XML declaration line when the body has none: count lines in the body.
        line = exc.getLineNumber() - (0 if _has_xml_declaration(body) else 1)
        return f"{exc.getMessage()} at line {max(line, 1)}"
    return shorten(fold_whitespace(str(exc)), 300) if exc else "unknown problem"


def _has_xml_declaration(body: bytes) -> bool:
    head = body[:200]
    is_utf16 = head[:2] in (b"\xff\xfe", b"\xfe\xff")
    text = head.decode("utf-16", "replace") if is_utf16 else head.decode("latin-1")
    return text.removeprefix("\ufeff").removeprefix("\xef\xbb\xbf").startswith("<?xml")
