"""SQL for stories: which story an article is in, the stories themselves, the near-copy signatures and the event
features each member was grouped on (`story_members`, with why it joined), merging, and the reports of a story.

Every write is idempotent: re-running grouping after a crash or a retried task changes nothing twice. The
grouping itself is `nkru.stories`; this module only reads and writes rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from psycopg2.extras import Json

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


def article_story_id(cur: Cursor, article_id: int) -> int | None:
    cur.execute("SELECT story_id FROM articles WHERE id = %s", (article_id,))
    row = cur.fetchone()
    return row[0] if row else None


def story_exists(cur: Cursor, story_id: int) -> bool:
    cur.execute("SELECT 1 FROM stories WHERE id = %s", (story_id,))
    return cur.fetchone() is not None


def create_story(cur: Cursor, title: str, published_at: datetime, now: datetime) -> int:
    cur.execute(
        "INSERT INTO stories (title, first_seen_at, published_at) VALUES (%s, %s, %s) RETURNING id",
        (title, now, published_at),
    )
    return cur.fetchone()[0]


def story_seen_published(cur: Cursor, story_id: int, published_at: datetime) -> None:
    """A story's publication time is its earliest article's."""
    cur.execute(
        "UPDATE stories SET published_at = %s WHERE id = %s AND published_at > %s",
        (published_at, story_id, published_at),
    )


def set_article_story(cur: Cursor, article_id: int, story_id: int) -> None:
    cur.execute("UPDATE articles SET story_id = %s WHERE id = %s", (story_id, article_id))


def save_signature(
    cur: Cursor,
    article_id: int,
    story_id: int,
    method: str,
    title_key: str,
    minhash: bytes,
    published_at: datetime,
    seen_at: datetime,
) -> None:
    cur.execute(
        "INSERT INTO story_signatures (article_id, story_id, method, title_key, minhash, published_at, seen_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (article_id) DO NOTHING",
        (article_id, story_id, method, title_key, minhash, published_at, seen_at),
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


def live_story(cur: Cursor, story_id: int) -> int | None:
    """The story `story_id` lives on as: itself, or the story it was merged into; None if it does not exist
    (created by a transaction that rolled back)."""
    for _ in range(100):  # merges chain only forwards in time; a cycle would be a bug, not a loop
        cur.execute("SELECT merged_into FROM stories WHERE id = %s", (story_id,))
        row = cur.fetchone()
        if row is None:
            return None
        if row[0] is None:
            return story_id
        story_id = row[0]
    return story_id


def save_member(
    cur: Cursor,
    *,
    article_id: int,
    story_id: int,
    rule: str,
    reason: dict,
    entities: dict,
    kinds: list[str],
    headline_kinds: list[str],
    headline_places: list[str],
    step: str | None,
    event_date: date | None,
    published_at: datetime,
    seen_at: datetime,
) -> None:
    cur.execute(
        "INSERT INTO story_members (article_id, story_id, rule, reason, entities, kinds, headline_kinds,"
        " headline_places, step, event_date, published_at, seen_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (article_id) DO NOTHING",
        (
            article_id,
            story_id,
            rule,
            Json(reason),
            Json(entities),
            kinds,
            headline_kinds,
            headline_places,
            step,
            event_date,
            published_at,
            seen_at,
        ),
    )


def add_story_kinds(cur: Cursor, story_id: int, kinds: list[str]) -> list[str]:
    """Add kinds to the story's; returns those it did not have before (in the order given)."""
    cur.execute("SELECT kinds FROM stories WHERE id = %s FOR UPDATE", (story_id,))
    row = cur.fetchone()
    known = set(row[0]) if row else set()
    new = [k for k in kinds if k not in known]
    if new:
        cur.execute("UPDATE stories SET kinds = kinds || %s::text[] WHERE id = %s", (new, story_id))
    return new


def new_headline_kinds(cur: Cursor, story_id: int, article_id: int, kinds: list[str]) -> list[str]:
    """Those of `kinds` that no other member's headline in the story cued (in the order given)."""
    cur.execute(
        "SELECT DISTINCT k FROM story_members, unnest(headline_kinds) k WHERE story_id = %s AND article_id <> %s",
        (story_id, article_id),
    )
    seen = {r[0] for r in cur.fetchall()}
    return [k for k in kinds if k not in seen]


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
