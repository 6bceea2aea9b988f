"""robots.txt for article pages: what a fetch of it means (RFC 9309) and whether it allows a page.

Parsed with protego; the stored copy (`fetch_hosts`) is reused for a day, an unavailable one re-asked after an hour.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from nkru.clock import utcnow
from nkru.feeds.fetch import FetchResult
from nkru.feeds.politeness import host_of
from nkru.store.hosts import Robots
from nkru.untrusted import strip_controls

log = logging.getLogger(__name__)

UNAVAILABLE_ROBOTS_RECHECK = timedelta(hours=1)  # a 5xx robots.txt is asked again sooner than a good one


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def fresh_robots(cached: dict[str, Robots], now: datetime) -> dict[str, Robots]:
    """Cached robots.txt still good to use: an unavailable one is asked again after an hour."""
    return {
        host: robots
        for host, robots in cached.items()
        if robots.status != "unavailable" or now - robots.fetched_at < UNAVAILABLE_ROBOTS_RECHECK
    }


def robots_from_fetch(result: FetchResult, max_bytes: int) -> Robots:
    """What a host's robots.txt fetch means (RFC 9309): a 4xx is no robots.txt (all allowed); a 5xx, a timeout or
    an oversized file is 'unavailable' (nothing allowed until it is readable); a refused address is 'blocked'
    (never stored: the pages are refused for it); else its text, bounded."""
    now = utcnow()
    if result.status == "blocked_address":
        return Robots("blocked", "", result.error, now)
    if result.status == "ok":
        text = (result.body or b"")[:max_bytes].decode("utf-8", errors="replace")
        return Robots("ok", strip_controls(text), None, now)
    if result.http_status is not None and 400 <= result.http_status < 500:
        return Robots("missing", "", f"robots.txt answered HTTP {result.http_status}: everything allowed", now)
    return Robots("unavailable", "", f"robots.txt unavailable ({result.error or result.status})", now)


def robots_refusal(robots: Robots, url: str, user_agent: str) -> str | None:
    """Why robots.txt forbids fetching `url`, or None when it allows it."""
    if robots.status == "missing":
        return None
    if robots.status == "unavailable":
        return f"{robots.note}: not fetched, as RFC 9309 asks while robots.txt cannot be read"
    parser = _robots_parser(robots.text)
    if parser is None:
        return None  # nothing readable in it: no rules
    if parser.can_fetch(url, user_agent):
        return None
    return f"robots.txt of {host_of(url)} disallows {urlsplit(url).path or '/'} for our user agent"


@functools.lru_cache(maxsize=256)
def _robots_parser(text: str):
    """protego's parser for a robots.txt, or None when even protego cannot read it (junk)."""
    from protego import Protego

    try:
        return Protego.parse(text)
    except Exception:  # junk must never stop the run: it is treated as no rules
        log.warning("unreadable robots.txt (%d chars): treated as no rules", len(text))
        return None
