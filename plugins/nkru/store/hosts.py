"""SQL for per-host politeness state (`fetch_hosts`): Retry-After waits and the cached robots.txt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg2.extras

from nkru.feeds.politeness import HostWait
from nkru.store import Cursor


@dataclass(frozen=True)
class Robots:
    """A host's robots.txt as last fetched: status 'ok', 'missing' (4xx) or 'unavailable', the text, a note."""

    status: str
    text: str
    note: str | None
    fetched_at: datetime


def waits_in_force(cur: Cursor, now: datetime) -> dict[str, HostWait]:
    """The wait of every host that asked us to wait past `now`."""
    cur.execute("SELECT host, wait_until, coalesce(wait_reason, '') FROM fetch_hosts WHERE wait_until > %s", (now,))
    return {host: HostWait(until, reason) for host, until, reason in cur.fetchall()}


def record_waits(cur: Cursor, waits: dict[str, HostWait]) -> None:
    """Remember the hosts' waits (a later, longer wait wins); feeds of those hosts are not planned before then."""
    if not waits:
        return
    psycopg2.extras.execute_values(
        cur,
        """INSERT INTO fetch_hosts (host, wait_until, wait_reason) VALUES %s
           ON CONFLICT (host) DO UPDATE SET
             wait_until = greatest(fetch_hosts.wait_until, EXCLUDED.wait_until),
             wait_reason = CASE WHEN fetch_hosts.wait_until >= EXCLUDED.wait_until THEN fetch_hosts.wait_reason
                                ELSE EXCLUDED.wait_reason END""",
        [(host, wait.until, wait.reason) for host, wait in sorted(waits.items())],
    )


def cached_robots(cur: Cursor, hosts: list[str], fresh_since: datetime) -> dict[str, Robots]:
    """The robots.txt of each host fetched since `fresh_since` (older copies are fetched again)."""
    cur.execute(
        """SELECT host, robots_status, coalesce(robots_txt, ''), robots_note, robots_fetched_at FROM fetch_hosts
           WHERE host = ANY(%s) AND robots_fetched_at >= %s""",
        (hosts, fresh_since),
    )
    return {row[0]: Robots(*row[1:]) for row in cur.fetchall()}


def save_robots(cur: Cursor, host: str, robots: Robots) -> None:
    cur.execute(
        """INSERT INTO fetch_hosts (host, robots_status, robots_txt, robots_note, robots_fetched_at)
           VALUES (%s, %s, %s, %s, %s)
           ON CONFLICT (host) DO UPDATE SET robots_status = EXCLUDED.robots_status, robots_txt = EXCLUDED.robots_txt,
             robots_note = EXCLUDED.robots_note, robots_fetched_at = EXCLUDED.robots_fetched_at""",
        (host, robots.status, robots.text, robots.note, robots.fetched_at),
    )
