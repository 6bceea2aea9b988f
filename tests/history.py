"""A small news history with known counts, for the trend tests.

Everything is dated relative to `today` (UTC). Windows the tests use: recent = the last 7 days (today-6 .. today),
baseline = the 28 days before (today-34 .. today-7).

* a staple: one relevant Yonhap article a day for 35 days naming Kim Jong Un, North Korea (twice) and Russia;
* a first-ever visit: Sergei Naryshkin in Pyongyang, 6 relevant articles over the last 3 days, never before;
* twice instead of once: Choe Son Hui in 1 article of the baseline and 2 of the recent window;
* a name full of quotes, %, _ and SQL, once;
* an old article 45 days ago and nothing between 44 and 35 days ago (a gap to zero-fill);
* feeds in each state: Quiet Wire (silent though healthy), Slow Wire (quiet), Broken Feed (failing),
  New Feed (new), TASS (irrelevant items only, plus the visit), KCNA Watch (the visit only).
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

HOSTILE = 'O\'Neil "100%_sure" [/bold]; DROP TABLE articles; --'

ENTITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Kim Jong Un": ("PERSON", ("Kim Jong-un", "Ким Чен Ын", "김정은")),
    "Vladimir Putin": ("PERSON", ("Putin", "Путин")),
    "Sergei Naryshkin": ("PERSON", ("Naryshkin", "Сергей Нарышкин")),
    "Choe Son Hui": ("PERSON", ("최선희",)),
    "North Korea": ("GPE", ("DPRK", "North Korea's", "КНДР")),
    "Russia": ("GPE", ("Россия",)),
    "Pyongyang": ("GPE", ("평양",)),
    "SVR": ("ORG", ("Foreign Intelligence Service",)),
    HOSTILE: ("ORG", ()),
}

RECENT_DAYS = 7
BASELINE_DAYS = 28


@dataclass(frozen=True)
class Item:
    """One article: `days_ago` before today (UTC, at `hour`), the feeds carrying it, its entities."""

    days_ago: int
    feed: str
    relevant: bool = True
    entities: dict[str, int] = field(default_factory=dict)  # canonical name -> mention count
    also_in: tuple[str, ...] = ()
    story: str | None = None
    hour: int = 12


@dataclass(frozen=True)
class Feed:
    name: str
    consecutive_failures: int = 0
    last_error: str | None = None
    last_status: str = "ok"
    last_http_status: int | None = 200


FEEDS = (
    Feed("Yonhap"),
    Feed("KCNA Watch"),
    Feed("TASS"),
    Feed("Quiet Wire"),
    Feed("Slow Wire"),
    Feed("Broken Feed", 4, "HTTP 503 Service Unavailable", "http_error", 503),
    Feed("New Feed"),
)

STAPLE = {"Kim Jong Un": 1, "North Korea": 2, "Russia": 1}
VISIT = {"Sergei Naryshkin": 2, "North Korea": 1, "Russia": 1}


def items() -> list[Item]:
    """The whole history."""
    out = [Item(d, "Yonhap", entities=STAPLE, story=f"staple-{d}", hour=0 if d == 10 else 12) for d in range(35)]
    out += [
        Item(2, "KCNA Watch", entities={**VISIT, "SVR": 1, "Pyongyang": 1}, story="visit-arrival", also_in=("Yonhap",)),
        Item(2, "TASS", entities={**VISIT, "SVR": 1, "Pyongyang": 1}, story="visit-arrival"),
        Item(2, "KCNA Watch", entities={**VISIT, "SVR": 2}, story="visit-arrival", hour=18),
        Item(1, "KCNA Watch", entities={**VISIT, "SVR": 1, "Pyongyang": 1}, story="visit-talks"),
        Item(1, "TASS", entities=VISIT, story="visit-talks"),
        Item(0, "KCNA Watch", entities={**VISIT, "Pyongyang": 1}, story="visit-talks"),
    ]
    out += [
        Item(20, "Yonhap", entities={"Choe Son Hui": 1, "North Korea": 1}, story="choe-1"),
        Item(5, "Yonhap", entities={"Choe Son Hui": 1, "Russia": 1}, story="choe-2"),
        Item(3, "Yonhap", entities={"Choe Son Hui": 1, "Vladimir Putin": 1}, story="choe-3"),
        Item(4, "Yonhap", entities={HOSTILE: 1, "Kim Jong Un": 1}, story="hostile"),
        Item(45, "Yonhap", entities={"Vladimir Putin": 1, "North Korea": 1}, story="old"),
    ]
    out += [Item(d, "TASS", relevant=False) for d in range(35)]
    out += [Item(d, "Quiet Wire", relevant=False) for d in range(RECENT_DAYS, 35)]
    out += [Item(d, "Slow Wire", relevant=False, hour=h) for d in range(RECENT_DAYS, 35) for h in (9, 15)]
    out += [Item(2, "Slow Wire", relevant=False)]
    out += [Item(d, "Broken Feed", relevant=False) for d in range(4, 35)]
    out += [Item(d, "New Feed", relevant=False) for d in (1, 2)]
    return out


@dataclass(frozen=True)
class History:
    today: date
    items: list[Item]
    entity_ids: dict[str, int]

    def day(self, item: Item) -> date:
        return self.today - timedelta(days=item.days_ago)

    def since(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def relevant_in(self, first: date, last: date) -> list[Item]:
        return [i for i in self.items if i.relevant and first <= self.day(i) <= last]

    def articles_naming(self, entity: str, first: date, last: date) -> int:
        return sum(1 for i in self.relevant_in(first, last) if entity in i.entities)


def build(conn: Connection, today: date | None = None) -> History:
    """Store the history in a migrated database and refresh the trend tables; return what was stored."""
    today = today or datetime.now(UTC).date()
    history_items = items()
    with conn, conn.cursor() as cur:
        feed_ids = _insert_feeds(cur, today)
        entity_ids = _insert_entities(cur)
        stories: dict[str, int] = {}
        for n, item in enumerate(history_items):
            published = datetime.combine(today - timedelta(days=item.days_ago), time(item.hour, 30), UTC)
            story_id = _story(cur, stories, item, published)
            cur.execute(
                """INSERT INTO articles (url, guid, title, published_at, fetched_at, feed_id, score, relevant,
                                         story_id, extracted_at)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
                (
                    f"https://news.example/{n}",
                    f"guid-{n}",
                    f"Article {n} ({item.story or 'other'})",
                    published,
                    published,
                    feed_ids[item.feed],
                    2.0 if item.relevant else 0.0,
                    item.relevant,
                    story_id,
                    published if item.relevant else None,
                ),
            )
            article_id = cur.fetchone()[0]
            for feed in (item.feed, *item.also_in):
                cur.execute(
                    "INSERT INTO article_feeds (article_id, feed_id, first_seen_at) VALUES (%s, %s, %s)",
                    (article_id, feed_ids[feed], published),
                )
            for name, count in item.entities.items():
                cur.execute(
                    "INSERT INTO mentions (article_id, entity_id, count) VALUES (%s, %s, %s)",
                    (article_id, entity_ids[name], count),
                )
    trend_store.refresh_daily(conn)
    return History(today, history_items, entity_ids)


def _insert_feeds(cur, today: date) -> dict[str, int]:
    ids = {}
    now = datetime.combine(today, time(12), UTC)
    for feed in FEEDS:
        failing_since = now - timedelta(days=3) if feed.consecutive_failures else None
        cur.execute(
            """INSERT INTO feeds (name, url, last_status, last_http_status, last_error, consecutive_failures,
                                  failing_since, last_fetched_at, last_success_at, next_due_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
            (
                feed.name,
                f"https://feeds.example/{feed.name.lower().replace(' ', '-')}.xml",
                feed.last_status,
                feed.last_http_status,
                feed.last_error,
                feed.consecutive_failures,
                failing_since,
                now,
                failing_since or now,
                now + timedelta(minutes=15),
            ),
        )
        ids[feed.name] = cur.fetchone()[0]
    return ids


def _insert_entities(cur) -> dict[str, int]:
    ids = {}
    for name, (label, aliases) in ENTITIES.items():
        cur.execute("INSERT INTO entities (name, label) VALUES (%s, %s) RETURNING id", (name, label))
        ids[name] = cur.fetchone()[0]
        for alias in {name, *aliases}:
            cur.execute(
                "INSERT INTO entity_aliases (alias_key, alias, entity_id) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (alias_key(alias), alias, ids[name]),
            )
    return ids


def _story(cur, stories: dict[str, int], item: Item, published: datetime) -> int | None:
    if item.story is None:
        return None
    if item.story not in stories:
        cur.execute("INSERT INTO stories (title, published_at) VALUES (%s, %s) RETURNING id", (item.story, published))
        stories[item.story] = cur.fetchone()[0]
    return stories[item.story]


@pytest.fixture(scope="module")
def history_db(migrated_template: str) -> Iterator[tuple[str, History]]:
    """(URL, History) of a database holding the history, shared by a module's tests that only read it."""
    from tests.databases import create_database, drop_database

    url = create_database(template=migrated_template)
    with store.connection(url) as conn:
        built = build(conn)
    yield url, built
    drop_database(url)
