"""Alert and digest e-mails: multipart/alternative, plain text and HTML, built with `email.message.EmailMessage`.

Everything that came from a feed (headline, summary, link, outlet names, entity names) is untrusted: it is
escaped with `html.escape` everywhere in the HTML, a link becomes an `href` only when it is an http(s) URL,
control characters are dropped, summaries are cut to a sane length, and headlines reach the Subject only
through `nkru.mail.message.set_header` (which neutralises RFC 2047 encoded-words; see there why).

What a story shows: the headline (linked to the article), the outlet's display name and time, who reported it
first and how many outlets followed in how many languages, why it is relevant with the matched terms lightly
highlighted, the entities, the other outlets, and a link to the story's page in the nkru workspace.
"""

from __future__ import annotations

import base64
import re
from datetime import date, datetime
from email.message import EmailMessage
from html import escape

from nkru.aliases import term_pattern
from nkru.clock import utc_text as _utc
from nkru.config import AlertRule
from nkru.mail.message import MAX_URL_CHARS, check_intact, cut, safe_url, set_headers
from nkru.store.outbox import DigestExtras, StoryItem
from nkru.untrusted import one_line, strip_controls

MAX_DIGEST_ITEMS = 200
# A pale highlight: the matched terms stand out without turning the text into a row of yellow bars.
MARK = '<mark style="background-color:#fff5c8;color:inherit">'


def rule_terms(rule: AlertRule) -> list[str]:
    """The terms a rule names, highlighted in its e-mails."""
    return [*rule.any_terms, *rule.all_terms]


def story_page(ui_base_url: object | None, story_id: int) -> str | None:
    """The story's page in the nkru workspace (`/stories/ID` under the UI's base URL), or None without one."""
    if not ui_base_url:
        return None
    return safe_url(f"{str(ui_base_url).rstrip('/')}/stories/{int(story_id)}")


def highlight(text: str, terms: list[str]) -> str:
    """`text` escaped for HTML, with each occurrence of a term lightly marked."""
    terms = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(term_pattern(t).pattern for t in terms), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"{MARK}{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _link_html(text_html: str, url: str | None) -> str:
    href = safe_url(url or "")
    return f'<a href="{escape(href, quote=True)}">{text_html}</a>' if href else text_html


def _outlets_line(item: StoryItem) -> str:
    n = len(item.other_outlets)
    if not n:
        return ""
    return f"Also reported by {n} outlet{'s' if n != 1 else ''}: {', '.join(one_line(o) for o in item.other_outlets)}"


def _found_terms(item: StoryItem, terms: list[str]) -> list[str]:
    """The scorer's matched terms plus the rule's terms that occur in the headline or summary."""
    text = f"{item.title}\n{item.summary}"
    found = {t.casefold() for t in item.matched_terms}
    found.update(t.casefold() for t in terms if term_pattern(t).search(text))
    return sorted(found)


def _item_text(item: StoryItem, terms: list[str], page: str | None) -> str:
    """One story in the plain-text part."""
    lines = [
        one_line(item.title),
        one_line(item.url, MAX_URL_CHARS),
        f"Source: {one_line(item.source)} · published {_utc(item.published_at)}",
    ]
    if item.coverage:
        lines.append(one_line(item.coverage, 600))
    lines.append(f"Why: {one_line(item.reason) or 'relevant'} (score {item.score:.2f})")
    found = _found_terms(item, terms)
    if found:
        lines.append("Matched terms: " + ", ".join(one_line(t, 80) for t in found))
    if item.entities:
        lines.append("Entities: " + ", ".join(one_line(e, 120) for e in item.entities))
    if item.other_outlets:
        lines.append(_outlets_line(item))
    if page:
        lines.append(f"In nkru: {page}")
    summary = cut(item.summary)
    if summary:
        lines += ["", summary]
    return "\n".join(lines)


def _item_html(item: StoryItem, terms: list[str], page: str | None, heading: str = "h2") -> str:
    """One story in the HTML part. Every feed-derived string passes through `escape` or `highlight`."""
    all_terms = [*terms, *item.matched_terms]
    title = _link_html(escape(one_line(item.title)), item.url)
    parts = [
        f'<{heading} style="margin:0 0 4px 0">{title}</{heading}>',
        f'<p style="margin:0;color:#555">{escape(one_line(item.source))} · {escape(_utc(item.published_at))}</p>',
    ]
    if item.coverage:
        parts.append(f'<p style="margin:4px 0">{escape(one_line(item.coverage, 600))}</p>')
    parts.append(
        f'<p style="margin:4px 0"><b>Why:</b> {highlight(one_line(item.reason) or "relevant", all_terms)}'
        f" (score {item.score:.2f})</p>"
    )
    found = _found_terms(item, terms)
    if found:
        listed = ", ".join(escape(one_line(t, 80)) for t in found)
        parts.append(f'<p style="margin:4px 0"><b>Matched terms:</b> {listed}</p>')
    if item.entities:
        names = ", ".join(escape(one_line(e, 120)) for e in item.entities)
        parts.append(f'<p style="margin:4px 0"><b>Entities:</b> {names}</p>')
    if item.other_outlets:
        parts.append(f'<p style="margin:4px 0">{escape(_outlets_line(item))}</p>')
    summary = cut(item.summary)
    if summary:
        parts.append(f'<p style="margin:8px 0">{highlight(summary, all_terms)}</p>')
    if page:
        parts.append(
            f'<p style="margin:4px 0">{_link_html("Open this story in nkru", page)}'
            " (every outlet and who was first, the entities, the alerts sent)</p>"
        )
    return "\n".join(parts)


def _page(body: str, footer: str) -> str:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>'
        '<body style="font-family:sans-serif;max-width:46em">\n'
        f"{body}\n"
        f'<hr><p style="color:#777;font-size:small">{escape(footer)}</p>\n</body></html>\n'
    )


def render_alert(
    item: StoryItem,
    *,
    rule: str,
    terms: list[str],
    sender: str,
    recipient: str,
    message_id: str,
    now: datetime,
    ui_base_url: object | None = None,
) -> EmailMessage:
    """The instant e-mail for one story under one rule."""
    footer = f"Sent by nkru because this story matches the alert rule “{rule}”."
    page = story_page(ui_base_url, item.story_id)
    msg = EmailMessage()
    set_headers(
        msg,
        subject=f"[nkru: {one_line(rule, 100)}] {'Update: ' if item.update else ''}{one_line(item.title, 200)}",
        sender=sender,
        recipient=recipient,
        message_id=message_id,
        now=now,
    )
    msg.set_content(f"{_item_text(item, terms, page)}\n\n-- \n{footer}\n")
    msg.add_alternative(_page(_item_html(item, terms, page), footer), subtype="html")
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
    ui_base_url: object | None = None,
) -> EmailMessage:
    """The daily digest for one rule: every new story once, with how many other outlets carried it."""
    shown, hidden = items[:MAX_DIGEST_ITEMS], max(0, len(items) - MAX_DIGEST_ITEMS)
    count = f"{len(items)} new stor{'ies' if len(items) != 1 else 'y'}"
    footer = f"Daily digest from nkru for the alert rule “{rule}”."
    text = [f"nkru digest — {rule} — {day.isoformat()} — {count}", ""]
    html = [f"<h1>{escape(one_line(rule, 100))}: {escape(count)} ({day.isoformat()})</h1>"]
    for number, item in enumerate(shown, 1):
        page = story_page(ui_base_url, item.story_id)
        text += [f"{number}. {_item_text(item, terms, page)}", ""]
        html.append(f'<div style="margin:0 0 18px 0">{_item_html(item, terms, page, heading="h3")}</div>')
    if hidden:
        text.append(f"… and {hidden} more (see `nkru stories`).")
        html.append(f"<p>… and {hidden} more (see <code>nkru stories</code>).</p>")
    if extras and extras.text:  # names from feeds: no control characters, as everywhere else in the mail
        text += ["", strip_controls(extras.text)]
    if extras and extras.html:
        html.append(strip_controls(extras.html))
    msg = EmailMessage()
    set_headers(
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


def html_page(msg: EmailMessage) -> str:
    """The HTML part of an e-mail as a page a browser opens on its own: inline images become data URIs."""
    html_part = msg.get_body(preferencelist=("html",))
    if html_part is None:
        raise ValueError("the message has no HTML part")
    html = html_part.get_content()
    for part in msg.walk():
        cid = part.get("Content-ID")
        if cid and part.get_content_type().startswith("image/"):
            data = base64.b64encode(part.get_payload(decode=True)).decode("ascii")
            html = html.replace(f"cid:{cid.strip('<>')}", f"data:{part.get_content_type()};base64,{data}")
    return html
