"""Plain text out of the HTML that feeds put in titles and summaries.

Feed text is untrusted and is later shown in e-mails, the UI and the terminal, so it is reduced to plain
text with bounded length: tags removed (with the contents of script and style), entities decoded, control
characters (raw or written `&#0;`, `&#x1b;`) and lone surrogates removed, whitespace folded.
"""

from __future__ import annotations

from html.parser import HTMLParser

from nkru.untrusted import strip_controls

# Elements whose content is code or markup, never readable text.
_INVISIBLE = frozenset(["script", "style", "template", "noscript", "iframe", "object", "svg", "math", "head"])
# Elements that end a word: without a space here "<p>one</p><p>two</p>" would read "onetwo".
_BREAKS = frozenset({"br", "p", "div", "li", "tr", "td", "th", "dd", "dt", "blockquote", "hr", "pre", "table"})


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment; entities are decoded by HTMLParser itself."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE:
            self.hidden_depth += 1
        elif tag in _BREAKS:
            self.chunks.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in _BREAKS:
            self.chunks.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden_depth:
            self.chunks.append(data)


def html_to_text(fragment: str) -> str:
    """The visible text of an HTML fragment, entities decoded and whitespace folded to single spaces."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    return fold_whitespace("".join(parser.chunks))


def fold_whitespace(text: str) -> str:
    """Control characters dropped, runs of whitespace (newlines, tabs, no-break spaces) become one space; ends
    are trimmed."""
    return " ".join(strip_controls(text).split())


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word boundary when there is one, marked with '…'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"
