"""A small multilingual newsroom for the workspace tests: what an analyst would search, open and follow.

Written for nkru (not copied from real articles). Dated relative to `today` (UTC):

* Shoigu's visit to Pyongyang, 1 day ago: TASS in Russian first (06:10), Yonhap in English 1 h 15 min later, Yonhap's
  Korean service at 07:40, DPA in German at 09:00 (and Interfax carries TASS's copy). An instant alert was sent.
* Shoigu at an earlier arms meeting, 20 days ago, in English only.
* A road bridge over the Tumen, 3 days ago, in Russian and English, without Shoigu.
* 30 routine port-trade items, one a day, so the stories list needs a second page.
* Feeds: three failing because their host cannot be resolved, one with HTTP 503, one healthy feed gone silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest

from nkru import store
from nkru.aliases import alias_key
from nkru.store import Connection
from nkru.store import trends as trend_store

ENTITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Sergei Shoigu": ("PERSON", ("Shoigu", "Сергей Шойгу", "Шойгу", "쇼이구", "Schoigu")),
    "Kim Jong Un": ("PERSON", ("Kim Jong-un", "Ким Чен Ын", "김정은")),
    "North Korea": ("GPE", ("DPRK", "КНДР", "Nordkorea", "북한")),
    "Russia": ("GPE", ("Россия", "Russland", "러시아")),
    "Pyongyang": ("GPE", ("Пхеньян", "평양", "Pjöngjang")),
    "Tumen River": ("LOC", ("Туманная", "두만강")),
    "Rason": ("GPE", ("Расон", "라선")),
}

RESOLVE = "cannot resolve host {host}: [Errno -2] Name or service not known"


@dataclass(frozen=True)
class Feed:
    name: str
    language: str
    error: str | None = None
    http_status: int | None = 200


FEEDS = (
    Feed("TASS", "ru"),
    Feed("Interfax", "ru"),
    Feed("Yonhap", "en"),
    Feed("Yonhap Korean", "ko"),
    Feed("DPA", "de"),
    Feed("Harbour Gazette", "en"),
    Feed("Quiet Wire", "en"),
    Feed("Daily Monitor", "en", RESOLVE.format(host="daily-monitor.example"), None),
    Feed("Border Watch", "en", RESOLVE.format(host="border.example"), None),
    Feed("Sea Lanes", "en", RESOLVE.format(host="sealanes.example"), None),
    Feed("Broken Feed", "en", "HTTP 503 Service Unavailable", 503),
)


@dataclass(frozen=True)
class Article:
    story: str
    feed: str
    language: str
    title: str
    summary: str
    days_ago: int
    at: time
    entities: dict[str, int] = field(default_factory=dict)
    also_in: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    score: float = 2.4


VISIT = "Shoigu arrives in Pyongyang for talks with Kim Jong Un"
VISIT_PEOPLE = {"Sergei Shoigu": 2, "Kim Jong Un": 1, "Pyongyang": 1, "North Korea": 1, "Russia": 1}

ARTICLES = [
    Article(
        VISIT,
        "TASS",
        "ru",
        "Шойгу прибыл в Пхеньян для переговоров с Ким Чен Ыном",
        "Секретарь Совета безопасности России Сергей Шойгу прибыл в Пхеньян; стороны обсудят военное сотрудничество.",
        1,
        time(6, 10),
        VISIT_PEOPLE,
        also_in=("Interfax",),
        terms=("Пхеньян", "Россия", "военное сотрудничество"),
        score=3.1,
    ),
    Article(
        VISIT,
        "Yonhap",
        "en",
        "Russia's Shoigu arrives in Pyongyang for talks with Kim Jong Un",
        "Sergei Shoigu, secretary of Russia's Security Council, landed in Pyongyang on Tuesday, KCNA said.",
        1,
        time(7, 25),
        VISIT_PEOPLE,
        terms=("Pyongyang", "Russia", "military cooperation"),
        score=2.8,
    ),
    Article(
        VISIT,
        "Yonhap Korean",
        "ko",
        "쇼이구 러시아 안보회의 서기 방북…김정은과 회담 전망",
        "세르게이 쇼이구 러시아 국가안보회의 서기가 평양에 도착했다고 조선중앙통신이 보도했다.",
        1,
        time(7, 40),
        VISIT_PEOPLE,
        terms=("평양", "러시아"),
        score=2.5,
    ),
    Article(
        VISIT,
        "DPA",
        "de",
        "Schoigu zu Gesprächen in Pjöngjang eingetroffen",
        "Der Sekretär des russischen Sicherheitsrats, Sergej Schoigu, ist zu Gesprächen mit Kim Jong Un in Nordkorea.",
        1,
        time(9, 0),
        VISIT_PEOPLE,
        terms=("Pjöngjang", "Nordkorea", "russischen"),
        score=2.6,
    ),
    Article(
        "Shoigu meets arms industry chiefs on munitions for the front",
        "Yonhap",
        "en",
        "Shoigu meets arms industry chiefs as North Korean shells reach the front",
        "Sergei Shoigu met defence industry executives; officials in Seoul say North Korean munitions are in use.",
        20,
        time(10, 0),
        {"Sergei Shoigu": 1, "North Korea": 1, "Russia": 1},
        terms=("North Korean", "munitions", "Russia"),
    ),
    Article(
        "Road bridge over the Tumen ahead of schedule",
        "TASS",
        "ru",
        "Строительство автомобильного моста через Туманную идёт с опережением графика",
        "Мост свяжет Россию и КНДР; открытие движения запланировано на следующий год.",
        3,
        time(11, 0),
        {"Tumen River": 1, "Russia": 1, "North Korea": 1},
        terms=("КНДР", "Россию", "мост"),
    ),
    Article(
        "Road bridge over the Tumen ahead of schedule",
        "Yonhap",
        "en",
        "Russia–North Korea road bridge over the Tumen ahead of schedule, Moscow says",
        "The first road link between Russia and North Korea should open to traffic next year.",
        3,
        time(14, 30),
        {"Tumen River": 1, "Russia": 1, "North Korea": 1},
        terms=("North Korea", "Russia", "bridge"),
    ),
]
ARTICLES += [
    Article(
        f"Rason port handles Russian cargo, day {d}",
        "Harbour Gazette",
        "en",
        f"Rason port handles another Russian coal shipment (day {d})",
        "A Russian freighter unloaded coal at the North Korean port of Rason, harbour officials said.",
        d,
        time(5, 0),
        {"Rason": 1, "Russia": 1, "North Korea": 1},
        terms=("Rason", "Russian", "North Korean"),
        score=1.4,
    )
    for d in range(2, 32)
]


@dataclass(frozen=True)
class Workspace:
    today: date
    story_ids: dict[str, int]
    entity_ids: dict[str, int]


def build(conn: Connection, today: date | None = None) -> Workspace:
    """Store the newsroom in a migrated database (and refresh the trend tables)."""
    today = today or datetime.now(UTC).date()
    noon = datetime.combine(today, time(12), UTC)
    with conn, conn.cursor() as cur:
        feed_ids = {}
        for feed in FEEDS:
            failing = feed.error is not None
            cur.execute(
                """INSERT INTO feeds (name, url, language, last_status, last_http_status, last_error,
                                      consecutive_failures, failing_since, last_fetched_at, last_success_at)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
                (
                    feed.name,
                    f"https://{feed.name.lower().replace(' ', '-')}.example/rss.xml",
                    feed.language,
                    ("http_error" if feed.http_status else "connection_error") if failing else "ok",
                    feed.http_status,
                    feed.error,
                    5 if failing else 0,
                    noon - timedelta(days=2) if failing else None,
                    noon,
                    noon - timedelta(days=2) if failing else noon,
                ),
            )
            feed_ids[feed.name] = cur.fetchone()[0]
        entity_ids = {}
        for name, (label, aliases) in ENTITIES.items():
            cur.execute("INSERT INTO entities (name, label) VALUES (%s, %s) RETURNING id", (name, label))
            entity_ids[name] = cur.fetchone()[0]
            for alias in {name, *aliases}:
                cur.execute(
                    "INSERT INTO entity_aliases (alias_key, alias, entity_id) VALUES (%s, %s, %s)"
                    " ON CONFLICT DO NOTHING",
                    (alias_key(alias), alias, entity_ids[name]),
                )
        story_ids: dict[str, int] = {}
        for n, article in enumerate(ARTICLES):
            published = datetime.combine(today - timedelta(days=article.days_ago), article.at, UTC)
            if article.story not in story_ids:
                cur.execute(
                    "INSERT INTO stories (title, published_at, first_seen_at) VALUES (%s, %s, %s) RETURNING id",
                    (article.story, published, published),
                )
                story_ids[article.story] = cur.fetchone()[0]
            cur.execute(
                """INSERT INTO articles (url, title, summary, language, declared_language, published_at, fetched_at,
                                         feed_id, score, relevant, matched_terms, reason, story_id, extracted_at)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, true, %s, %s, %s, %s) RETURNING id""",
                (
                    f"https://{article.feed.lower().replace(' ', '-')}.example/news/{n}",
                    article.title,
                    article.summary,
                    article.language,
                    article.language,
                    published,
                    published + timedelta(minutes=4),
                    feed_ids[article.feed],
                    article.score,
                    list(article.terms),
                    f"North Korea and Russia both named as parties: {', '.join(article.terms)}",
                    story_ids[article.story],
                    published,
                ),
            )
            article_id = cur.fetchone()[0]
            for feed in (article.feed, *article.also_in):
                cur.execute(
                    "INSERT INTO article_feeds (article_id, feed_id, first_seen_at) VALUES (%s, %s, %s)",
                    (article_id, feed_ids[feed], published),
                )
            for name, count in article.entities.items():
                cur.execute(
                    "INSERT INTO mentions (article_id, entity_id, count) VALUES (%s, %s, %s)",
                    (article_id, entity_ids[name], count),
                )
        for d in range(8, 36):  # Quiet Wire published daily until a week ago, and nothing since
            published = datetime.combine(today - timedelta(days=d), time(9), UTC)
            cur.execute(
                """INSERT INTO articles (url, title, language, published_at, fetched_at, feed_id, score, relevant)
                   VALUES (%s, %s, 'en', %s, %s, %s, 0, false)""",
                (
                    f"https://quiet-wire.example/{d}",
                    f"Weather in Seoul, day {d}",
                    published,
                    published,
                    feed_ids["Quiet Wire"],
                ),
            )
        visit_article = _first_article(cur, story_ids[VISIT])
        cur.execute(
            """INSERT INTO alert_outbox (rule, story_id, recipient, mode, article_id, message_id, status, attempts,
                                         created_at, sent_at)
               VALUES ('military-cooperation', %s, 'analysts@example.org', 'instant', %s, '<visit@nkru>', 'sent', 1,
                       %s, %s)""",
            (story_ids[VISIT], visit_article, noon - timedelta(hours=29), noon - timedelta(hours=29)),
        )
    trend_store.refresh_daily(conn, today - timedelta(days=40), today)
    return Workspace(today, story_ids, entity_ids)


def _first_article(cur, story_id: int) -> int:
    cur.execute("SELECT min(id) FROM articles WHERE story_id = %s", (story_id,))
    return cur.fetchone()[0]


@pytest.fixture(scope="module")
def workspace_db(migrated_template: str) -> Iterator[tuple[str, Workspace]]:
    """(URL, Workspace) of a database holding the newsroom, shared by a module's tests that only read it."""
    from tests.databases import create_database, drop_database

    url = create_database(template=migrated_template)
    with store.connection(url) as conn:
        built = build(conn)
    yield url, built
    drop_database(url)
