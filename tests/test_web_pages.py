"""The workspace's pages, rendered from a real database: what an analyst finds, opens and reads.

Searching (any language, any script), filtering and paging stories; one story with every outlet and who was
first; one entity; feeds with failures summed up by reason; and that nothing from a feed can run as HTML.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nkru import store
from nkru.edge.web.entity import render_entity, rising
from nkru.edge.web.feeds import render_feeds
from nkru.edge.web.stories import PER_PAGE, render_stories
from nkru.edge.web.story import render_story
from nkru.trends.tables import failure_reason
from tests import workspace_data
from tests.html_refs import external_references

workspace_db = workspace_data.workspace_db  # the module-scoped fixture
VISIT = workspace_data.VISIT
BRIDGE = "Road bridge over the Tumen ahead of schedule"
ARMS = "Shoigu meets arms industry chiefs on munitions for the front"


@pytest.fixture(scope="module")
def conn(workspace_db):
    with store.connection(workspace_db[0]) as connection:
        yield connection


@pytest.fixture(scope="module")
def ws(workspace_db) -> workspace_data.Workspace:
    return workspace_db[1]


def headlines(html: str) -> list[str]:
    """The story headlines listed on a Stories page, in order."""
    table = html[html.index('id="stories"') :] if 'id="stories"' in html else ""
    return [title for title in _all_story_titles() if f">{title}</a>" in table]


def _all_story_titles() -> list[str]:
    return list(dict.fromkeys(a.story for a in workspace_data.ARTICLES))


def test_a_name_in_another_script_finds_the_stories_in_every_language(conn):
    for spelling in ("Шойгу", "shoigu", "쇼이구", "Schoigu"):
        html = render_stories(conn, {"q": spelling})
        assert set(headlines(html)) == {VISIT, ARMS}, spelling
    assert "2 stories match" in render_stories(conn, {"q": "Шойгу"})


def test_words_are_found_in_each_articles_own_language(conn):
    assert headlines(render_stories(conn, {"q": "мосты"})) == [BRIDGE]  # Russian stemming: мост
    assert headlines(render_stories(conn, {"q": "bridges"})) == [BRIDGE]  # English stemming: bridge
    assert headlines(render_stories(conn, {"q": "Gesprächen"})) == [VISIT]  # German
    assert headlines(render_stories(conn, {"q": "방북"})) == [VISIT]  # Korean, inside a word: substring
    assert headlines(render_stories(conn, {"q": '"road bridge" -Kursk'})) == [BRIDGE]
    assert "No stories match" in render_stories(conn, {"q": "Vladivostok"})


def test_words_found_only_in_the_full_text_find_the_story(db):
    ws = workspace_data.build(db)
    with db, db.cursor() as cur:
        cur.execute("SELECT to_regclass('article_texts') IS NOT NULL")
        if not cur.fetchone()[0]:  # before migration 012 (full text) is applied: the columns the search reads
            cur.execute("CREATE TABLE article_texts (article_id bigint PRIMARY KEY, status text NOT NULL, text text)")
        cur.execute(
            "INSERT INTO article_texts (article_id, status, text)"
            " SELECT min(id), 'ok', 'Грузовики пойдут через мост в порт Зарубино.' FROM articles WHERE story_id = %s",
            (ws.story_ids[BRIDGE],),
        )
    assert headlines(render_stories(db, {"q": "Зарубино"})) == [BRIDGE]  # in neither title nor summary
    assert headlines(render_stories(db, {"q": "грузовик"})) == [BRIDGE]  # Russian stemming in the full text too


def test_filters_narrow_the_stories(conn, ws):
    assert headlines(render_stories(conn, {"entity": "Ким Чен Ын"})) == [VISIT]
    assert headlines(render_stories(conn, {"q": "Shoigu", "lang": "de"})) == [VISIT]
    assert headlines(render_stories(conn, {"q": "Shoigu", "source": "Interfax"})) == [VISIT]  # carried, not first
    assert headlines(render_stories(conn, {"rule": "military-cooperation"})) == [VISIT]
    assert set(headlines(render_stories(conn, {"min_score": "2.3"}))) == {VISIT, ARMS, BRIDGE}
    day = ws.today - timedelta(days=20)
    assert headlines(render_stories(conn, {"q": "Shoigu", "since": day.isoformat(), "until": day.isoformat()})) == [
        ARMS
    ]


def test_bad_filters_are_explained_not_fatal(conn):
    html = render_stories(conn, {"entity": "Shoygu Sergey", "since": "last week", "min_score": "high"})
    assert "No entity is known as “Shoygu Sergey”" in html
    assert "&#39;last week&#39; is not a date: use YYYY-MM-DD" in html
    assert "Minimum score: &#39;high&#39; is not a number" in html
    assert "No stories match these filters" in html
    for wildcard in ("%", "_", "\\", "' OR 1=1 --"):
        assert "No stories match" in render_stories(conn, {"q": wildcard}), wildcard  # just text, never a pattern


def test_stories_are_paged_newest_first_keeping_the_filters(conn):
    first = render_stories(conn, {"q": "Rason"})
    assert f"30 stories match; showing 1–{PER_PAGE}, newest first" in first
    assert 'href="/nkru/stories?q=Rason&amp;page=2" rel="next"' in first
    second = render_stories(conn, {"q": "Rason", "page": "2"})
    assert f"showing {PER_PAGE + 1}–30" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert "cargo, day 2<" not in second and "cargo, day 31<" in second  # the oldest on the last page


def test_each_row_shows_source_time_languages_and_outlets(conn):
    html = render_stories(conn, {"q": "Shoigu Pyongyang"})
    row = html[html.index(f">{VISIT}</a>") :].split("</tr>")[0]
    assert "4 articles" in row and ">TASS<" in row
    assert [lang for lang in ("de", "en", "ko", "ru") if f">{lang}</span>" in row] == ["de", "en", "ko", "ru"]
    assert '<td class="num">5</td>' in row  # TASS, Interfax, Yonhap, Yonhap Korean, DPA


def test_story_page_says_who_was_first_and_how_long_the_others_took(conn, ws):
    html = render_story(conn, ws.story_ids[VISIT])
    assert "<strong>TASS</strong> was first" in html
    outlets = html[html.index('id="outlets"') : html.index("Why it is relevant")]
    order = [name for name in ("TASS", "Interfax", "Yonhap<", "Yonhap Korean", "DPA") if name in outlets]
    assert order == ["TASS", "Interfax", "Yonhap<", "Yonhap Korean", "DPA"]
    assert "+1 h 15 min" in outlets and "+1 h 30 min" in outlets and "+2 h 50 min" in outlets
    assert "the last of the 5 outlets followed 2 h 50 min later" in html
    articles = html[html.index('id="articles"') :]
    assert 'href="https://tass.example/news/0"' in articles and "also in Interfax" in articles
    assert "Шойгу прибыл в Пхеньян" in articles and "쇼이구" in articles
    assert "North Korea and Russia both named as parties" in html  # the relevance reason
    entities = html[html.index('id="entities"') :]
    assert f'href="/nkru/entities/{ws.entity_ids["Sergei Shoigu"]}">Sergei Shoigu</a>' in entities
    alerts = html[html.index('id="alerts"') :]
    assert "military-cooperation" in alerts and "analysts@example.org" in alerts and ">sent<" in alerts


def test_story_page_says_why_each_report_joined_when_the_grouping_recorded_it(db):
    ws = workspace_data.build(db)
    story_id = ws.story_ids[VISIT]
    with db, db.cursor() as cur:
        cur.execute("SELECT to_regclass('story_members') IS NOT NULL")
        if not cur.fetchone()[0]:  # before migration 011 (event stories) is applied: the columns the page reads
            cur.execute(
                "CREATE TABLE story_members (article_id bigint PRIMARY KEY, story_id bigint NOT NULL,"
                " rule text NOT NULL, reason jsonb NOT NULL DEFAULT '{}', published_at timestamptz NOT NULL,"
                " seen_at timestamptz NOT NULL)"
            )
        cur.execute(
            """INSERT INTO story_members (article_id, story_id, rule, reason, published_at, seen_at)
               SELECT id, story_id, CASE WHEN language = 'ru' THEN 'new' ELSE 'same-event' END,
                      jsonb_build_object('shared_entities', ARRAY['Sergei Shoigu', 'Kim Jong Un'],
                                         'time_gap_hours', 1.25, 'note', '<b>x</b>'),
                      published_at, published_at
               FROM articles WHERE story_id = %s""",
            (story_id,),
        )
    html = render_story(db, story_id)
    articles = html[html.index('id="articles"') :]
    assert "joined: same-event; " in articles
    assert "shared entities Sergei Shoigu, Kim Jong Un" in articles and "time gap hours 1.25" in articles
    assert articles.count("joined: ") == 3  # not on the first report, which started the story
    assert "<b>x</b>" not in html


def test_an_unknown_story_or_entity_is_none(conn):
    assert render_story(conn, 999_999) is None
    assert render_entity(conn, 999_999, datetime.now(UTC)) is None


def test_entity_page_has_timeline_company_stories_and_spellings(conn, ws):
    html = render_entity(conn, ws.entity_ids["Sergei Shoigu"], datetime.now(UTC))
    assert "<h1>Sergei Shoigu" in html and "data:image/png;base64," in html
    named = html[html.index('id="named-with"') :]
    assert f'href="/nkru/entities/{ws.entity_ids["Kim Jong Un"]}">Kim Jong Un</a>' in named
    assert VISIT in html and ARMS in html
    spellings = html[html.index('id="spellings"') :]
    assert all(f">{s}</span>" in spellings for s in ("Шойгу", "쇼이구", "Schoigu", "Sergei Shoigu"))
    rising_line = html[html.index('id="rising"') :].split("</p>")[0]
    assert ">Rising</span>: 4 articles in the last 7 days against\n  about 0.2 usually" in rising_line
    assert external_references(html) == []


def test_rising_needs_twice_the_usual_level_and_three_articles():
    assert rising([0] * 28 + [0, 0, 0, 0, 1, 1, 1])["rising"]  # first-ever: 3 against 0
    assert not rising([0] * 28 + [0, 0, 0, 0, 0, 1, 1])["rising"]  # too few
    assert not rising([1] * 35)["rising"]  # a staple at its usual level


def test_feeds_page_sums_failures_up_by_reason(conn):
    html = render_feeds(conn, datetime.now(UTC))
    assert "3 failing: cannot resolve host" in html and "1 failing: HTTP 503 Service Unavailable" in html
    assert "(Border Watch, Daily Monitor, Sea Lanes)" in html
    assert html.count("failing: cannot resolve host") == 1  # one line, not one paragraph per feed
    assert html.count(">cannot resolve host</span>") == 3  # and the reason in each failing feed's row
    quiet = html[html.index("Gone quiet") : html.index("<h2>Health")]
    assert "Quiet Wire: no items in 7 days" in quiet
    assert 'class="status-silent">silent' in html


def test_failure_reason_drops_what_differs_between_feeds():
    assert failure_reason("cannot resolve host a.example: [Errno -2] Name or service not known", None) == (
        "cannot resolve host"
    )
    assert failure_reason("cannot connect to b.example: timed out", "connection_error") == "cannot connect to"
    assert failure_reason("HTTP 404 Not Found", "http_error") == "HTTP 404 Not Found"
    assert failure_reason(None, "timeout") == "timeout"


def test_nothing_from_a_feed_runs_as_html(db):
    workspace_data.build(db)
    with db, db.cursor() as cur:
        cur.execute(
            "UPDATE articles SET title = '<script>alert(1)</script>', url = 'javascript:alert(2)',"
            " summary = '<img src=x onerror=alert(3)>', reason = '<b>bold</b>'"
            " WHERE id = (SELECT min(id) FROM articles WHERE language = 'ru')"
        )
        cur.execute("UPDATE stories SET title = '<iframe src=//evil.example>' WHERE title = %s RETURNING id", (VISIT,))
        story_id = cur.fetchone()[0]
        cur.execute("UPDATE feeds SET name = '<u>TASS</u>', last_error = '<i>x</i>: y' WHERE name = 'TASS'")
        cur.execute("UPDATE entity_aliases SET alias = '<svg onload=alert(4)>' WHERE alias = 'Шойгу'")
    shoigu = workspace_data_entity(db, "Sergei Shoigu")
    pages = [
        render_stories(db, {"q": "Шойгу"}),
        render_story(db, story_id),
        render_entity(db, shoigu, datetime.now(UTC)),
        render_feeds(db, datetime.now(UTC)),
        render_stories(db, {"q": "<script>", "entity": "<b>"}),
    ]
    for html in pages:
        for raw in ("<script>alert", "<img src=x", "<iframe", "<u>TASS", "<svg", "<b>bold", "<i>x"):
            assert raw not in html
        assert 'href="javascript:' not in html
        assert external_references(html) == []
    assert "&lt;iframe src=//evil.example&gt;" in pages[0] and "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[1]


def workspace_data_entity(conn, name: str) -> int:
    with conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM entities WHERE name = %s", (name,))
        return cur.fetchone()[0]
