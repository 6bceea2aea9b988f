"""`nkru alerts`: the alert outbox — what was sent, what waits for the mail server, what failed for good."""

from __future__ import annotations

from datetime import datetime

import click

from nkru.edge.cli.common import EXIT_NO_DATA, SINCE, database, echo, output_options, print_rows, with_database_errors
from nkru.store import outbox as outbox_store
from nkru.trends.tables import plural
from nkru.untrusted import one_line

# --csv columns, the keys of the --json rows
COLUMNS = (
    "id",
    "status",
    "mode",
    "rule",
    "recipient",
    "story_id",
    "story_title",
    "attempts",
    "last_error",
    "message_id",
    "created_at",
    "last_attempt_at",
    "sent_at",
)


def register(main: click.Group) -> None:
    main.add_command(alerts)


@click.command()
@click.option("--pending", is_flag=True, help="Only alerts still waiting to be sent (retried every run).")
@click.option("--failed", is_flag=True, help="Only alerts that reached the attempt limit and will not be retried.")
@click.option("--since", type=SINCE, default=None, help="Only alerts queued since: 90m, 36h, 7d, 4w or an ISO date.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True)
@output_options
@with_database_errors
def alerts(pending: bool, failed: bool, since: datetime | None, limit: int, output: str) -> None:
    """Alert e-mails in the outbox, newest first: status, rule, recipient, story, attempts, last error.

    Exits with 3 when nothing matches (the JSON output is then `[]`, the CSV its header).
    """
    statuses = [s for s, wanted in (("pending", pending), ("failed", failed)) if wanted] or None
    with database() as conn, conn, conn.cursor() as cur:
        rows = outbox_store.list_outbox(cur, statuses, since, limit)
        failed_total = outbox_store.count_failed(cur) if pending and not failed else 0
    if output != "table":
        print_rows(rows, output, COLUMNS)
    elif rows:
        _print(rows)
    else:
        echo("no alerts" + (f" {' or '.join(statuses)}" if statuses else "") + " in the outbox", err=True)
    if failed_total and output == "table":
        failed_for_good = plural(failed_total, "alert")
        note = f"{failed_for_good} failed for good and will not be retried: see `nkru alerts --failed`"
        echo(note, err=True)
    if not rows:
        raise SystemExit(EXIT_NO_DATA)


def _print(rows: list[dict]) -> None:
    for row in rows:
        when = row["sent_at"] or row["created_at"]
        echo(
            f"{row['status']:<8} {when:%Y-%m-%d %H:%M} UTC  [{row['rule']}] → {row['recipient']}  "
            f"(story {row['story_id']}, {row['mode']}, {plural(row['attempts'], 'attempt')})"
        )
        echo(f"         {one_line(row['story_title'])}")  # feed text: no control characters
        if row["last_error"] and row["status"] != "sent":
            echo(f"         last error: {one_line(row['last_error'], 500)}")
