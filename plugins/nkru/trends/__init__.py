"""Trends: what is rising, who appears with whom, how much coverage, which sources carry the beat.

How the trend queries stay fast
-------------------------------
The queries live in `sql/queries/*.sql` (one named, documented file each; the code runs exactly those files)
and read small pre-aggregated tables instead of scanning `mentions`:

* `volume_daily` (feed, day) and `volume_total_daily` (day): items, relevant items and new stories;
* `entity_daily` (entity, day): relevant articles naming the entity, and mention counts;
  `entity_monthly` (month, entity): the same summed per calendar month, for windows of many months;
* `pair_daily` (day, entity_a, entity_b): articles naming both, for pairs among each day's 100 most-covered
  entities (all pairs would be ~45 per article, tens of millions of rows at scale, almost all of them one-off
  co-mentions in the long tail).

A question about a window then reads one row per entity per day (or month) instead of one per mention. Two
long-window questions read even less (migrations 015 and 021, kept by the same refresh):

* top entities: `entity_cumulative` holds each entity's running totals per month, so the whole months of any
  window are the difference of two rows; `entity_totals` holds each entity's articles over the whole history, an
  upper bound for any window, so only the entities that could still reach the top are counted at all (a few
  hundred of 50,000 on the benchmark history), and the answer stays exact;
* co-occurrence: `article_entity_sets` holds each relevant article's entities as one array; on the days an entity
  is in a quarter or more of the articles (`cooccur_heavy_days`), what it is named with is also summed per month
  and per year (`cooccur_sums`), so "who appears with North Korea this year" reads a couple of sums and a few
  days' sets instead of most of the year's articles, still exact.

On the synthetic 3-year history of `make bench` (1M articles, 10M mentions, 2 cores) every default window and
both long questions answer in a fraction of one `count(*)` over `mentions` (see the README's Benchmarks); the
slowest is "rising" over 30 days against 120 (it reads 150 days of `entity_daily`).

We chose aggregate tables over the alternatives because:

* indexes alone cannot help: "top entities this month" must still aggregate every mention in the month;
* partitioning `mentions` by month would not shrink that work either, and it needs `published_at` copied into
  `mentions` (a schema change for every writer);
* materialized views can only be refreshed whole (minutes at scale), not the one day that changed.

The tables are kept current by one idempotent SQL function, `nkru_refresh_daily(since_day, until_day)`
(`nkru.store.trends.refresh_daily` in Python): it deletes and re-inserts the aggregates of the requested days
(and their months) plus every day that triggers on `articles`, `mentions`, `article_feeds` and `stories` marked
as changed (new articles, rescoring, re-extraction, late items dated in the past, deletions), in one
transaction under an advisory lock. The ingest DAG calls it after storing, and the `nkru` commands, the
digest and the UI page before reading; each time it recomputes only the days that changed, so a run that
stored nothing costs one look-up. Days are UTC calendar days.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nkru.store import Connection
    from nkru.store.outbox import DigestExtras


def digest_extras(conn: Connection, now: datetime) -> DigestExtras:
    """The digest e-mail's trend section: the week's volume and rising-entities charts and the top pairs.

    Imported lazily so that `import nkru.trends` does not load matplotlib.
    """
    from nkru.trends.digest import digest_extras as build

    return build(conn, now)


def digest_extras_or_none(conn: Connection, now: datetime) -> DigestExtras | None:
    """`digest_extras`, or None when drawing them fails: charts are a bonus, the stories must go out without them."""
    try:
        return digest_extras(conn, now)
    except Exception:
        logging.getLogger(__name__).exception("digest charts failed; sending the digest without them")
        conn.rollback()
        return None
