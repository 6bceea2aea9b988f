"""`nkru trend`, `nkru rising`, `nkru cooccur`, `nkru volume` and `nkru feeds`: the trend queries in a terminal.

Each prints an aligned table fitted to the terminal's width (or `--json`: always a valid JSON array, `[]` when
empty; or `--csv` with a header row, the same columns as the JSON) and can draw a chart with
`--plot FILE.png|.svg`. Exit codes: 0 data shown, 3 nothing in the window or an empty database, 2 bad input (an
unparsable --since, an unknown entity: the closest names are suggested), 5 database problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import click
import psycopg2
import psycopg2.errors

from nkru import store
from nkru.clock import utcnow
from nkru.edge.cli import feeds as feeds_edit
from nkru.edge.cli.common import (
    EXIT_DATABASE,
    EXIT_NO_DATA,
    EXIT_USAGE,
    SINCE,
    database,
    echo,
    fail,
    output_options,
    print_rows,
    terminal_text,
    with_database_errors,
)
from nkru.edge.cli.common import (
    console as common_console,
)
from nkru.store import trends as trend_store
from nkru.trends import tables
from nkru.trends.lookup import EntityMatch, UnknownEntity, resolve_entity

Row = dict[str, Any]

# The columns of each command's --csv (and keys of its --json rows), in the order of the SQL in sql/queries/.
TREND_COLUMNS = ("entity", "label", "period", "articles", "mentions")
RISING_COLUMNS = ("entity", "label", "recent", "baseline", "expected", "score", "daily")
PAIR_COLUMNS = ("entity_a", "label_a", "entity_b", "label_b", "recent", "baseline", "expected", "score")
COOCCUR_COLUMNS = ("entity", "label", "articles", "share", "entity_articles")
VOLUME_COLUMNS = ("period", "articles", "relevant_articles", "stories")
FEED_VOLUME_COLUMNS = ("feed", "period", "articles", "relevant_articles")
FEED_COLUMNS = (
    "feed",
    "url",
    "enabled",
    "last_status",
    "last_http_status",
    "last_error",
    "consecutive_failures",
    "failing_since",
    "last_fetched_at",
    "last_success_at",
    "last_new_item_at",
    "next_due_at",
    "poll_minutes",
    "validators_ignored_since",
    "host_wait_until",
    "recent_items",
    "recent_per_day",
    "usual_per_day",
    "expected_items",
    "status",
    "daily",
)
_DAYS = re.compile(r"^\s*(\d+)\s*(d|w)\s*$", re.IGNORECASE)


class DaysType(click.ParamType):
    """A length of time in whole days: `28d` or `4w`."""

    name = "DAYS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        match = _DAYS.match(str(value))
        if not match or int(match.group(1)) < 1:
            self.fail(f"cannot read {value!r} as a number of days: use e.g. 28d or 4w", param, ctx)
        return int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)


DAYS = DaysType()


def _check_plot(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    if value is None:
        return None
    # matplotlib takes about a second to import: only when --plot is given
    from nkru.trends.charts import chart_format

    try:
        chart_format(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return Path(value)


def _options(since_default: str, plot: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--since, --json, --csv and --plot, shared by every command."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func = output_options(func)
        if plot:
            func = click.option(
                "--plot",
                type=click.Path(dir_okay=False),
                callback=_check_plot,
                help="Also draw a chart to FILE.png or FILE.svg.",
            )(func)
        return click.option(
            "--since",
            type=SINCE,
            default=since_default,
            show_default=True,
            help="Start of the window: 90m, 36h, 7d, 4w or an ISO date (UTC).",
        )(func)

    return decorate


def _by_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--by",
        "bucket",
        type=click.Choice(["day", "week", "auto"]),
        default="auto",
        show_default=True,
        help="One row per day or per week (auto: weeks for windows over 31 days).",
    )(func)


def _window(since: datetime) -> tuple[date, date]:
    """The whole UTC days from --since to today: `7d` is the last 7 days, today included; a date starts on it."""
    now = utcnow()
    since = since.astimezone(UTC)
    if since > now:
        fail(f"--since {since:%Y-%m-%d %H:%M} UTC is in the future", EXIT_USAGE)
    first = since.date() if since.time() == time(0) else since.date() + timedelta(days=1)
    return min(first, now.date()), now.date()


def _bucket(choice: str, first: date, last: date) -> str:
    if choice != "auto":
        return choice
    return "week" if (last - first).days > 31 else "day"


@contextmanager
def _trend_database() -> Iterator[store.Connection]:
    """The news database with the trend tables current; exits with a clear message when it cannot be used."""
    with database() as conn:
        if not trend_store.is_ready(conn):
            fail("the trend tables are missing: run `nkru migrate`", EXIT_DATABASE)
        # a read-only user sees what the ingest DAG last refreshed
        with suppress(psycopg2.errors.InsufficientPrivilege, psycopg2.errors.ReadOnlySqlTransaction):
            trend_store.refresh_daily(conn)
        yield conn


def _no_data(conn: store.Connection, output: str, columns: Sequence[str], message: str) -> None:
    """Say why there is nothing to show (empty database or empty window) and exit with EXIT_NO_DATA."""
    print_rows([], output, columns)
    if not trend_store.has_articles(conn):
        message = "the news database has no articles yet: run `nkru run` or start the nkru_ingest DAG"
    fail(message, EXIT_NO_DATA)


def _show(
    rows: Sequence[Row],
    output: str,
    columns: Sequence[str],
    table: Callable[[int], Any],
    notes: Sequence[str] = (),
) -> None:
    """The rows as JSON, CSV or a table fitted to the terminal's width (`table(width)`), then any notes."""
    if output != "table":
        print_rows(rows, output, columns)
        return
    console = common_console()
    console.print(table(console.width))
    for note in notes:
        console.print(terminal_text(note), markup=False)


def _plot(path: Path | None, draw: Callable[[Any], Any]) -> None:
    """Draw a chart with `draw(charts)` into `path`, when --plot was given."""
    if path is None:
        return
    # matplotlib takes about a second to import: only when a chart is drawn
    from nkru.trends import charts

    charts.save(draw(charts), path)
    echo(f"chart written to {path}", err=True)


def _entity(conn: store.Connection, text: str, output: str, columns: Sequence[str]) -> EntityMatch:
    try:
        match = resolve_entity(conn, text)
    except UnknownEntity as exc:
        print_rows([], output, columns)
        fail(str(exc), EXIT_USAGE)
    if match.others:
        echo(f"nkru: {text!r} is also {', '.join(match.others)}; showing {match.name} ({match.label})", err=True)
    return match


@click.command()
@click.argument("entity")
@_options("90d")
@_by_option
@with_database_errors
def trend(entity: str, since: datetime, output: str, plot: Path | None, bucket: str) -> None:
    """Coverage of ENTITY over time, found by any spelling (e.g. "Ким Чен Ын" finds Kim Jong Un)."""
    first, last = _window(since)
    bucket = _bucket(bucket, first, last)
    with _trend_database() as conn:
        match = _entity(conn, entity, output, TREND_COLUMNS)
        rows = trend_store.entity_trend(conn, match.entity_id, first, last, bucket)
        if not any(r["articles"] for r in rows):
            message = f"no relevant articles name {match.name} between {first} and {last}"
            _no_data(conn, output, TREND_COLUMNS, message)
    rows = [{"entity": match.name, "label": match.label, **r} for r in rows]
    _show(rows, output, TREND_COLUMNS, lambda w: tables.trend_table(match.name, match.label, rows, bucket, first, last))
    _plot(plot, lambda charts: charts.trend_chart(rows, match.name, bucket))


@click.command()
@_options("7d")
@click.option("--baseline", type=DAYS, default="28d", show_default=True, help="Usual level: this many days before.")
@click.option("--min-count", default=3, show_default=True, type=click.IntRange(1), help="Least recent articles.")
@click.option("--label", help="Only this label: PERSON, ORG, GPE, LOC, NORP, ...")
@click.option("--pairs", is_flag=True, help="Rising pairs of entities named together instead.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1))
@with_database_errors
def rising(
    since: datetime,
    output: str,
    plot: Path | None,
    baseline: int,
    min_count: int,
    label: str | None,
    pairs: bool,
    limit: int,
) -> None:
    """Entities (or pairs) covered more since --since than their usual level over the --baseline before."""
    first, last = _window(since)
    baseline_since = first - timedelta(days=baseline)
    recent_days = (last - first).days + 1
    with _trend_database() as conn:
        if pairs:
            rows = trend_store.rising_pairs(conn, first, last, baseline_since, min_count, limit)
        else:
            label = label.upper() if label else None
            rows = trend_store.rising_entities(conn, first, last, baseline_since, min_count, label, limit)
        columns = PAIR_COLUMNS if pairs else RISING_COLUMNS
        if not rows:
            least = tables.plural(min_count, "article")
            _no_data(conn, output, columns, f"nothing rose between {first} and {last} with at least {least}")
    if pairs:
        _show(rows, output, columns, lambda w: tables.rising_pairs_table(rows, recent_days, baseline, w))
        _plot(plot, lambda charts: charts.rising_chart(rows, f"Rising pairs since {first} (UTC)"))
    else:
        _show(rows, output, columns, lambda w: tables.rising_table(rows, recent_days, baseline, w))
        _plot(plot, lambda charts: charts.rising_chart(rows, f"Rising entities since {first} (UTC)"))


@click.command()
@click.argument("entity")
@_options("30d")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1))
@with_database_errors
def cooccur(entity: str, since: datetime, output: str, plot: Path | None, limit: int) -> None:
    """The entities named most often in the same relevant articles as ENTITY."""
    first, last = _window(since)
    with _trend_database() as conn:
        match = _entity(conn, entity, output, COOCCUR_COLUMNS)
        rows = trend_store.cooccurring(conn, match.entity_id, first, last, limit)
        if not rows:
            message = f"nothing is named with {match.name} between {first} and {last}"
            _no_data(conn, output, COOCCUR_COLUMNS, message)
    _show(rows, output, COOCCUR_COLUMNS, lambda w: tables.cooccur_table(rows, match.name, first, last))
    _plot(plot, lambda charts: charts.cooccur_chart(rows, match.name))


@click.command()
@_options("30d")
@_by_option
@click.option("--by-feed", is_flag=True, help="One series per source instead of the total.")
@with_database_errors
def volume(since: datetime, output: str, plot: Path | None, bucket: str, by_feed: bool) -> None:
    """Relevant articles and new stories per day or week, overall or per source (empty days show as 0)."""
    first, last = _window(since)
    bucket = _bucket(bucket, first, last)
    columns = FEED_VOLUME_COLUMNS if by_feed else VOLUME_COLUMNS
    with _trend_database() as conn:
        if by_feed:
            rows = trend_store.volume_by_feed(conn, first, last, bucket)
        else:
            rows = trend_store.volume(conn, first, last, bucket)
        if not any(r["articles"] for r in rows):
            _no_data(conn, output, columns, f"no articles between {first} and {last}")
    if by_feed:
        _show(rows, output, columns, lambda w: tables.feed_volume_table(rows, bucket, first, last, w))
        _plot(plot, lambda charts: charts.feed_volume_chart(rows, bucket))
    else:
        _show(rows, output, columns, lambda w: tables.volume_table(rows, bucket, first, last))
        _plot(plot, lambda charts: charts.volume_chart(rows, bucket))


@click.group(invoke_without_command=True)
@_options("7d")
@click.option("--baseline", type=DAYS, default="28d", show_default=True, help="Usual rate: this many days before.")
@click.pass_context
@with_database_errors
def feeds(ctx: click.Context, since: datetime, output: str, plot: Path | None, baseline: int) -> None:
    """Feed health (last status and error, failures, next fetch, last new item) and coverage against usual.

    `nkru feeds add NAME URL` and `nkru feeds remove NAME` edit the feeds list of the settings file.
    """
    if ctx.invoked_subcommand is not None:
        return
    first, last = _window(since)
    recent_days = (last - first).days + 1
    with _trend_database() as conn:
        rows = trend_store.feed_coverage(conn, first, last, first - timedelta(days=baseline))
        if not rows:
            print_rows([], output, FEED_COLUMNS)
            fail("no feeds are configured yet: add some with `nkru feeds add` and run `nkru run`", EXIT_NO_DATA)
    notes = tables.feed_notes(rows, recent_days)
    _show(rows, output, FEED_COLUMNS, lambda w: tables.feeds_table(rows, recent_days, w), notes)
    _plot(plot, lambda charts: charts.feeds_chart(rows))


feeds.add_command(feeds_edit.add)
feeds.add_command(feeds_edit.remove)


def register(main: click.Group) -> None:
    """Add the trend commands to `nkru`."""
    for command in (trend, rising, cooccur, volume, feeds):
        main.add_command(command)
