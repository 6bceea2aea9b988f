"""Nothing from a feed reaches an alert e-mail's HTML unescaped; links are http(s) only; sizes are bounded."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from nkru.mail.message import safe_url
from nkru.mail.render import MARK, render_alert, render_digest
from nkru.store.outbox import DigestExtras, StoryItem

SANITIZE = Path(__file__).resolve().parents[2] / "shared/corpora/feedparser-tests/wellformed/sanitize"
NOW = datetime(2026, 3, 26, 9, 0, tzinfo=UTC)
# What our templates emit; anything else in the HTML came from a feed.
ALLOWED_TAGS = {"html", "head", "meta", "body", "h1", "h2", "h3", "p", "a", "b", "mark", "div", "hr", "code", "img"}
ALLOWED_ATTRS = {"charset", "style", "href", "src"}


def item(**fields) -> StoryItem:
    base = dict(
        story_id=1,
        article_id=1,
        title="Lavrov meets Choe Son Hui",
        url="https://news.example.org/a/1",
        summary="Russia and North Korea agreed to expand cooperation.",
        source="Yonhap",
        published_at=NOW,
        score=2.0,
        reason="mentions North Korea and Russia together",
        matched_terms=("north korea", "russia"),
        entities=("Sergei Lavrov", "Choe Son Hui"),
        other_outlets=("AFP",),
    )
    return StoryItem(**{**base, **fields})


def alert_html(story: StoryItem, terms: list[str] | None = None) -> tuple[str, str, str]:
    msg = render_alert(
        story,
        rule="all",
        terms=terms or [],
        sender="nkru@localhost",
        recipient="a@example.org",
        message_id="<x@nkru>",
        now=NOW,
    )
    # Round-trip through bytes, as the recipient's client sees it.
    msg = message_from_bytes(msg.as_bytes(), policy=policy.default)
    return msg["Subject"], msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()


class _Audit(HTMLParser):
    """Every tag and attribute in an HTML document, to compare with what our templates emit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs += [(name, value or "") for name, value in attrs]


def assert_only_our_markup(html: str) -> None:
    audit = _Audit()
    audit.feed(html)
    assert audit.tags <= ALLOWED_TAGS, audit.tags - ALLOWED_TAGS
    assert {name for name, _ in audit.attrs} <= ALLOWED_ATTRS, audit.attrs
    for name, value in audit.attrs:
        if name == "href":
            assert value.startswith(("http://", "https://")), value
        if name == "src":
            assert value.startswith("cid:"), value
        if name == "style":
            assert "expression" not in value.lower() and "url(" not in value.lower(), value
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<svg" not in lowered
    assert 'href="javascript:' not in lowered and "href='javascript:" not in lowered


HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"> "quoted" & <b>bold</b>'


def test_hostile_fields_are_escaped_everywhere():
    story = item(
        title=HOSTILE,
        summary=HOSTILE + " <a href='javascript:alert(3)'>click</a>",
        source='Evil <svg onload="alert(4)"> Feed',
        reason="mentions <iframe src=//evil>",
        entities=("<script>x</script>",),
        other_outlets=('AFP" onmouseover="alert(5)',),
        matched_terms=("<script>",),
    )
    subject, text, html = alert_html(story, terms=["onerror"])
    assert_only_our_markup(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, not dropped
    assert f"&lt;img src=x {MARK}onerror</mark>=&quot;alert(2)&quot;&gt;" in html
    assert "<script>alert(1)</script>" in text  # the plain part shows the text as is
    assert subject.startswith("[nkru: all] <script>")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "//evil.example.org/",
        "https://",
        'https://ok.example.org/" onmouseover="alert(1)',
        "file:///etc/passwd",
    ],
)
def test_only_http_links_become_hrefs(url):
    _, text, html = alert_html(item(url=url))
    assert safe_url(url) is None
    assert "href=" not in html
    assert_only_our_markup(html)


def test_http_link_with_quotes_and_ampersands_is_escaped_in_the_attribute():
    url = "https://news.example.org/a?x=1&y=<2>"
    assert safe_url(url) == url
    _, _, html = alert_html(item(url=url))
    assert 'href="https://news.example.org/a?x=1&amp;y=&lt;2&gt;"' in html


def test_huge_summary_and_title_are_cut_and_headers_stay_one_line():
    summary = "word " * 100_000
    title = "Breaking\r\nBcc: victim@example.org\nnews " + "x" * 5000
    subject, text, html = alert_html(item(summary=summary, title=title))
    assert len(html) < 10_000 and len(text) < 6_000
    assert "word word…" in text
    assert "\n" not in subject and "Bcc" in subject  # folded into the subject, never a header of its own
    assert len(subject) < 260


def test_digest_embeds_extras_images_as_related_parts():
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    extras = DigestExtras(
        text="Mentions this week: Shoigu +300%",
        html='<h2>Trends</h2><img src="cid:trend-week@nkru" alt="">',
        images={"trend-week@nkru": png},
    )
    msg = render_digest(
        [item(), item(story_id=2, title="Second story", other_outlets=())],
        rule="daily",
        terms=[],
        sender="nkru@localhost",
        recipient="a@example.org",
        message_id="<d@nkru>",
        day=NOW.date(),
        now=NOW,
        extras=extras,
    )
    msg = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    related = msg.get_payload()[1]
    assert related.get_content_type() == "multipart/related"
    [image] = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<trend-week@nkru>"
    assert image.get_content() == png
    html = msg.get_body(("html",)).get_content()
    assert 'src="cid:trend-week@nkru"' in html and "<h2>Trends</h2>" in html
    assert "Mentions this week: Shoigu +300%" in msg.get_body(("plain",)).get_content()
    assert msg["Subject"] == "[nkru: daily] digest 2026-03-26: 2 new stories"


def _corpus_fields() -> list[tuple[str, str, str, str]]:
    """(file, title, summary, link) for every entry and feed in the sanitize corpus, as feedparser gives them."""
    out = []
    for path in sorted(SANITIZE.glob("*.xml")):
        parsed = feedparser.parse(path.read_bytes())
        feed = parsed.get("feed", {})
        out.append(
            (
                path.name,
                feed.get("title", ""),
                " ".join(str(feed.get(k, "")) for k in ("subtitle", "info", "rights", "tagline")),
                feed.get("link", ""),
            )
        )
        for entry in parsed.entries:
            content = " ".join(c.get("value", "") for c in entry.get("content", []))
            out.append(
                (path.name, entry.get("title", ""), entry.get("summary", "") + " " + content, entry.get("link", ""))
            )
    return out


@pytest.mark.skipif(not SANITIZE.is_dir(), reason=f"feedparser corpus not found at {SANITIZE}")
def test_feedparser_sanitize_corpus_never_reaches_the_html():
    fields = _corpus_fields()
    assert len(fields) > 700
    hostile = 0
    for name, title, summary, link in fields:
        hostile += "<script" in (title + summary).lower() or "onerror" in (title + summary).lower()
        story = item(title=title or "untitled", summary=summary, url=link or "", source=name, entities=(title[:50],))
        _, _, html = alert_html(story, terms=["script", "onclick"])
        try:
            assert_only_our_markup(html)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from None
    assert hostile > 0, "the corpus is expected to contain hostile markup; nothing was tested"
