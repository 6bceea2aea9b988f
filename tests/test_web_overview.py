"""The workspace's overview page (/nkru/): coverage chart, rising entities, latest stories, feeds in one line.

The login in front of it, and a real browser going through the pages, are in test_web_server.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import time as day_time

from nkru import store
from nkru.edge.web.overview import render_page
from tests import history
from tests.html_refs import external_references, loaded_references

history_db = history.history_db  # the module-scoped fixture


def test_page_shows_volume_rising_stories_and_feed_health(history_db):
    url, hist = history_db
    with store.connection(url) as conn:
        html = render_page(conn, datetime.combine(hist.today, day_time(18), UTC))
    assert "<h1>North Korea–Russia</h1>" in html
    loaded = loaded_references(html)
    assert any(ref.startswith("data:image/png;base64,") for ref in loaded), "charts are inlined"
    assert external_references(html) == [], "the page loads nothing from another host"
    rising = html[html.index("<h2>Rising") : html.index("<h2>Latest stories")]
    assert rising.index("Sergei Naryshkin") < rising.index("Pyongyang")
    assert 'href="/nkru/entity?name=Sergei%20Naryshkin">Sergei Naryshkin</a>' in rising
    stories = html[html.index("<h2>Latest stories") : html.index("<h2>Feeds")]
    assert "visit-talks</a>" in stories and "Sergei Naryshkin · North Korea · Russia" in stories
    assert 'href="/nkru/stories/' in stories
    feeds = html[html.index("<h2>Feeds") :]
    assert "7 feeds:" in feeds and "1 failing: HTTP 503 Service Unavailable" in feeds
    assert 'class="status-silent">silent</span>: Quiet Wire' in feeds and 'href="/nkru/feeds"' in feeds


def test_page_escapes_what_came_from_feeds(db):
    hist = history.build(db)
    with db, db.cursor() as cur:
        cur.execute(
            "INSERT INTO stories (title, published_at) VALUES (%s, now()) RETURNING id",
            ('<script>alert("t")</script>',),
        )
        story = cur.fetchone()[0]
        cur.execute(
            """INSERT INTO articles (url, title, published_at, fetched_at, feed_id, score, relevant, story_id)
               SELECT 'javascript:alert(1)', 'x', now(), now(), id, 2, true, %s FROM feeds WHERE name = 'TASS'""",
            (story,),
        )
        cur.execute("UPDATE entities SET name = '<img src=x onerror=alert(2)>' WHERE name = 'Sergei Naryshkin'")
        cur.execute("UPDATE entities SET name = E'Pyong\\x1b[2Jyang\\x07' WHERE name = 'Pyongyang'")
    html = render_page(db, datetime.now(UTC))
    assert "\x1b" not in html and "\x07" not in html and "Pyong[2Jyang" in html  # stored before the filter
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert 'href="javascript:' not in html
    assert hist.today.isoformat() in html


def test_page_of_an_empty_database_says_so(db):
    html = render_page(db, datetime.now(UTC))
    assert "No articles are stored yet" in html and "Nothing is rising this week" in html
