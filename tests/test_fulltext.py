"""Full text for candidates: what lands in `article_texts` and `articles` when the page is read, and every bad page
a site can serve ending as a status with a reason. Real HTTP server on a loopback host, real database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from nkru import fulltext, pipeline, pipeline_process
from nkru.config import FeedConfig, Settings, parse_settings
from tests.hostserver import HostServer

PAGES = Path(__file__).resolve().parents[1] / "bench" / "fulltext" / "pages"
HTML = "text/html; charset=utf-8"
CANDIDATE = "Pyongyang hosts delegation for talks on new bridge across the Tumen"  # Russia is in the body


@pytest.fixture
def host():
    server = HostServer("127.0.0.2").start()
    yield server
    server.stop()


def settings_for(server: HostServer, **fulltext_settings) -> Settings:
    base = parse_settings("fetch: {allow_private_addresses: true, timeout_seconds: 5, per_host_delay_seconds: 0}")
    return base.model_copy(
        update={
            "feeds": [FeedConfig(name="outlet", url=server.url("rss.xml"))],
            "fulltext": base.fulltext.model_copy(update=fulltext_settings),
        }
    )


def serve_feed(server: HostServer, items: dict[str, str]) -> None:
    """A headline-only feed: {path of the article page: headline}."""
    body = "".join(
        f"<item><title>{title}</title><link>{server.url(path)}</link><guid>{path}</guid></item>"
        for path, title in items.items()
    )
    server.set_content("rss.xml", f'<rss version="2.0"><channel><title>t</title>{body}</channel></rss>'.encode())


def ingest_and_read(db, settings: Settings) -> fulltext.FulltextReport:
    now = datetime.now(UTC)
    for batch in pipeline.plan_batches(db, settings, now, due_only=False):
        report = pipeline.ingest_batch(db, settings, batch, "run", now=now)
        assert report.failed_feeds == 0
    return fulltext.fetch_full_texts(db, settings)


def page_rows(db) -> dict[str, tuple]:
    """{article page path: (status, reason, text)}."""
    with db, db.cursor() as cur:
        cur.execute(
            "SELECT a.url, t.status, t.reason, t.text FROM article_texts t JOIN articles a ON a.id = t.article_id"
        )
        return {url.split("/", 3)[3]: (status, reason, text) for url, status, reason, text in cur.fetchall()}


def test_a_candidate_is_read_scored_again_and_its_entities_come_from_the_body(db, host):
    host.set_content("news/en-02.html", (PAGES / "en-02.html").read_bytes(), content_type=HTML)
    host.set_content("news/en-15.html", (PAGES / "en-15.html").read_bytes(), content_type=HTML)
    serve_feed(
        host,
        {"news/en-02.html": CANDIDATE, "news/en-15.html": "North Korea fires ballistic missile into the East Sea"},
    )
    settings = settings_for(host)

    report = ingest_and_read(db, settings)

    assert report.pages == {"ok": 2} and report.became_relevant == 1
    assert report.requests == 3  # two pages and the host's robots.txt (a 404 here: everything allowed)
    rows = page_rows(db)
    assert rows["news/en-02.html"][0] == "ok" and "Tumangang and Khasan" in rows["news/en-02.html"][2]
    assert "Comments" not in rows["news/en-02.html"][2] and "Related stories" not in rows["news/en-02.html"][2]
    with db, db.cursor() as cur:
        cur.execute("SELECT title, relevant, reason, summary FROM articles ORDER BY title")
        articles = {title: rest for title, *rest in cur.fetchall()}
    relevant, reason, summary = articles[CANDIDATE]
    assert relevant and "full text added" in reason and "made it relevant" in reason
    assert summary == ""  # the body never becomes the lede that mails quote
    assert articles["North Korea fires ballistic missile into the East Sea"][0] is False  # no Russia in that body

    pipeline_process.process_pending(db, settings)
    with db, db.cursor() as cur:
        cur.execute(
            "SELECT e.name FROM mentions m JOIN entities e ON e.id = m.entity_id JOIN articles a ON a.id = m.article_id"
            " WHERE a.title = %s",
            (CANDIDATE,),
        )
        names = {r[0] for r in cur.fetchall()}
    assert {"Khasan", "Rason"} <= names  # named only in the second and third paragraphs of the page

    total, gained, lost = pipeline.rescore_all(db, settings)  # new topic rules: the body's verdict stays
    assert (total, lost) == (2, 0)
    with db, db.cursor() as cur:
        cur.execute("SELECT relevant FROM articles WHERE title = %s", (CANDIDATE,))
        assert cur.fetchone()[0] is True


def test_robots_txt_is_honoured_and_read_once_per_host(db, host):
    host.set_content("robots.txt", b"User-agent: *\nDisallow: /members/\n", content_type="text/plain")
    host.set_content("members/en-03.html", (PAGES / "en-03.html").read_bytes(), content_type=HTML)
    host.set_content("news/en-02.html", (PAGES / "en-02.html").read_bytes(), content_type=HTML)
    serve_feed(
        host, {"members/en-03.html": "Shoigu arrives in North Korea for second visit", "news/en-02.html": CANDIDATE}
    )

    ingest_and_read(db, settings_for(host))
    serve_feed(host, {"news/en-04.html": "Kremlin confirms plans for leader's visit in the spring"})
    host.set_content("news/en-04.html", (PAGES / "en-04.html").read_bytes(), content_type=HTML)
    ingest_and_read(db, settings_for(host))

    rows = page_rows(db)
    assert rows["members/en-03.html"][:2] == (
        "robots",
        "robots.txt of 127.0.0.2 disallows /members/en-03.html for our user agent",
    )
    assert host.hits("members/en-03.html") == []
    assert rows["news/en-02.html"][0] == rows["news/en-04.html"][0] == "ok"
    assert host.statuses("robots.txt") == [200]  # cached for the second run


def test_disabled_full_text_fetches_nothing(db, host):
    serve_feed(host, {"news/en-02.html": CANDIDATE})
    report = ingest_and_read(db, settings_for(host, enabled=False))
    assert report.pages == {} and page_rows(db) == {} and host.hits("news/en-02.html") == []


CP1251_PAGE = (
    "<html><head><meta charset='windows-1251'><title>Шойгу</title></head><body><article><h1>Шойгу в Пхеньяне</h1>"
    "<p>Секретарь Совета безопасности России Сергей Шойгу прибыл в Пхеньян, где проведёт переговоры с руководством "
    "КНДР о выполнении договора о стратегическом партнёрстве между Россией и Северной Кореей.</p>"
    "<p>Визит продлится два дня, сообщила пресс-служба.</p></article></body></html>"
).encode("cp1251")
JS_ONLY = (
    b"<!DOCTYPE html><html><head><title>Loading</title><script src='/app.js'></script></head>"
    b"<body><div id='root'></div><noscript>Enable JavaScript to read this article.</noscript></body></html>"
)


@pytest.mark.parametrize(
    ("case", "status", "reason"),
    [
        ("a 5 GB stream", "too_large", "response larger than 3,000,000 bytes"),
        ("a PDF that says it is HTML", "not_html", "Content-Type says text/html but the body is binary"),
        ("a PDF", "not_html", "Content-Type application/pdf is not an HTML page"),
        ("windows-1251 under a utf-8 header", "ok", None),
        (
            "a JavaScript-only page",
            "error",
            "no readable article text (0 chars): the page builds its text with JavaScript",
        ),
        ("robots.txt answers 500", "robots", "robots.txt unavailable (HTTP 500 Internal Server Error)"),
        ("robots.txt is 2 MB of junk", "robots", "robots.txt unavailable (response larger than 500,000 bytes)"),
        ("robots.txt is a little junk", "ok", None),
        ("a 403", "blocked", "HTTP 403 Forbidden"),
        ("a paywall", "paywalled", "a paywall notice follows"),
    ],
)
def test_bad_pages_end_as_a_status_with_a_reason_and_lose_nothing(db, host, case, status, reason):
    page = (PAGES / "en-02.html").read_bytes()
    path = "news/page.html"
    if case == "a 5 GB stream":
        path = "endless-html"
    elif case == "a PDF that says it is HTML":
        host.set_content(path, b"%PDF-1.7\n" + bytes(range(256)) * 100, content_type=HTML)
    elif case == "a PDF":
        host.set_content(path, b"%PDF-1.7\n", content_type="application/pdf")
    elif case == "windows-1251 under a utf-8 header":
        host.set_content(path, CP1251_PAGE, content_type=HTML)
    elif case == "a JavaScript-only page":
        host.set_content(path, JS_ONLY, content_type=HTML)
    elif case == "robots.txt answers 500":
        host.set_status("robots.txt", 500)
    elif case == "robots.txt is 2 MB of junk":
        host.set_content("robots.txt", bytes(range(256)) * 8192, content_type="text/plain")
    elif case == "robots.txt is a little junk":
        host.set_content("robots.txt", bytes(range(256)) * 4, content_type="text/plain")
    elif case == "a 403":
        host.set_status(path, 403)
    elif case == "a paywall":
        host.set_content(path, (PAGES / "en-10.html").read_bytes(), content_type=HTML)
    if not host.document(path) and path != "endless-html" and case != "a 403":
        host.set_content(path, page, content_type=HTML)
    serve_feed(host, {path: CANDIDATE})

    report = ingest_and_read(db, settings_for(host))

    got_status, got_reason, text = page_rows(db)[path]
    assert got_status == status, got_reason
    assert reason is None or (got_reason or "").startswith(reason)
    assert report.pages == {status: 1}
    if case == "windows-1251 under a utf-8 header":
        assert "Шойгу прибыл в Пхеньян" in text
    with db, db.cursor() as cur:
        cur.execute("SELECT count(*) FROM articles WHERE title = %s", (CANDIDATE,))
        assert cur.fetchone()[0] == 1  # the feed item is kept whatever the page did
        cur.execute("SELECT last_status, consecutive_failures FROM feeds")
        assert cur.fetchone() == ("ok", 0)


def test_a_page_at_a_private_address_is_blocked_before_any_request(db):
    settings = parse_settings("fetch: {timeout_seconds: 5}")
    with db, db.cursor() as cur:
        cur.execute("INSERT INTO feeds (name, url) VALUES ('wire', 'https://wire.example/rss') RETURNING id")
        feed_id = cur.fetchone()[0]
        now = datetime.now(UTC)
        cur.execute(
            "INSERT INTO articles (url, guid, title, published_at, fetched_at, feed_id, score, relevant)"
            " VALUES ('http://10.0.0.7/news/1.html', 'g1', %s, %s, %s, %s, 0, false)",
            (CANDIDATE, now, now, feed_id),
        )
        fulltext.text_store.mark_pending(cur, [("http://10.0.0.7/news/1.html", "test")], now)

    report = fulltext.fetch_full_texts(db, settings)

    assert report.pages == {"blocked": 1}
    with db, db.cursor() as cur:
        cur.execute("SELECT status, reason FROM article_texts")
        status, reason = cur.fetchone()
    assert status == "blocked" and reason.startswith("refusing to fetch from a private address 10.0.0.7")
