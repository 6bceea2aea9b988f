"""Terminal output of the trend commands: aligned rich tables, with sparklines where a shape says more than numbers.

Tables fit the terminal: given its width, the columns that matter least (sparklines first, then times and rates)
give way until the table fits, and a note says which; names and errors keep a readable width and wrap.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from sparklines import sparklines

from nkru.untrusted import strip_controls

Row = dict[str, Any]
_VARYING = re.compile(r"\S*[./]\S*|\[[^\]]*\]|\([^)]*\)")  # host names, URLs, addresses, [Errno -2], (details)
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


@dataclass(frozen=True)
class Column:
    """A table column. `give_way` 0 is always shown; a narrow terminal drops the highest numbers first."""

    header: str
    justify: str = "left"
    give_way: int = 0
    min_width: int | None = None
    max_width: int | None = None
    no_wrap: bool = False


SPARKLINE = 9  # the first to go: a shape the JSON and --plot also give
NAME_WIDTH = 24  # names (of feeds, entities) keep up to this many columns before they wrap
ERROR_WIDTH = 28


def name_column(header: str, values: Sequence[str], **options: object) -> Column:
    """A column of names: as wide as the longest, up to NAME_WIDTH, before anything else is squeezed."""
    widest = max((len(v) for v in values), default=len(header))
    return Column(header, min_width=min(max(widest, len(header)), NAME_WIDTH), **options)  # type: ignore[arg-type]


def fitted(
    columns: Sequence[Column], rows: Sequence[Sequence[str | Text]], width: int | None
) -> tuple[Table, list[str]]:
    """A table of `rows` with the columns that fit in `width` (all of them when None): the columns that give
    way are left out, highest `give_way` first, until the table's natural width fits; and the headers left out."""
    shown = list(range(len(columns)))
    # a column that wraps (an error message) counts at its least width: it wraps before anything gives way
    least = [replace(c, max_width=c.min_width) if c.min_width and c.max_width else c for c in columns]
    while True:
        cells = [[row[i] for i in shown] for row in rows]
        droppable = [i for i in shown if columns[i].give_way]
        if width is None or not droppable or _natural_width(_table([least[i] for i in shown], cells)) <= width:
            left_out = [c.header for i, c in enumerate(columns) if i not in shown]
            return _table([columns[i] for i in shown], cells), left_out
        shown.remove(max(droppable, key=lambda i: (columns[i].give_way, i)))


def _table(columns: Sequence[Column], rows: Sequence[Sequence[str | Text]]) -> Table:
    table = Table()
    for c in columns:
        table.add_column(
            c.header,
            justify=c.justify,  # type: ignore[arg-type]
            min_width=c.min_width,
            max_width=c.max_width,
            no_wrap=c.no_wrap,
            overflow="fold",
        )
    for row in rows:
        _add_row(table, *row)
    return table


def _natural_width(table: Table) -> int:
    return Console(width=10_000).measure(table).maximum


def _fitted_titled(
    title: str, columns: Sequence[Column], rows: Sequence[Sequence[str | Text]], width: int | None, *notes: str
) -> Group:
    table, left_out = fitted(columns, rows, width)
    if left_out:
        notes = (
            *notes,
            f"(left out to fit {width} columns: {', '.join(left_out)}; a wider terminal or --json shows them)",
        )
    return _titled(title, table, *notes)


def volume_table(rows: Sequence[Row], bucket: str, first: date, last: date) -> Group:
    relevant = [r["relevant_articles"] for r in rows]
    title = f"Coverage per {bucket}, {when(first)} to {when(last)} (UTC): {plural(sum(relevant), 'relevant article')}"
    table = Table()
    table.add_column("day" if bucket == "day" else "week of", no_wrap=True)
    for name in ("relevant articles", "new stories", "all items"):
        table.add_column(name, justify="right")
    for r in rows:
        _add_row(table, when(r["period"]), str(r["relevant_articles"]), str(r["stories"]), str(r["articles"]))
    return _titled(title, table, f"relevant per {bucket}: {spark(relevant)}")


def feed_volume_table(rows: Sequence[Row], bucket: str, first: date, last: date, width: int | None = None) -> Group:
    by_feed: dict[str, list[Row]] = {}
    for row in rows:
        by_feed.setdefault(row["feed"], []).append(row)
    columns = [
        name_column("feed", list(by_feed)),
        Column("relevant", "right"),
        Column("all items", "right"),
        Column(f"relevant per {bucket}", no_wrap=True, give_way=SPARKLINE),
    ]
    cells = []
    for feed, series in by_feed.items():
        relevant = [r["relevant_articles"] for r in series]
        cells.append((feed, str(sum(relevant)), str(sum(r["articles"] for r in series)), spark(relevant)))
    return _fitted_titled(f"Coverage per source, {when(first)} to {when(last)} (UTC)", columns, cells, width)


def trend_table(entity: str, label: str, rows: Sequence[Row], bucket: str, first: date, last: date) -> Group:
    counts = [r["articles"] for r in rows]
    articles = plural(sum(counts), "relevant article")
    title = f"{entity} ({label}): {articles}, {when(first)} to {when(last)} (UTC)"
    table = Table()
    table.add_column("day" if bucket == "day" else "week of", no_wrap=True)
    table.add_column("articles", justify="right")
    table.add_column("mentions", justify="right")
    for r in rows:
        _add_row(table, when(r["period"]), str(r["articles"]), str(r["mentions"]))
    return _titled(title, table, f"articles per {bucket}: {spark(counts)}")


def rising_table(rows: Sequence[Row], recent_days: int, baseline_days: int, width: int | None = None) -> Group:
    title = f"Rising entities: last {plural(recent_days, 'day')} against the {plural(baseline_days, 'day')} before"
    columns = [
        Column("#", "right"),
        name_column("entity", [r["entity"] for r in rows]),
        Column("label"),
        Column("recent", "right"),
        Column("usual", "right"),
        Column("score", "right"),
        Column("per day (baseline | recent)", no_wrap=True, give_way=SPARKLINE),
    ]
    cells = []
    for rank, r in enumerate(rows, 1):
        daily, top = r["daily"], max(r["daily"])
        shape = f"{spark(daily[:baseline_days], top)}|{spark(daily[baseline_days:], top)}"
        cells.append(
            (str(rank), r["entity"], r["label"], str(r["recent"]), f"{r['expected']:g}", f"{r['score']:.2f}", shape)
        )
    note = "score = log2((recent+1)/(usual+1)); usual = the baseline scaled to the recent window"
    return _fitted_titled(title, columns, cells, width, note)


def rising_pairs_table(rows: Sequence[Row], recent_days: int, baseline_days: int, width: int | None = None) -> Group:
    title = f"Rising pairs: last {plural(recent_days, 'day')} against the {plural(baseline_days, 'day')} before"
    firsts = [f"{r['entity_a']} ({r['label_a']})" for r in rows]
    seconds = [f"{r['entity_b']} ({r['label_b']})" for r in rows]
    columns = [
        Column("#", "right"),
        name_column("entity", firsts),
        name_column("with", seconds),
        Column("recent", "right"),
        Column("usual", "right"),
        Column("score", "right"),
    ]
    cells = [
        (str(rank), a, b, str(r["recent"]), f"{r['expected']:g}", f"{r['score']:.2f}")
        for rank, (r, a, b) in enumerate(zip(rows, firsts, seconds, strict=True), 1)
    ]
    return _fitted_titled(title, columns, cells, width)


def cooccur_table(rows: Sequence[Row], entity: str, since: date, until: date) -> Group:
    own = rows[0]["entity_articles"] if rows else 0
    title = f"Named with {entity} in its {plural(own, 'relevant article')}, {when(since)} to {when(until)} (UTC)"
    columns = [
        Column("#", "right"),
        name_column("entity", [r["entity"] for r in rows]),
        Column("label"),
        Column("articles", "right"),
        Column("share", "right"),
    ]
    cells = [
        (str(rank), r["entity"], r["label"], str(r["articles"]), f"{r['share']:.0%}") for rank, r in enumerate(rows, 1)
    ]
    return _fitted_titled(title, columns, cells, None)


def feeds_table(rows: Sequence[Row], recent_days: int, width: int | None = None) -> Group:
    title = f"Feeds: health, and items over the last {plural(recent_days, 'day')} against their usual rate"
    columns = [
        name_column("feed", [r["feed"] for r in rows]),
        Column("status", no_wrap=True),
        Column("last fetch", give_way=3),
        Column("fails", "right"),
        Column("last error", min_width=ERROR_WIDTH, max_width=40),
        Column("last new item", no_wrap=True, give_way=5),
        Column("next due", no_wrap=True, give_way=6),
        Column("every", "right", no_wrap=True, give_way=4),
        Column("items", "right"),
        Column("/day", "right", give_way=2),
        Column("usual", "right", give_way=2),
        Column("per day", no_wrap=True, give_way=SPARKLINE),
    ]
    cells = [
        (
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
        for r in rows
    ]
    return _fitted_titled(title, columns, cells, width)


@dataclass(frozen=True)
class FailureGroup:
    reason: str
    feeds: tuple[str, ...]

    @property
    def line(self) -> str:
        return f"{len(self.feeds)} failing: {self.reason}"


def failure_reason(error: str | None, status: str | None) -> str:
    """What a failure is, without what differs from feed to feed: 'cannot resolve host', 'HTTP 503 ...'."""
    text = (error or "").strip()
    if not text:
        return (status or "unknown error").replace("_", " ")
    head = text.split(":", 1)[0]
    head = " ".join(_VARYING.sub(" ", head).split())
    return head or (status or "unknown error").replace("_", " ")


def failure_groups(rows: list[dict[str, Any]]) -> list[FailureGroup]:
    """Failing feeds grouped by reason, the largest group first."""
    groups: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row["status"] == "failing":
            groups[failure_reason(row["last_error"], row["last_status"])].append(row["feed"])
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [FailureGroup(reason, tuple(sorted(feeds))) for reason, feeds in ordered]


def feed_notes(rows: Sequence[Row], recent_days: int) -> list[str]:
    """One sentence for each feed that needs a look, saying whether its silence is a failure or a quiet source;
    feeds failing for the same reason (no DNS on this machine, say) share one sentence."""
    shared = [g for g in failure_groups(list(rows)) if len(g.feeds) > 1]
    notes = [_failure_group_note(g, [r for r in rows if r["feed"] in g.feeds]) for g in shared]
    grouped = {feed for g in shared for feed in g.feeds}
    for r in rows:
        if r["status"] == "failing" and r["feed"] not in grouped:
            silent = f"; no items for {plural(recent_days, 'day')} because of it" if r["recent_items"] == 0 else ""
            notes.append(
                f"{r['feed']}: failing since {when(r['failing_since'])} UTC, "
                f"{plural(r['consecutive_failures'], 'fetch')} in a row: "
                f"{r['last_error'] or r['last_status'] or 'unknown error'}{silent}."
            )
        elif r["status"] == "silent":
            notes.append(
                f"{r['feed']}: no items in {plural(recent_days, 'day')} although about {r['expected_items']:g} "
                f"{'was' if r['expected_items'] == 1 else 'were'} expected "
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


def _failure_group_note(group: FailureGroup, rows: Sequence[Row], named: int = 8) -> str:
    """'3 feeds failing: cannot resolve host (Border Watch, Daily Monitor, Sea Lanes), since 2026-11-30 12:00 UTC.'"""
    names = ", ".join(group.feeds[:named]) + (
        f" and {len(group.feeds) - named} more" if len(group.feeds) > named else ""
    )
    since = min((r["failing_since"] for r in rows if r["failing_since"]), default=None)
    started = f", the first since {when(since)} UTC" if since else ""
    return f"{plural(len(group.feeds), 'feed')} failing: {group.reason} ({names}){started}."


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
