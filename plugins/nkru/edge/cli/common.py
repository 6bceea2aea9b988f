"""What every subcommand shares: --since/--until parsing, JSON and CSV output, opening the database, clear
errors, and the one gate for text reaching the terminal (`terminal_text`: no control characters, no
secrets)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import wraps
from typing import Any

import click
import psycopg2
from rich.console import Console
from rich.markup import escape as escape_markup

from nkru import store
from nkru.clock import utcnow
from nkru.config import ConfigError, Settings, load_settings
from nkru.edge import resources
from nkru.redact import scrub
from nkru.untrusted import strip_controls

# Exit codes scripts can test.
EXIT_OK = 0
EXIT_NO_DATA = 3  # the query ran but found nothing (JSON output is still valid: [])
EXIT_USAGE = 2  # click's own code for bad arguments
EXIT_CONFIG = 4  # settings file or environment is wrong
EXIT_DATABASE = 5  # database unreachable or not migrated

_RELATIVE = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime | None = None, option: str = "--since") -> datetime:
    """`90m`, `36h`, `7d`, `4w` (before now) or an ISO date/time (UTC if no zone) -> an aware UTC datetime."""
    now = now or utcnow()
    match = _RELATIVE.match(text)
    if match:
        amount, unit = int(match.group(1)), _UNITS[match.group(2).lower()]
        return now - timedelta(**{unit: amount})
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text.strip()), datetime.min.time())
        except ValueError:
            raise ValueError(
                f"cannot read {option} {text!r}: use 90m, 36h, 7d, 4w or an ISO date such as 2026-03-01"
            ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_until(text: str, now: datetime | None = None) -> datetime:
    """The end of a window, excluded: a date is included whole (`2026-11-01` runs to the end of that day, as the
    Stories page's "until" does), a time or a span before now (`7d`) ends there."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return parse_since(text, now, option="--until")
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)


class SinceType(click.ParamType):
    """A click parameter type for --since (or, with `until=True`, --until) with a readable error."""

    name = "SINCE"

    def __init__(self, until: bool = False) -> None:
        self.until = until
        if until:
            self.name = "UNTIL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_until(str(value)) if self.until else parse_since(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


SINCE = SinceType()
UNTIL = SinceType(until=True)


def terminal_text(value: object, *, markup: bool = False) -> str:
    """Any text on its way to the terminal: control characters (ESC sequences that clear the screen or set
    the window title, NUL, C1) and lone surrogates dropped, passwords of the configured URLs masked, and, with
    `markup=True`, rich's markup escaped (so a feed's "[/bold]" is shown, not obeyed)."""
    text = strip_controls(str(value))
    text = scrub(text, os.environ.get(resources.DATABASE_URL_ENV), os.environ.get(resources.SMTP_URL_ENV))
    return escape_markup(text) if markup else text


def echo(value: object = "", *, err: bool = False) -> None:
    """`click.echo` through `terminal_text`."""
    click.echo(terminal_text(value), err=err)


def console() -> Console:
    """Rich output for tables. Piped into a file or `less`, rich would assume 80 columns and squeeze the
    tables into ellipses; there, lines may be as wide as the table needs (up to 200 columns)."""
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(highlight=False, width=200 if wide else None)


def print_json(data: Any) -> None:
    """JSON to stdout: datetimes as ISO 8601, non-ASCII kept readable, but every control character and lone
    surrogate written as a \\u escape (json escapes C0 itself; C1 such as U+009B would act on a terminal)."""
    text = json.dumps(data, default=_json_default, ensure_ascii=False, indent=2)
    click.echo(_UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text))


_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def fail(message: str, code: int) -> None:
    """Print a one-line error to stderr and exit with `code`."""
    echo(f"nkru: {message}", err=True)
    sys.exit(code)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        fail(str(exc), EXIT_CONFIG)
        raise  # unreachable; keeps type checkers honest


@contextmanager
def database() -> Iterator[store.Connection]:
    """Open the news database or exit with a message that says what to fix."""
    try:
        conn = store.connect(resources.database_url())
    except resources.DatabaseNotConfigured as exc:
        fail(str(exc), EXIT_CONFIG)
    except psycopg2.ProgrammingError as exc:  # libpq could not read the URL ("invalid dsn")
        fail(f"{resources.DATABASE_URL_ENV} is not a valid libpq URI: {str(exc).strip()}", EXIT_CONFIG)
    except psycopg2.Error as exc:
        fail(f"cannot connect to the news database: {str(exc).strip()}", EXIT_DATABASE)
    try:
        if not store.applied_migrations(conn):
            fail("the news database has no schema yet: run `nkru migrate` first", EXIT_DATABASE)
        yield conn
    finally:
        conn.close()


def with_database_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a database failure mid-command into a clear message and EXIT_DATABASE instead of a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except psycopg2.Error as exc:
            fail(store.describe_error(exc), EXIT_DATABASE)

    return wrapper


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--json and --csv for a listing command; the command receives `output`: 'table', 'json' or 'csv'."""

    @wraps(func)
    def wrapper(*args: Any, as_json: bool, as_csv: bool, **kwargs: Any) -> Any:
        if as_json and as_csv:
            raise click.UsageError("choose one of --json and --csv")
        return func(*args, output="json" if as_json else "csv" if as_csv else "table", **kwargs)

    wrapper = click.option(
        "--csv", "as_csv", is_flag=True, help="Print CSV with a header row (lists joined with '; ')."
    )(wrapper)
    return click.option("--json", "as_json", is_flag=True, help="Print a JSON array ([] when empty).")(wrapper)


def print_rows(rows: Sequence[dict], output: str, columns: Sequence[str]) -> None:
    """Rows as JSON or CSV (`columns` in that order: the CSV header is printed even when there are no rows)."""
    if output == "json":
        print_json(list(rows))
    elif output == "csv":
        print_csv(rows, columns)


def print_csv(rows: Sequence[dict], columns: Sequence[str]) -> None:
    """CSV with a header row. Lists become 'a; b; c', nested values JSON; text from feeds loses its control
    characters and, if it starts like a spreadsheet formula (=, +, -, @), gets a leading apostrophe, so that a
    headline cannot run as a formula when the file is opened in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
    click.echo(buffer.getvalue(), nl=False)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)  # a number, negative or not, is never taken for a formula
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        if all(isinstance(v, str | int | float) for v in value):
            return "; ".join(_csv_cell(v) for v in value)
        value = json.dumps(list(value), default=_json_default, ensure_ascii=False)
    elif isinstance(value, dict):
        value = json.dumps(value, default=_json_default, ensure_ascii=False)
    text = terminal_text(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
