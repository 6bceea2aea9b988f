"""`nkru migrate`, `run`, `rescore`, `entities`, `demo`: the ingest side of the command (`nkru stories` is in
search.py)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from nkru import fulltext, mail, pipeline, pipeline_process, store
from nkru.clock import utcnow
from nkru.edge import resources
from nkru.edge.cli.common import (
    EXIT_DATABASE,
    EXIT_NO_DATA,
    SINCE,
    database,
    echo,
    fail,
    output_options,
    print_rows,
    settings_or_exit,
    terminal_text,
    with_database_errors,
)
from nkru.edge.cli.common import (
    console as common_console,
)
from nkru.edge.demo import alerts_note, run_demo
from nkru.store import articles as article_store
from nkru.store import trends as trend_store
from nkru.trends.tables import plural


def register(main: click.Group) -> None:
    for command in (migrate, run, rescore, entities, demo):
        main.add_command(command)


@click.command()
def migrate() -> None:
    """Create or update the news database schema (safe to run again)."""
    try:
        conn = store.connect(resources.database_url())
    except resources.DatabaseNotConfigured as exc:
        fail(str(exc), EXIT_DATABASE)
    except Exception as exc:  # psycopg2.OperationalError, "invalid dsn" and friends: say what to fix
        fail(f"cannot connect to the news database: {str(exc).strip()}", EXIT_DATABASE)
    try:
        applied = store.migrate(conn)
    finally:
        conn.close()
    echo("applied: " + ", ".join(applied) if applied else "schema is up to date")


@click.command()
@click.option("--due-only", is_flag=True, help="Fetch only feeds whose next due time has come (as the DAG does).")
@click.option("--no-send", is_flag=True, help="Queue alerts but do not send them.")
@with_database_errors
def run(due_only: bool, no_send: bool) -> None:
    """One pass of the pipeline without Airflow: fetch, parse, score, extract, store, alert."""
    settings = settings_or_exit()
    run_id = f"cli:{utcnow().isoformat(timespec='seconds')}"
    with database() as conn:
        store.migrate(conn)
        total = _ingest_with_progress(conn, settings, run_id, due_only)
        pages = _full_texts(conn, settings)
        processed = _process_with_progress(conn, settings)
        _refresh_trends(conn)
        echo(
            f"feeds: {total.feeds} fetched, {total.not_modified} unchanged (304), {total.failed_feeds} failed; "
            f"items: {total.items}, new articles: {total.new_articles}; "
            f"relevant articles processed: {processed.articles} in {plural(len(processed.stories), 'story')}"
        )
        if pages.pages:
            echo(pages.summary())
        for feed, error in sorted(total.errors.items()):
            echo(f"  failed: {feed}: {error}")
        for reason, count in sorted(total.skipped.items()):
            echo(f"  skipped {plural(count, 'item')}: {reason}")
        if not no_send:
            _send(conn, settings)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def _ingest_with_progress(conn, settings, run_id: str, due_only: bool) -> pipeline.IngestReport:
    batches = pipeline.plan_batches(conn, settings, utcnow(), due_only=due_only)
    total = pipeline.IngestReport()
    with _progress() as progress:
        bar = progress.add_task("fetching feeds", total=sum(len(b) for b in batches))
        for batch in batches:
            total.add(pipeline.ingest_batch(conn, settings, batch, run_id))
            progress.advance(bar, len(batch))
    return total


def _full_texts(conn, settings):
    return fulltext.fetch_full_texts(conn, settings)


def _process_with_progress(conn, settings) -> pipeline_process.ProcessReport:
    with conn, conn.cursor() as cur:
        pending = article_store.count_pending_extraction(cur)
    with _progress() as progress:
        bar = progress.add_task("extracting entities", total=pending)
        return pipeline_process.process_pending(conn, settings, on_progress=lambda n: progress.advance(bar, n))


def _refresh_trends(conn) -> None:
    trend_store.refresh_daily(conn)


def _send(conn, settings) -> None:
    try:
        target = resources.smtp_target()
    except resources.SmtpNotConfigured as exc:
        echo(f"alerts: not sent ({exc}); they stay queued for the next run")
        return
    except ValueError as exc:  # a malformed NKRU_SMTP_URL (its message quotes the URL: terminal_text masks it)
        echo(f"alerts: not sent (NKRU_SMTP_URL cannot be read: {exc}); they stay queued for the next run")
        return
    report = mail.send_pending(conn, settings, target)
    echo(f"alerts: {report.summary()}")


@click.command()
@with_database_errors
def rescore() -> None:
    """Detect the language of every stored article again and score it with the current relevance rules and
    lexicon (after changing `topic:` settings or `config/lexicon/`)."""
    settings = settings_or_exit()
    with database() as conn:
        total, gained, lost = pipeline.rescore_all(conn, settings)
    echo(f"rescored {plural(total, 'article')}: {gained} became relevant, {lost} no longer relevant")
    if gained:
        echo("newly relevant articles get their entities on the next `nkru run` or DAG run")


ENTITY_COLUMNS = ("name", "label", "articles", "mentions")
UNLINKED_COLUMNS = ("name", "label", "articles", "languages", "spellings")


@click.command()
@click.option("--since", type=SINCE, default="7d", show_default=True, help="90m, 36h, 7d, 4w or an ISO date.")
@click.option("--top", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--label", help="Only this label: PERSON, ORG, GPE, LOC, NORP, FAC, EVENT, PRODUCT.")
@click.option(
    "--unlinked", is_flag=True, help="Frequent names with no canonical link yet (candidates for `nkru alias add`)."
)
@click.option("--min-articles", type=click.IntRange(1, 100_000), default=2, show_default=True, help="With --unlinked.")
@output_options
@with_database_errors
def entities(since: datetime, top: int, label: str | None, output: str, unlinked: bool, min_articles: int) -> None:
    """Most mentioned canonical entities in relevant articles, by number of articles."""
    if unlinked:
        return _unlinked(since, top, min_articles, output)
    with database() as conn, conn, conn.cursor() as cur:
        rows = article_store.entities_named_since(cur, since, top, label.upper() if label else None)
    if output != "table":
        print_rows(rows, output, ENTITY_COLUMNS)
    elif rows:
        table = Table(title=f"Top entities since {since:%Y-%m-%d %H:%M} UTC")
        table.add_column("entity", min_width=20)
        table.add_column("label")
        table.add_column("articles", justify="right")
        table.add_column("mentions", justify="right")
        for row in rows:  # Text cells: a name is shown as written, never read as rich markup
            cells = (row["name"], row["label"], str(row["articles"]), str(row["mentions"]))
            table.add_row(*(Text(terminal_text(c)) for c in cells))
        common_console().print(table)
    else:
        echo(f"no entities in relevant articles since {since:%Y-%m-%d %H:%M} UTC", err=True)
    if not rows:
        raise SystemExit(EXIT_NO_DATA)


def _unlinked(since: datetime, top: int, min_articles: int, output: str) -> None:
    """Names the gazetteer does not know and no analyst has linked, most frequent first."""
    # nkru.entities compiles its name patterns on import (about 0.2 s): only for --unlinked
    from nkru import entities as extraction

    settings = settings_or_exit()
    known = sorted({name for name, _, _ in extraction.gazetteer_entries(settings.entities.gazetteer)})
    with database() as conn:
        store.migrate(conn)
        with conn, conn.cursor() as cur:
            rows = article_store.unlinked_entities(cur, since, known, min_articles, top)
    if output != "table":
        print_rows(rows, output, UNLINKED_COLUMNS)
    elif rows:
        table = Table(title=f"Names with no canonical link since {since:%Y-%m-%d %H:%M} UTC")
        table.add_column("name", min_width=16)
        table.add_column("label")
        table.add_column("articles", justify="right")
        table.add_column("languages")
        table.add_column("spellings")
        for row in rows:
            spellings = ", ".join(row["spellings"] or [])
            cells = (row["name"], row["label"], str(row["articles"]), " ".join(row["languages"]), spellings)
            table.add_row(*(Text(terminal_text(c)) for c in cells))
        common_console().print(table)
        echo('link one with: nkru alias add "<spelling>" "<canonical name>"', err=True)
    else:
        articles = plural(min_articles, "article")
        echo(f"every name seen in at least {articles} since {since:%Y-%m-%d} is linked", err=True)
    if not rows:
        raise SystemExit(EXIT_NO_DATA)


@click.command()
@click.option(
    "--feeds-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Directory of feed files to serve (default: the bundled demo feeds).",
)
@with_database_errors
def demo(feeds_dir: Path | None) -> None:
    """Serve the bundled sample feeds on 127.0.0.1 and run one pass over them into the news database.

    For a first look without internet access: eight weeks of coverage in five languages from seven made-up
    outlets (config/demo_history.yaml) plus the latest hours (config/demo_feeds/). It says when the alerts it
    queued will be mailed, and sends the instant ones now when NKRU_SMTP_URL is set.
    """
    settings = settings_or_exit()
    with database() as conn:
        store.migrate(conn)
        summary = run_demo(conn, feeds_dir)
        echo(summary)
        sent_now = _send_demo_alerts(conn, settings)
        for line in alerts_note(conn, settings, utcnow(), sent_now):
            echo(line)
    echo("now try: nkru stories --since 8w   ·   nkru rising   ·   nkru trend Шойгу --since 8w")
    echo("         and the North Korea–Russia pages in the Airflow UI (make run): search Шойгу, open a story")


def _send_demo_alerts(conn, settings) -> int | None:
    """Instant alerts sent now when a mail server is configured (NKRU_SMTP_URL); None when none is."""
    if not os.environ.get("NKRU_SMTP_URL"):
        return None
    try:
        report = mail.send_pending(conn, settings, resources.smtp_target())
    except resources.SmtpNotConfigured:
        return None
    return report.sent
