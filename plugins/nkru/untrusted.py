"""Text from feeds and web pages is untrusted: these are the characters it must never carry out of nkru.

Control characters move a terminal's cursor, set its title or clear it (ESC, CSI), are not allowed in XML
(so an SVG chart with one is broken) and PostgreSQL refuses NUL in text; a lone surrogate cannot even be
encoded as UTF-8. `strip_controls` removes all of them and is applied where feed items are normalised, and
again where anything is shown (terminal, charts, e-mail), since rows stored before may still hold them.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and UTF-16 surrogates (only ever lone in a Python str
# decoded from UTF-8, e.g. from `&#xD800;` or a surrogateescape'd byte).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROLS_AND_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
# The default cut of `one_line`: a long headline, and short enough for an e-mail subject or a table cell.
MAX_LINE_CHARS = 300


def strip_controls(text: str, *, keep_newlines: bool = True) -> str:
    """`text` without control characters or lone surrogates; CR becomes a newline, tab and newline stay.

    With `keep_newlines=False` tab, newline and the Unicode line/paragraph separators become spaces too,
    for values that must stay on one line.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if keep_newlines:
        return _CONTROLS.sub("", text)
    return _CONTROLS_AND_BREAKS.sub(lambda m: " " if m.group(0) in "\t\n\u2028\u2029" else "", text)


def one_line(text: str, limit: int | None = MAX_LINE_CHARS) -> str:
    """`text` for one line of output: control characters dropped, whitespace (newlines included) folded to single
    spaces, ends trimmed, and cut at `limit` characters with '…' (no cut when `limit` is None)."""
    text = " ".join(strip_controls(text, keep_newlines=False).split())
    return text if limit is None or len(text) <= limit else text[: limit - 1].rstrip() + "…"


def has_controls(text: str) -> bool:
    """True when `text` holds a character `strip_controls` would remove (tab and newline are fine)."""
    return "\r" in text or bool(_CONTROLS.search(text))
