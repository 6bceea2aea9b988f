"""Alert and digest e-mails: multipart/alternative, plain text and HTML, built with `email.message.EmailMessage`.

Everything that came from a feed (headline, summary, link, source, entity names) is untrusted: it is escaped
with `html.escape` everywhere in the HTML, a link becomes an `href` only when it is an http(s) URL, control
characters are dropped, summaries are cut to a sane length, and headlines reach the Subject only through
`set_header`. That matters beyond folding to one line: Python's `email` package (3.11.7, CVE-2024-6923)
decodes RFC 2047 encoded-words in a header value it is given and writes a decoded CR/LF out raw, so a
headline holding `=?utf-8?b?DQpCY2M6...?=` would add a Bcc header or a whole new body. `set_header` breaks
every `=?` so nothing is decoded, checks that the header reads back exactly as given, and `check_intact`
re-reads the finished message to prove it has only the headers and parts we made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.utils import format_datetime
from html import escape
from urllib.parse import urlsplit

from nkru.alerts.rules import term_pattern
from nkru.clock import utc_text as _utc
from nkru.store.alerts import StoryItem
from nkru.untrusted import has_controls, one_line, strip_controls

MAX_SUMMARY_CHARS = 1000
MAX_URL_CHARS = 2000
MAX_DIGEST_ITEMS = 200
MAX_HEADER_CHARS = 300
# "=?" opens an RFC 2047 encoded-word; a word joiner between the two keeps the text as it reads and makes
# it no encoded-word, so the email package has nothing to decode.
_ENCODED_WORD_OPENER = "=?"
_BROKEN_OPENER = "=\u2060?"


@dataclass(frozen=True)
class DigestExtras:
    """Extra digest content from another module (the trends charts), added after the stories.

    `text` goes into the plain-text part, `html` into the HTML part as is (the producer escapes what it
    shows), and `images` maps a content id to PNG bytes; the HTML refers to each as `<img src="cid:ID">`.
    """

    text: str = ""
    html: str = ""
    images: dict[str, bytes] = field(default_factory=dict)


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


def highlight(text: str, terms: list[str]) -> str:
    """`text` escaped for HTML, with each occurrence of a term wrapped in <mark>."""
    terms = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(term_pattern(t).pattern for t in terms), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _link_html(text_html: str, url: str) -> str:
    href = safe_url(url)
    return f'<a href="{escape(href, quote=True)}">{text_html}</a>' if href else text_html


def _outlets_line(item: StoryItem) -> str:
    n = len(item.other_outlets)
    if not n:
        return ""
    return f"Also reported by {n} outlet{'s' if n != 1 else ''}: {', '.join(one_line(o) for o in item.other_outlets)}"


def _item_terms(item: StoryItem, terms: list[str]) -> list[str]:
    return [*terms, *item.matched_terms]


def _found_terms(item: StoryItem, terms: list[str]) -> list[str]:
    """The scorer's matched terms plus the rule's terms that occur in the headline or summary."""
    text = f"{item.title}\n{item.summary}"
    found = {t.casefold() for t in item.matched_terms}
    found.update(t.casefold() for t in terms if term_pattern(t).search(text))
    return sorted(found)


def _item_text(item: StoryItem, terms: list[str]) -> str:
    """One story in the plain-text part; terms are marked *like this* there."""
    lines = [
        one_line(item.title),
        one_line(item.url, MAX_URL_CHARS),
        f"Source: {one_line(item.source)} · published {_utc(item.published_at)}",
        f"Why: {one_line(item.reason) or 'relevant'} (score {item.score:.2f})",
    ]
    found = _found_terms(item, terms)
    if found:
        lines.append("Matched terms: " + ", ".join(one_line(t, 80) for t in found))
    if item.entities:
        lines.append("Entities: " + ", ".join(one_line(e, 120) for e in item.entities))
    if item.other_outlets:
        lines.append(_outlets_line(item))
    if item.coverage:
        lines.append(one_line(item.coverage, 600))
    summary = cut(item.summary)
    if summary:
        lines += ["", summary]
    return "\n".join(lines)


def _item_html(item: StoryItem, terms: list[str], heading: str = "h2") -> str:
    """One story in the HTML part. Every feed-derived string passes through `escape` or `highlight`."""
    all_terms = _item_terms(item, terms)
    title = _link_html(highlight(one_line(item.title), all_terms), item.url)
    parts = [
        f'<{heading} style="margin:0 0 4px 0">{title}</{heading}>',
        f'<p style="margin:0;color:#555">{escape(one_line(item.source))} · {escape(_utc(item.published_at))}</p>',
        f'<p style="margin:4px 0"><b>Why:</b> {highlight(one_line(item.reason) or "relevant", all_terms)}'
        f" (score {item.score:.2f})</p>",
    ]
    found = _found_terms(item, terms)
    if found:
        marked = ", ".join(f"<mark>{escape(one_line(t, 80))}</mark>" for t in found)
        parts.append(f'<p style="margin:4px 0"><b>Matched terms:</b> {marked}</p>')
    if item.entities:
        names = ", ".join(escape(one_line(e, 120)) for e in item.entities)
        parts.append(f'<p style="margin:4px 0"><b>Entities:</b> {names}</p>')
    if item.other_outlets:
        parts.append(f'<p style="margin:4px 0">{escape(_outlets_line(item))}</p>')
    if item.coverage:
        parts.append(f'<p style="margin:4px 0">{escape(one_line(item.coverage, 600))}</p>')
    summary = cut(item.summary)
    if summary:
        parts.append(f'<p style="margin:8px 0">{highlight(summary, all_terms)}</p>')
    return "\n".join(parts)


def _page(body: str, footer: str) -> str:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>'
        '<body style="font-family:sans-serif;max-width:46em">\n'
        f"{body}\n"
        f'<hr><p style="color:#777;font-size:small">{escape(footer)}</p>\n</body></html>\n'
    )


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


def check_intact(msg: EmailMessage) -> EmailMessage:
    """`msg` itself, after proving that its serialised form parses back to the same header names and the same
    MIME parts; ValueError otherwise (the message is then never sent). `set_header` checked each value."""
    again = message_from_bytes(msg.as_bytes())  # compat32: reads names and structure, decodes nothing (fast)

    def shape(m: Message) -> list[tuple[tuple[str, ...], str]]:
        return [(tuple(k.lower() for k in part), part.get_content_type()) for part in m.walk()]

    if shape(again) != shape(msg):
        raise ValueError("refusing to send an e-mail whose headers or parts change when it is read back")
    return msg


def _headers(msg: EmailMessage, *, subject: str, sender: str, recipient: str, message_id: str, now: datetime) -> None:
    set_header(msg, "Subject", subject)
    set_header(msg, "From", sender)
    set_header(msg, "To", recipient)
    set_header(msg, "Date", format_datetime(now.astimezone(UTC)))
    set_header(msg, "Message-ID", message_id)
    set_header(msg, "Auto-Submitted", "auto-generated")


def render_alert(
    item: StoryItem, *, rule: str, terms: list[str], sender: str, recipient: str, message_id: str, now: datetime
) -> EmailMessage:
    """The instant e-mail for one story under one rule."""
    footer = f"Sent by nkru because this story matches the alert rule “{rule}”."
    msg = EmailMessage()
    _headers(
        msg,
        subject=f"[nkru: {one_line(rule, 100)}] {'Update: ' if item.update else ''}{one_line(item.title, 200)}",
        sender=sender,
        recipient=recipient,
        message_id=message_id,
        now=now,
    )
    msg.set_content(f"{_item_text(item, terms)}\n\n-- \n{footer}\n")
    msg.add_alternative(_page(_item_html(item, terms), footer), subtype="html")
    return check_intact(msg)


def render_digest(
    items: list[StoryItem],
    *,
    rule: str,
    terms: list[str],
    sender: str,
    recipient: str,
    message_id: str,
    day: date,
    now: datetime,
    extras: DigestExtras | None = None,
) -> EmailMessage:
    """The daily digest for one rule: every new story once, with how many other outlets carried it."""
    shown, hidden = items[:MAX_DIGEST_ITEMS], max(0, len(items) - MAX_DIGEST_ITEMS)
    count = f"{len(items)} new stor{'ies' if len(items) != 1 else 'y'}"
    footer = f"Daily digest from nkru for the alert rule “{rule}”."
    text = [f"nkru digest — {rule} — {day.isoformat()} — {count}", ""]
    html = [f"<h1>{escape(one_line(rule, 100))}: {escape(count)} ({day.isoformat()})</h1>"]
    for number, item in enumerate(shown, 1):
        text += [f"{number}. {_item_text(item, terms)}", ""]
        html.append(f'<div style="margin:0 0 18px 0">{_item_html(item, terms, heading="h3")}</div>')
    if hidden:
        text.append(f"… and {hidden} more (see `nkru stories`).")
        html.append(f"<p>… and {hidden} more (see <code>nkru stories</code>).</p>")
    if extras and extras.text:  # names from feeds: no control characters, as everywhere else in the mail
        text += ["", strip_controls(extras.text)]
    if extras and extras.html:
        html.append(strip_controls(extras.html))
    msg = EmailMessage()
    _headers(
        msg,
        subject=f"[nkru: {one_line(rule, 100)}] digest {day.isoformat()}: {count}",
        sender=sender,
        recipient=recipient,
        message_id=message_id,
        now=now,
    )
    msg.set_content("\n".join(text) + f"\n-- \n{footer}\n")
    msg.add_alternative(_page("\n".join(html), footer), subtype="html")
    if extras and extras.images:
        html_part = msg.get_payload()[1]
        for cid, png in sorted(extras.images.items()):
            html_part.add_related(
                png, maintype="image", subtype="png", cid=f"<{cid}>", disposition="inline", filename=f"{cid}.png"
            )
    return check_intact(msg)
