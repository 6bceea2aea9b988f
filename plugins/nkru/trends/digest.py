"""The trend section of the daily digest e-mail: the week's volume chart, the rising-entities chart, top pairs.

The mail module owns the e-mail (recipients, exactly-once delivery, the stories list); this module only hands
it a `DigestExtras`: plain text, HTML (every name escaped here) and PNG images referenced as `cid:`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import Any

from nkru.store import Connection
from nkru.store import trends as trend_store
from nkru.store.outbox import DigestExtras
from nkru.trends import charts

VOLUME_CID = "nkru-volume"
RISING_CID = "nkru-rising"
WEEK_DAYS = 7
BASELINE_DAYS = 28
TOP = 10


def digest_extras(conn: Connection, now: datetime) -> DigestExtras:
    """Charts and pairs for the 7 days ending on `now`'s UTC day; empty parts are left out, never drawn blank."""
    last = now.astimezone(UTC).date()
    first = last - timedelta(days=WEEK_DAYS - 1)
    trend_store.refresh_daily(conn)
    volume = trend_store.volume(conn, first, last)
    rising = trend_store.rising_entities(conn, first, last, first - timedelta(days=BASELINE_DAYS), limit=TOP)
    pairs = trend_store.top_pairs(conn, first, last, limit=TOP)

    text: list[str] = []
    html: list[str] = []
    images: dict[str, bytes] = {}
    if any(r["relevant_articles"] for r in volume):
        title = f"Coverage {first} to {last} (UTC)"
        images[VOLUME_CID] = charts.render(charts.volume_chart(volume, title=title))
        text += _volume_text(volume, first, last)
        html.append(_image(VOLUME_CID, title))
    if rising:
        title = f"Rising this week against the {BASELINE_DAYS} days before"
        images[RISING_CID] = charts.render(charts.rising_chart(rising, title=title))
        text += [f"\n{title}:"] + [
            f"  {r['entity']} ({r['label']}): {r['recent']} articles, usually {r['expected']:g}" for r in rising
        ]
        html.append(_image(RISING_CID, title))
    if pairs:
        text += ["\nNamed together most this week:"] + [
            f"  {p['entity_a']} + {p['entity_b']}: {p['articles']} articles" for p in pairs
        ]
        html.append(_pairs_html(pairs))
    return DigestExtras(text="\n".join(text).strip(), html="\n".join(html), images=images)


def _volume_text(rows: list[dict[str, Any]], first: date, last: date) -> list[str]:
    relevant = sum(r["relevant_articles"] for r in rows)
    stories = sum(r["stories"] for r in rows)
    busiest = max(rows, key=lambda r: r["relevant_articles"])
    return [
        f"Coverage {first} to {last} (UTC): {relevant} relevant articles, {stories} new stories; "
        f"busiest day {busiest['period']} ({busiest['relevant_articles']})."
    ]


def _image(cid: str, title: str) -> str:
    return (
        f'<h3 style="margin:16px 0 4px">{escape(title)}</h3>'
        f'<img src="cid:{cid}" alt="{escape(title)}" style="max-width:100%">'
    )


def _pairs_html(pairs: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{escape(p['entity_a'])}</td><td>{escape(p['entity_b'])}</td>"
        f'<td style="text-align:right">{p["articles"]}</td></tr>'
        for p in pairs
    )
    return (
        '<h3 style="margin:16px 0 4px">Named together most this week</h3>'
        '<table style="border-collapse:collapse"><tr><th align="left">entity</th><th align="left">with</th>'
        f"<th>articles</th></tr>{rows}</table>"
    )
