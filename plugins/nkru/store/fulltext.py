"""SQL for article pages fetched for their full text (`article_texts`): candidates waiting, results, bodies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg2.extras

from nkru.store import Cursor

USABLE = ("ok", "paywalled")  # statuses whose text is scored and read for entities


@dataclass(frozen=True)
class PendingPage:
    """A candidate article whose page is still to fetch, with what its feed item said."""

    article_id: int
    url: str
    title: str
    summary: str
    language: str | None
    score: float
    relevant: bool
    why: str


@dataclass(frozen=True)
class PageResult:
    """What fetching one article page gave: a status, the reason in words, the bounded text, what it added."""

    status: str
    reason: str | None = None
    http_status: int | None = None
    final_url: str | None = None
    text: str | None = None
    added: str | None = None


def mark_pending(cur: Cursor, wanted: list[tuple[str, str]], fetched_at: datetime) -> int:
    """Queue the pages of these articles, given as (canonical url, why), if they were stored by the fetch at
    `fetched_at`; an article already queued or fetched is left as it is. Returns how many were queued now."""
    if not wanted:
        return 0
    rows = psycopg2.extras.execute_values(
        cur,
        """INSERT INTO article_texts (article_id, status, why, before_score)
           SELECT a.id, 'pending', v.why, a.score FROM (VALUES %s) AS v(url, why, fetched_at)
           JOIN articles a ON a.url = v.url AND a.fetched_at = v.fetched_at
           ON CONFLICT (article_id) DO NOTHING RETURNING article_id""",
        [(url, why, fetched_at) for url, why in wanted],
        template="(%s, %s, %s::timestamptz)",
        fetch=True,
    )
    return len(rows)


def pending(cur: Cursor, since: datetime, limit: int) -> list[PendingPage]:
    """Pages still to fetch, queued since `since`: relevant items first (their entities wait for the body),
    then the newest candidates."""
    cur.execute(
        """SELECT a.id, a.url, a.title, a.summary, a.language, a.score, a.relevant, t.why
           FROM article_texts t JOIN articles a ON a.id = t.article_id
           WHERE t.status = 'pending' AND t.requested_at >= %s
           ORDER BY a.relevant DESC, t.requested_at DESC, a.id DESC LIMIT %s""",
        (since, limit),
    )
    return [PendingPage(*row) for row in cur.fetchall()]


def save_result(cur: Cursor, article_id: int, result: PageResult, now: datetime) -> None:
    """Record how the page fetch went (idempotent: a second save overwrites the first)."""
    cur.execute(
        """UPDATE article_texts SET status = %s, reason = %s, http_status = %s, final_url = %s, text = %s,
                  chars = %s, added = %s, fetched_at = %s
           WHERE article_id = %s""",
        (
            result.status,
            result.reason,
            result.http_status,
            result.final_url,
            result.text,
            len(result.text) if result.text is not None else None,
            result.added,
            now,
            article_id,
        ),
    )


def texts_for(cur: Cursor, article_ids: list[int]) -> dict[int, str]:
    """The usable body text of each of these articles that has one."""
    cur.execute(
        "SELECT article_id, text FROM article_texts WHERE article_id = ANY(%s) AND status = ANY(%s) AND text <> ''",
        (article_ids, list(USABLE)),
    )
    return dict(cur.fetchall())


def status_counts(cur: Cursor) -> dict[str, int]:
    cur.execute("SELECT status, count(*) FROM article_texts GROUP BY status ORDER BY status")
    return dict(cur.fetchall())
