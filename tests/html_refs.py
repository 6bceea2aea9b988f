"""What a rendered page would load from elsewhere: the resources a browser fetches without a click.

Tests use it to check that a page works offline and leaks no reader to a CDN. It parses the HTML (the standard
library's `html.parser`) instead of searching the text, because pages inline charts as base64 and a substring
such as "cdn" turns up in random data.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Attributes through which a browser fetches something as the page loads (links a reader clicks are not counted).
_LOADING = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("iframe", "src"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+['"]([^'"]+)""", re.IGNORECASE)


def is_external(reference: str) -> bool:
    """True for an address on another host (absolute or protocol-relative); data: and cid: are inline."""
    ref = reference.strip().lower()
    return ref.startswith(("http://", "https://", "//", "ftp://"))


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if (tag, name) in _LOADING and name == "srcset":  # "a.png 1x, b.png 2x"
                self.found.extend(part.split()[0] for part in value.split(",") if part.strip())
            elif (tag, name) in _LOADING:
                self.found.append(value.strip())
            if name == "style":
                self.found.extend(_css_refs(value))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found.extend(_css_refs(data))


def _css_refs(css: str) -> list[str]:
    return _CSS_URL.findall(css) + _CSS_IMPORT.findall(css)


def loaded_references(html: str) -> list[str]:
    """Every address the page loads as it renders (scripts, style sheets, images, frames, CSS url()/@import)."""
    parser = _References()
    parser.feed(html)
    parser.close()
    return parser.found


def external_references(html: str) -> list[str]:
    """The loaded references that point to another host."""
    return [ref for ref in loaded_references(html) if is_external(ref)]
