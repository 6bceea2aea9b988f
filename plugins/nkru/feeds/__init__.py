"""Fetch RSS/Atom feeds and turn them into normalised items.

`fetch_feeds` gets many feeds at once within strict limits (time, size, redirects, no private addresses);
`politeness.fetch_feeds_politely` adds the per-host cap, gap and Retry-After, and `stream.FeedStream` (what the
pipeline uses) runs the same fetches in a thread, handing the results over in order as they arrive;
`parse_feed` turns one fetched feed into `Item`s with canonical URLs, plain text and UTC times.
"""

from nkru.feeds.fetch import FetchRequest, FetchResult, fetch_feeds, fetch_feeds_async
from nkru.feeds.parse import Item, ParsedFeed, parse_feed
from nkru.feeds.urls import canonical_url

__all__ = [
    "FetchRequest",
    "FetchResult",
    "Item",
    "ParsedFeed",
    "canonical_url",
    "fetch_feeds",
    "fetch_feeds_async",
    "parse_feed",
]
