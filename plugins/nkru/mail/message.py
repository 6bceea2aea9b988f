"""Building any nkru e-mail safely: headers from untrusted text, a proof that the message reads back as built,
and the small text helpers every message uses (a summary cut, an http(s)-only link).

Headers reach a message only through `set_header`. That matters beyond folding to one line: Python's `email`
package (3.11.7, CVE-2024-6923) decodes RFC 2047 encoded-words in a header value it is given and writes a decoded
CR/LF out raw, so a headline holding `=?utf-8?b?DQpCY2M6...?=` would add a Bcc header or a whole new body.
`set_header` breaks every `=?` so nothing is decoded, checks that the header reads back exactly as given, and
`check_intact` re-reads the finished message to prove it has only the headers and parts we made.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.utils import format_datetime
from urllib.parse import urlsplit

from nkru.untrusted import has_controls, one_line

MAX_SUMMARY_CHARS = 1000
MAX_URL_CHARS = 2000
MAX_HEADER_CHARS = 300
# "=?" opens an RFC 2047 encoded-word; a word joiner between the two keeps the text as it reads and makes
# it no encoded-word, so the email package has nothing to decode.
_ENCODED_WORD_OPENER = "=?"
_BROKEN_OPENER = "=\u2060?"


def cut(text: str, limit: int = MAX_SUMMARY_CHARS) -> str:
    """A summary cut to `limit` characters at a word boundary where there is one."""
    text = one_line(text, limit=len(text) + 1)
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip() + "…"


def safe_url(url: str) -> str | None:
    """The URL when it is a plain http(s) link to a host; None otherwise (it is then shown as text only)."""
    if not url or len(url) > MAX_URL_CHARS or has_controls(url) or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def header_text(text: str, limit: int = MAX_HEADER_CHARS) -> str:
    """Untrusted text made safe for a header value: one line, no control characters, no encoded-word."""
    return one_line(text, limit).replace(_ENCODED_WORD_OPENER, _BROKEN_OPENER)


def set_header(msg: EmailMessage, name: str, value: str) -> None:
    """Add header `name` with `value` (passed through `header_text`); ValueError if it does not read back as
    exactly that text, i.e. if the email package decoded or split anything in it."""
    value = header_text(value)
    msg[name] = value
    read_back = msg.get_all(name)[-1]
    if str(read_back) != value or "\n" in str(read_back) or "\r" in str(read_back):
        raise ValueError(f"refusing to build an e-mail: the {name} header does not read back as it was written")


def set_headers(
    msg: EmailMessage, *, subject: str, sender: str, recipient: str, message_id: str, now: datetime
) -> None:
    """The headers every nkru e-mail carries, each through `set_header`; it is machine-sent (Auto-Submitted)."""
    set_header(msg, "Subject", subject)
    set_header(msg, "From", sender)
    set_header(msg, "To", recipient)
    set_header(msg, "Date", format_datetime(now.astimezone(UTC)))
    set_header(msg, "Message-ID", message_id)
    set_header(msg, "Auto-Submitted", "auto-generated")


def check_intact(msg: EmailMessage) -> EmailMessage:
    """`msg` itself, after proving that its serialised form parses back to the same header names and the same
    MIME parts; ValueError otherwise (the message is then never sent). `set_header` checked each value."""
    again = message_from_bytes(msg.as_bytes())  # compat32: reads names and structure, decodes nothing (fast)

    def shape(m: Message) -> list[tuple[tuple[str, ...], str]]:
        return [(tuple(k.lower() for k in part), part.get_content_type()) for part in m.walk()]

    if shape(again) != shape(msg):
        raise ValueError("refusing to send an e-mail whose headers or parts change when it is read back")
    return msg
