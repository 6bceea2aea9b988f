"""SQL for stories: which story an article is in, the stories themselves, the near-copy signatures and the event
features each member was grouped on (`story_members`, with why it joined), merging, and the reports of a story.

Every write is idempotent: re-running grouping after a crash or a retried task changes nothing twice. The
grouping itself is `nkru.stories`; this module only reads and writes rows, a batch of articles per statement
(issue 15: `StoryIndex.assign_many` writes what a batch decided with a handful of statements, not eight per
article).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from psycopg2.extras import Json, execute_values

from nkru.store import Cursor


@dataclass(frozen=True)
class SignatureRow:
    article_id: int
    story_id: int
    title_key: str
    minhash: bytes
    published_at: datetime


def recent_signatures(cur: Cursor, method: str, since: datetime) -> list[SignatureRow]:
    """Signatures of one method for the articles grouped since `since`, oldest first."""
    cur.execute(
        "SELECT article_id, story_id, title_key, minhash, published_at FROM story_signatures"
        " WHERE method = %s AND seen_at >= %s ORDER BY seen_at, article_id",
        (method, since),
    )
    return [SignatureRow(r[0], r[1], r[2], bytes(r[3]), r[4]) for r in cur.fetchall()]


def article_story_ids(cur: Cursor, article_ids: list[int]) -> dict[int, int]:
    """The story of each of the articles that has one."""
    cur.execute("SELECT id, story_id FROM articles WHERE id = ANY(%s) AND story_id IS NOT NULL", (article_ids,))
    return dict(cur.fetchall())


def story_exists(cur: Cursor, story_id: int) -> bool:
    cur.execute("SELECT 1 FROM stories WHERE id = %s", (story_id,))
    return cur.fetchone() is not None


def existing_stories(cur: Cursor, story_ids: Iterable[int]) -> set[int]:
    """Those of the stories that exist (one created by a transaction that rolled back does not)."""
    cur.execute("SELECT id FROM stories WHERE id = ANY(%s)", (sorted(story_ids),))
    return {r[0] for r in cur.fetchall()}


def merged_stories(cur: Cursor, story_ids: Iterable[int]) -> dict[int, int]:
    """Those of the stories that were merged, each with the story it was merged into."""
    cur.execute(
        "SELECT id, merged_into FROM stories WHERE id = ANY(%s) AND merged_into IS NOT NULL", (sorted(story_ids),)
    )
    return dict(cur.fetchall())


def create_story(cur: Cursor, title: str, published_at: datetime, now: datetime) -> int:
    cur.execute(
        "INSERT INTO stories (title, first_seen_at, published_at) VALUES (%s, %s, %s) RETURNING id",
        (title, now, published_at),
    )
    return cur.fetchone()[0]


def stories_published(cur: Cursor, story_ids: Iterable[int]) -> dict[int, datetime]:
    """Each story's publication time (its earliest article's)."""
    cur.execute("SELECT id, published_at FROM stories WHERE id = ANY(%s)", (sorted(story_ids),))
    return dict(cur.fetchall())


def stories_seen_published(cur: Cursor, earliest: dict[int, datetime]) -> None:
    """A story's publication time is its earliest article's: lower it to `earliest[story]` where that is earlier."""
    if earliest:
        execute_values(
            cur,
            "UPDATE stories s SET published_at = v.published_at FROM (VALUES %s) AS v(id, published_at)"
            " WHERE s.id = v.id AND s.published_at > v.published_at",
            sorted(earliest.items()),
            template="(%s::bigint, %s::timestamptz)",
            page_size=len(earliest),
        )


def set_article_stories(cur: Cursor, stories: list[tuple[int, int]]) -> None:
    """(article id, story id) for each article."""
    if stories:
        execute_values(
            cur,
            "UPDATE articles a SET story_id = v.story_id FROM (VALUES %s) AS v(id, story_id) WHERE a.id = v.id",
            stories,
            template="(%s::bigint, %s::bigint)",
            page_size=len(stories),
        )


@dataclass(frozen=True)
class SignatureWrite:
    """One article's near-copy signature, as `save_signatures` writes it."""

    article_id: int
    story_id: int
    method: str
    title_key: str
    minhash: bytes
    published_at: datetime
    seen_at: datetime


def save_signatures(cur: Cursor, rows: list[SignatureWrite]) -> None:
    if rows:
        execute_values(
            cur,
            "INSERT INTO story_signatures (article_id, story_id, method, title_key, minhash, published_at, seen_at)"
            " VALUES %s ON CONFLICT (article_id) DO NOTHING",
            [(r.article_id, r.story_id, r.method, r.title_key, r.minhash, r.published_at, r.seen_at) for r in rows],
            page_size=len(rows),
        )


@dataclass(frozen=True)
class MemberRow:
    """One grouped article as the event index reloads it: story_members joined with its signature."""

    article_id: int
    story_id: int
    title: str
    title_key: str
    minhash: bytes | None
    entities: dict
    kinds: list[str]
    step: str | None
    event_date: date | None
    published_at: datetime
    language: str | None
    headline_kinds: list[str]
    seq: int | None
    headline_places: list[str]
    date_words: str | None = None  # the words its event date was read from (from the stored reason)


def recent_members(cur: Cursor, method: str, since: datetime, after_seq: int | None = None) -> list[MemberRow]:
    """Articles grouped since `since`, oldest first, with their event features and near-copy signature; with
    `after_seq`, only those whose member row was written after that one (by this process or another).

    Articles grouped before event features were kept (no story_members row) come back with empty features,
    so they still match as near-copies.
    """
    if after_seq is not None:
        cur.execute(_MEMBERS_SQL + " WHERE m.seq > %(after)s ORDER BY m.seq", _members_params(method, since, after_seq))
    else:
        cur.execute(
            _MEMBERS_SQL + " ORDER BY coalesce(m.seen_at, g.seen_at), coalesce(m.article_id, g.article_id)",
            _members_params(method, since, None),
        )
    return [
        MemberRow(
            r[0],
            r[1],
            r[2],
            r[3],
            bytes(r[4]) if r[4] is not None else None,
            r[5],
            list(r[6]),
            *r[7:11],
            list(r[11]),
            r[12],
            list(r[13]),
            r[14],
        )
        for r in cur.fetchall()
    ]


def _members_params(method: str, since: datetime, after_seq: int | None) -> dict:
    return {"since": since, "method": method, "after": after_seq}


_MEMBERS_SQL = """SELECT coalesce(m.article_id, g.article_id), coalesce(m.story_id, g.story_id), a.title,
       coalesce(g.title_key, ''), g.minhash, coalesce(m.entities, '{}'::jsonb),
       coalesce(m.kinds, '{}'), m.step, m.event_date, coalesce(m.published_at, g.published_at),
       a.language, coalesce(m.headline_kinds, '{}'), m.seq, coalesce(m.headline_places, '{}'),
       m.reason->>'date_words'
FROM (SELECT * FROM story_members WHERE seen_at >= %(since)s) m
FULL JOIN (SELECT * FROM story_signatures WHERE method = %(method)s AND seen_at >= %(since)s) g
  ON g.article_id = m.article_id
JOIN articles a ON a.id = coalesce(m.article_id, g.article_id)"""


@dataclass(frozen=True)
class MemberWrite:
    """Why one article joined its story and the features it was grouped on, as `save_members` writes it."""

    article_id: int
    story_id: int
    rule: str
    reason: dict
    entities: dict
    kinds: list[str]
    headline_kinds: list[str]
    headline_places: list[str]
    step: str | None
    event_date: date | None
    published_at: datetime
    seen_at: datetime


def save_members(cur: Cursor, rows: list[MemberWrite]) -> None:
    """The member rows, in the order given (their `seq`, what `recent_members(after_seq=)` reads, follows it)."""
    if rows:
        execute_values(
            cur,
            "INSERT INTO story_members (article_id, story_id, rule, reason, entities, kinds, headline_kinds,"
            " headline_places, step, event_date, published_at, seen_at) VALUES %s"
            " ON CONFLICT (article_id) DO NOTHING",
            [
                (
                    r.article_id,
                    r.story_id,
                    r.rule,
                    Json(r.reason),
                    Json(r.entities),
                    r.kinds,
                    r.headline_kinds,
                    r.headline_places,
                    r.step,
                    r.event_date,
                    r.published_at,
                    r.seen_at,
                )
                for r in rows
            ],  # fmt: skip
            template="(%s, %s, %s, %s, %s, %s::text[], %s::text[], %s::text[], %s, %s::date, %s, %s)",
            page_size=len(rows),
        )


def add_story_kinds(cur: Cursor, kinds: dict[int, list[str]]) -> None:
    """Add to each story's kinds those of `kinds[story]` it does not have yet (in the order given)."""
    rows = [(story_id, new) for story_id, new in sorted(kinds.items()) if new]
    if rows:
        execute_values(
            cur,
            "UPDATE stories s SET kinds = s.kinds || ARRAY(SELECT k FROM unnest(v.kinds) WITH ORDINALITY AS u(k, n)"
            " WHERE NOT k = ANY(s.kinds) ORDER BY n)"
            " FROM (VALUES %s) AS v(id, kinds) WHERE s.id = v.id AND NOT v.kinds <@ s.kinds",
            rows,
            template="(%s::bigint, %s::text[])",
            page_size=len(rows),
        )


def headline_kinds(cur: Cursor, story_ids: Iterable[int], exclude: list[int]) -> dict[int, set[str]]:
    """The kinds the headlines of each story's members cued, leaving out the articles in `exclude`."""
    cur.execute(
        "SELECT story_id, array_agg(DISTINCT k) FROM story_members, unnest(headline_kinds) k"
        " WHERE story_id = ANY(%s) AND NOT article_id = ANY(%s) GROUP BY story_id",
        (sorted(story_ids), exclude),
    )
    return {story_id: set(kinds) for story_id, kinds in cur.fetchall()}


def merge_story(cur: Cursor, keep: int, drop: int) -> None:
    """Move story `drop` into the older story `keep`: its articles, signatures, members, kinds and alerts.

    An alert row of `drop` moves to `keep` unless `keep` has one for the same rule, recipient and kind; one left
    behind is deleted if still pending (it would be a second alert for one event) and kept as history if sent.
    `drop` stays, empty, with `merged_into` set, so ids in old e-mails still resolve.
    """
    if keep == drop or not story_exists(cur, drop):
        return
    cur.execute("SELECT id FROM stories WHERE id IN (%s, %s) ORDER BY id FOR UPDATE", (keep, drop))
    params = {"keep": keep, "drop": drop}
    cur.execute("UPDATE articles SET story_id = %(keep)s WHERE story_id = %(drop)s", params)
    cur.execute("UPDATE story_signatures SET story_id = %(keep)s WHERE story_id = %(drop)s", params)
    cur.execute("UPDATE story_members SET story_id = %(keep)s WHERE story_id = %(drop)s", params)
    cur.execute(
        "UPDATE stories k SET published_at = least(k.published_at, d.published_at),"
        " kinds = k.kinds || ARRAY(SELECT x FROM unnest(d.kinds) x WHERE NOT x = ANY(k.kinds))"
        " FROM stories d WHERE k.id = %(keep)s AND d.id = %(drop)s",
        params,
    )
    cur.execute(
        "UPDATE alert_outbox o SET story_id = %(keep)s WHERE o.story_id = %(drop)s AND NOT EXISTS ("
        " SELECT 1 FROM alert_outbox k WHERE k.story_id = %(keep)s AND k.rule = o.rule"
        " AND k.recipient = o.recipient AND k.kind = o.kind)",
        params,
    )
    cur.execute("DELETE FROM alert_outbox WHERE story_id = %(drop)s AND status = 'pending'", params)
    cur.execute("UPDATE stories SET merged_into = %(keep)s WHERE id = %(drop)s", params)


@dataclass(frozen=True)
class StoryReport:
    """One report of a story as the story page, the CLI and the e-mails list it."""

    article_id: int
    outlet: str
    language: str | None
    published_at: datetime
    title: str
    url: str
    rule: str | None
    reason: dict


def story_reports(cur: Cursor, story_id: int, limit: int = 200) -> list[StoryReport]:
    """The story's relevant reports, first published first, with why each joined."""
    cur.execute(
        """SELECT a.id, f.name, a.language, a.published_at, a.title, a.url, m.rule, coalesce(m.reason, '{}'::jsonb)
           FROM articles a JOIN feeds f ON f.id = a.feed_id
           LEFT JOIN story_members m ON m.article_id = a.id
           WHERE a.story_id = %s AND a.relevant
           ORDER BY a.published_at, a.id LIMIT %s""",
        (story_id, limit),
    )
    return [StoryReport(*r) for r in cur.fetchall()]


def story_times(cur: Cursor, story_id: int) -> tuple[datetime, datetime]:
    """(first_seen_at, published_at) of a story."""
    cur.execute("SELECT first_seen_at, published_at FROM stories WHERE id = %s", (story_id,))
    return cur.fetchone()
