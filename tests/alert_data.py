"""Helpers (no tests here) for the alert tests: feeds, articles and mentions written straight with SQL, and the
pipeline's per-article step (`StoryIndex.assign` + `alerts.queue_for_article` in one transaction).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from nkru import store
from nkru.alerts.outbox import queue_for_article
from nkru.alerts.rules import entity_key
from nkru.config import AlertRule, AlertsConfig, Settings
from nkru.store.articles import StoredArticle
from nkru.stories.index import StoryIndex

NOW = datetime(2026, 3, 26, 9, 0, tzinfo=UTC)

NARYSHKIN_TITLE = "Russian spy chief Naryshkin holds talks in Pyongyang on countering espionage"
NARYSHKIN_SUMMARY = (
    "SEOUL, March 26 (Yonhap) -- Sergei Naryshkin, director of Russia's Foreign Intelligence Service, held talks "
    "in Pyongyang with North Korea's Minister of State Security Ri Chang Dae on cooperation against espionage, "
    "the Korean Central News Agency said Thursday, as the two countries deepen military and security ties."
)
LAVROV_TITLE = "Lavrov says Moscow will keep expanding trade with Pyongyang despite sanctions"
LAVROV_SUMMARY = (
    "MOSCOW, March 25 (AFP) - Russian Foreign Minister Sergei Lavrov said on Wednesday that Moscow would keep "
    "expanding trade and transport links with North Korea, dismissing United Nations sanctions as illegitimate "
    "relics of a policy that had failed."
)

_urls = itertools.count(1)


def settings(*rules: AlertRule, max_attempts: int = 3, **alerts_kwargs: Any) -> Settings:
    return Settings(alerts=AlertsConfig(rules=list(rules), max_attempts=max_attempts, **alerts_kwargs))


def rule(name: str = "all", recipients: tuple[str, ...] = ("analyst@example.org",), **conditions: Any) -> AlertRule:
    return AlertRule(name=name, recipients=list(recipients), **conditions)


class NewsDB:
    """Writes what the ingest pipeline would have stored, so the alert step can be exercised alone."""

    def __init__(self, conn: store.Connection):
        self.conn = conn

    def feed(self, name: str, language: str = "en") -> int:
        with self.conn, self.conn.cursor() as cur:
            cur.execute(
                "INSERT INTO feeds (name, url, language) VALUES (%s, %s, %s)"
                " ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
                (name, f"http://127.0.0.1/{name}.xml", language),
            )
            return cur.fetchone()[0]

    def article(
        self,
        feed: str,
        title: str = NARYSHKIN_TITLE,
        summary: str = NARYSHKIN_SUMMARY,
        *,
        url: str | None = None,
        published_at: datetime = NOW - timedelta(hours=1),
        score: float = 3.0,
        matched_terms: tuple[str, ...] = ("north korea", "russia", "pyongyang"),
        reason: str = "mentions North Korea and Russia together",
        language: str | None = "en",
        also_in: tuple[str, ...] = (),
    ) -> StoredArticle:
        """A relevant article first carried by `feed` (and by the feeds in `also_in`)."""
        feed_id = self.feed(feed)
        url = url or f"https://news.example.org/{feed.replace(' ', '-')}/{next(_urls)}"
        with self.conn, self.conn.cursor() as cur:
            cur.execute(
                "INSERT INTO articles (url, title, summary, language, published_at, fetched_at, feed_id, score,"
                " relevant, matched_terms, reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, true, %s, %s) RETURNING id",
                (url, title, summary, language, published_at, NOW, feed_id, score, list(matched_terms), reason),
            )
            article_id = cur.fetchone()[0]
            cur.execute("INSERT INTO article_feeds (article_id, feed_id) VALUES (%s, %s)", (article_id, feed_id))
        for other in also_in:
            other_id = self.feed(other)
            with self.conn, self.conn.cursor() as cur:
                cur.execute("INSERT INTO article_feeds (article_id, feed_id) VALUES (%s, %s)", (article_id, other_id))
        return StoredArticle(
            id=article_id,
            url=url,
            title=title,
            summary=summary,
            language=language,
            published_at=published_at,
            fetched_at=NOW,
            feed_name=feed,
            score=score,
            matched_terms=matched_terms,
            reason=reason,
        )

    def mention(self, article: StoredArticle, name: str, label: str, count: int = 1, aliases: tuple[str, ...] = ()):
        """Store a canonical entity (with alias keys, as the entities step does) and its mention count."""
        key = entity_key
        with self.conn, self.conn.cursor() as cur:
            cur.execute(
                "INSERT INTO entities (name, label) VALUES (%s, %s)"
                " ON CONFLICT (name, label) DO UPDATE SET name = EXCLUDED.name RETURNING id",
                (name, label),
            )
            entity_id = cur.fetchone()[0]
            for alias in (name, *aliases):
                cur.execute(
                    "INSERT INTO entity_aliases (alias_key, alias, entity_id) VALUES (%s, %s, %s)"
                    " ON CONFLICT DO NOTHING",
                    (key(alias), alias, entity_id),
                )
            cur.execute(
                "INSERT INTO mentions (article_id, entity_id, count) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (article.id, entity_id, count),
            )
        return (name, label, count)

    def process(
        self,
        cfg: Settings,
        article: StoredArticle,
        mentions: list[tuple[str, str, int]] | None = None,
        *,
        now: datetime = NOW,
        window_hours: float = 72,
    ) -> int:
        """The pipeline's process step for one article: story, then outbox rows, in one transaction."""
        with self.conn, self.conn.cursor() as cur:
            index = StoryIndex.load(cur, now=now, window_hours=window_hours)
        with self.conn, self.conn.cursor() as cur:
            assigned = index.assign(cur, article, [(name, label) for name, label, _count in mentions or []])
            queue_for_article(
                cur, cfg, article, assigned.story_id, mentions or [], now=now, new_kinds=assigned.new_kinds
            )
        return assigned.story_id

    def outbox(self) -> list[dict]:
        with self.conn, self.conn.cursor() as cur:
            cur.execute(
                "SELECT id, rule, story_id, recipient, mode, status, attempts, last_error, message_id, digest_id"
                " FROM alert_outbox ORDER BY id"
            )
            columns = [c.name for c in cur.description]
            return [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]

    def scalar(self, sql: str, params: tuple = ()) -> Any:
        with self.conn, self.conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()[0]
