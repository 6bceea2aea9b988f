"""Terminal output of the trend commands: aligned rich tables, with sparklines where a shape says more than numbers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from sparklines import sparklines

from nkru.untrusted import strip_controls

Row = dict[str, Any]
_STATUS_STYLE = {"failing": "bold red", "silent": "bold red", "quiet": "yellow"}


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 outlet', '2 outlets', '1 fetch', '3 fetches', '1 story', '0 stories' (`many` when it is irregular)."""
    if count == 1:
        return f"{count} {word}"
    if many is None:
        many = word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"
        many = word + "es" if word.endswith(("ch", "sh", "s", "x")) else many
    return f"{count} {many}"


def spark(values: Sequence[int | float], maximum: float | None = None) -> str:
    """A one-line sparkline from zero to `maximum` (default: the largest value); flat when everything is zero."""
    if not values:
        return ""
    top = max(values) if maximum is None else maximum
    if top <= 0:
        return "▁" * len(values)
    return sparklines(list(values), minimum=0, maximum=top)[0]


def when(value: datetime | date | None) -> str:
    """A timestamp as 'YYYY-MM-DD HH:MM' UTC, a date as 'YYYY-MM-DD', nothing as '—'."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def volume_table(rows: Sequence[Row], bucket: str, first: date, last: date) -> Group:
    relevant = [r["relevant_articles"] for r in rows]
    title = f"Coverage per {bucket}, {when(first)} to {when(last)} (UTC): {sum(relevant)} relevant articles"
    table = Table()
    table.add_column("day" if bucket == "day" else "week of", no_wrap=True)
    for name in ("relevant articles", "new stories", "all items"):
        table.add_column(name, justify="right")
    for r in rows:
        _add_row(table, when(r["period"]), str(r["relevant_articles"]), str(r["stories"]), str(r["articles"]))
    return _titled(title, table, f"relevant per {bucket}: {spark(relevant)}")


def feed_volume_table(rows: Sequence[Row], bucket: str, first: date, last: date) -> Group:
    by_feed: dict[str, list[Row]] = {}
    for row in rows:
        by_feed.setdefault(row["feed"], []).append(row)
    table = Table()
    table.add_column("feed")
    table.add_column("relevant", justify="right")
    table.add_column("all items", justify="right")
    table.add_column(f"relevant per {bucket}", no_wrap=True)
    for feed, series in by_feed.items():
        relevant = [r["relevant_articles"] for r in series]
        _add_row(table, feed, str(sum(relevant)), str(sum(r["articles"] for r in series)), spark(relevant))
    return _titled(f"Coverage per source, {when(first)} to {when(last)} (UTC)", table)


def trend_table(entity: str, label: str, rows: Sequence[Row], bucket: str, first: date, last: date) -> Group:
    counts = [r["articles"] for r in rows]
    title = f"{entity} ({label}): {sum(counts)} relevant articles, {when(first)} to {when(last)} (UTC)"
    table = Table()
    table.add_column("day" if bucket == "day" else "week of", no_wrap=True)
    table.add_column("articles", justify="right")
    table.add_column("mentions", justify="right")
    for r in rows:
        _add_row(table, when(r["period"]), str(r["articles"]), str(r["mentions"]))
    return _titled(title, table, f"articles per {bucket}: {spark(counts)}")


def rising_table(rows: Sequence[Row], recent_days: int, baseline_days: int) -> Group:
    title = f"Rising entities: last {recent_days} days against the {baseline_days} days before"
    table = Table()
    table.add_column("#", justify="right")
    table.add_column("entity")
    table.add_column("label")
    table.add_column("recent", justify="right")
    table.add_column("usual", justify="right")
    table.add_column("score", justify="right")
    table.add_column("per day (baseline | recent)", no_wrap=True)
    for rank, r in enumerate(rows, 1):
        daily, top = r["daily"], max(r["daily"])
        shape = f"{spark(daily[:baseline_days], top)}|{spark(daily[baseline_days:], top)}"
        _add_row(
            table,
            str(rank),
            r["entity"],
            r["label"],
            str(r["recent"]),
            f"{r['expected']:g}",
            f"{r['score']:.2f}",
            shape,
        )
    return _titled(title, table, "score = log2((recent+1)/(usual+1)); usual = the baseline scaled to the recent window")


def rising_pairs_table(rows: Sequence[Row], recent_days: int, baseline_days: int) -> Group:
    title = f"Rising pairs: last {recent_days} days against the {baseline_days} days before"
    table = Table()
    table.add_column("#", justify="right")
    table.add_column("entity")
    table.add_column("with")
    table.add_column("recent", justify="right")
    table.add_column("usual", justify="right")
    table.add_column("score", justify="right")
    for rank, r in enumerate(rows, 1):
        _add_row(
            table,
            str(rank),
            f"{r['entity_a']} ({r['label_a']})",
            f"{r['entity_b']} ({r['label_b']})",
            str(r["recent"]),
            f"{r['expected']:g}",
            f"{r['score']:.2f}",
        )
    return _titled(title, table)


def cooccur_table(rows: Sequence[Row], entity: str, since: date, until: date) -> Group:
    own = rows[0]["entity_articles"] if rows else 0
    title = f"Named with {entity} in its {own} relevant articles, {when(since)} to {when(until)} (UTC)"
    table = Table()
    table.add_column("#", justify="right")
    table.add_column("entity")
    table.add_column("label")
    table.add_column("articles", justify="right")
    table.add_column("share", justify="right")
    for rank, r in enumerate(rows, 1):
        _add_row(table, str(rank), r["entity"], r["label"], str(r["articles"]), f"{r['share']:.0%}")
    return _titled(title, table)


def feeds_table(rows: Sequence[Row], recent_days: int) -> Group:
    title = f"Feeds: health, and items over the last {recent_days} days against their usual rate"
    table = Table()
    table.add_column("feed")
    table.add_column("status")
    table.add_column("last fetch")
    table.add_column("fails", justify="right")
    table.add_column("last error", max_width=40)
    table.add_column("last new item", no_wrap=True)
    table.add_column("next due", no_wrap=True)
    table.add_column("every", justify="right", no_wrap=True)
    table.add_column("items", justify="right")
    table.add_column("/day", justify="right")
    table.add_column("usual", justify="right")
    table.add_column("per day", no_wrap=True)
    for r in rows:
        _add_row(
            table,
            r["feed"],
            Text(r["status"], style=_STATUS_STYLE.get(r["status"], "")),
            _fetch_status(r),
            str(r["consecutive_failures"]),
            r["last_error"] or "",
            when(r["last_new_item_at"]),
            when(r["next_due_at"]),
            every(r.get("poll_minutes")),
            str(r["recent_items"]),
            f"{r['recent_per_day']:g}",
            f"{r['usual_per_day']:g}",
            spark(r["daily"]),
        )
    return _titled(title, table)


def feed_notes(rows: Sequence[Row], recent_days: int) -> list[str]:
    """One sentence for each feed that needs a look, saying whether its silence is a failure or a quiet source."""
    notes = []
    for r in rows:
        if r["status"] == "failing":
            silent = f"; no items for {recent_days} days because of it" if r["recent_items"] == 0 else ""
            notes.append(
                f"{r['feed']}: failing since {when(r['failing_since'])} UTC, {r['consecutive_failures']} fetches "
                f"in a row: {r['last_error'] or r['last_status'] or 'unknown error'}{silent}."
            )
        elif r["status"] == "silent":
            notes.append(
                f"{r['feed']}: no items in {recent_days} days although about {r['expected_items']:g} were expected "
                f"({r['usual_per_day']:g}/day); its fetches succeed (last: {_fetch_status(r)}), so check that it "
                f"still publishes this beat or has moved."
            )
        elif r["status"] == "quiet":
            notes.append(
                f"{r['feed']}: {r['recent_per_day']:g} items/day recently against {r['usual_per_day']:g}/day usually."
            )
        if r.get("host_wait_until"):
            notes.append(
                f"{r['feed']}: its host asked us to wait (Retry-After) until {when(r['host_wait_until'])} UTC; "
                f"not a failure."
            )
        if r.get("validators_ignored_since"):
            notes.append(
                f"{r['feed']}: its ETag/Last-Modified hid new items (caught {when(r['validators_ignored_since'])} "
                f"UTC), so it is fetched without them."
            )
    return notes


def every(minutes: float | None) -> str:
    """An adaptive interval as people say it: '15m', '1h30m', '24h'; '' before the first fetch."""
    if minutes is None:
        return ""
    total = round(minutes)
    if total < 60:
        return f"{minutes:.3g}m" if minutes < 1 else f"{total}m"
    hours, rest = divmod(total, 60)
    return f"{hours}h{rest:02d}m" if rest else f"{hours}h"


def _fetch_status(row: Row) -> str:
    status = row["last_status"] or "never fetched"
    if row["last_http_status"]:
        status += f" ({row['last_http_status']})"
    return status


def _add_row(table: Table, *cells: str | Text) -> None:
    """Cells as plain text: a name like "[/bold]" from a feed is shown as is, never read as rich markup, and
    without control characters (an ESC sequence in a name would drive the terminal)."""
    table.add_row(*(Text(strip_controls(c)) if isinstance(c, str) else c for c in cells))


def _titled(title: str, table: Table, *notes: str) -> Group:
    """A bold title line above the table (not wrapped to the table's width), then any notes below it."""
    return Group(Text(strip_controls(title), style="bold"), table, *(Text(strip_controls(n)) for n in notes))
