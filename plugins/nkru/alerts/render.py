"""Alert and digest e-mails: multipart/alternative, plain text and HTML, built with `email.message.EmailMessage`.

Everything that came from a feed (headline, summary, link, source, entity names) is untrusted: it is escaped
with `html.escape` everywhere in the HTML, a link becomes an `href` only when it is an http(s) URL, headlines
are folded to one line (no header injection) and summaries are cut to a sane length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape
from urllib.parse import urlsplit

from nkru.alerts.rules import term_pattern
from nkru.store.alerts import StoryItem

MAX_SUMMARY_CHARS = 1000
MAX_TITLE_CHARS = 300
MAX_URL_CHARS = 2000
MAX_DIGEST_ITEMS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class DigestExtras:
    """Extra digest content from another module (the trends charts), added after the stories.

    `text` goes into the plain-text part, `html` into the HTML part as is (the producer escapes what it
    shows), and `images` maps a content id to PNG bytes; the HTML refers to each as `<img src="cid:ID">`.
    """

    text: str = ""
    html: str = ""
    images: dict[str, bytes] = field(default_factory=dict)


def one_line(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """Whitespace (newlines included) folded to single spaces, control characters dropped, cut at `limit`."""
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
    if not url or len(url) > MAX_URL_CHARS or _CONTROL.search(url) or any(c.isspace() for c in url):
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


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


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


def _headers(msg: EmailMessage, *, subject: str, sender: str, recipient: str, message_id: str, now: datetime) -> None:
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = recipient
    msg["Date"] = format_datetime(now.astimezone(UTC))
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"


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
    return msg


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
    if extras and extras.text:
        text += ["", extras.text]
    if extras and extras.html:
        html.append(extras.html)
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
    return msg
