"""`nkru alias` (add, list, remove) and `nkru reextract`: analysts' names for entities, and extraction of history
again with them. (`nkru entities`, the top list and `--unlinked`, is with the other ingest commands.)"""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from nkru import pipeline_process, store
from nkru.aliases import alias_key
from nkru.edge.cli.common import (
    EXIT_NO_DATA,
    EXIT_USAGE,
    console,
    database,
    echo,
    fail,
    output_options,
    print_rows,
    settings_or_exit,
    terminal_text,
    with_database_errors,
)
from nkru.store import articles as article_store
from nkru.store import trends as trend_store
from nkru.trends.tables import plural

LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT")
MAX_ALIAS_CHARS = 200


def register(main: click.Group) -> None:
    main.add_command(alias)
    main.add_command(reextract)


@click.group()
def alias() -> None:
    """Link a spelling to a canonical entity ("Kim Čong-un" -> Kim Jong Un), list or remove such links.

    Links are stored in the news database and used by every extraction from the next run on; `nkru reextract`
    applies them to the articles already stored.
    """


@alias.command("add")
@click.argument("spelling")
@click.argument("canonical")
@click.option(
    "--label",
    type=click.Choice(LABELS, case_sensitive=False),
    help="Needed when CANONICAL is new or names entities with different labels.",
)
@with_database_errors
def alias_add(spelling: str, canonical: str, label: str | None) -> None:
    """Make SPELLING count as CANONICAL, e.g. nkru alias add "Kim Čong-un" "Kim Jong Un"."""
    spelling, canonical = " ".join(spelling.split()), " ".join(canonical.split())
    key = alias_key(spelling)
    if not key or not canonical or len(spelling) > MAX_ALIAS_CHARS or len(canonical) > MAX_ALIAS_CHARS:
        fail(f"a spelling and a canonical name of 1 to {MAX_ALIAS_CHARS} characters are needed", EXIT_USAGE)
    with database() as conn:
        store.migrate(conn)
        with conn, conn.cursor() as cur:
            targets = article_store.entity_labels(cur, canonical, alias_key(canonical)) or _in_gazetteer(canonical)
            name, label = _target(canonical, label, targets)
            article_store.add_alias(cur, spelling, key, name, label)
    echo(f"{spelling} -> {name} ({label}); used from the next run (`nkru reextract` for stored articles)")


def _in_gazetteer(canonical: str) -> list[tuple[str, str]]:
    """The gazetteer entry a canonical name or spelling leads to, for a database no run has filled yet."""
    # nkru.entities compiles its name patterns on import (about 0.2 s): only when the database does not know it
    from nkru import entities

    gazetteer = entities.load_gazetteer(settings_or_exit().entities.gazetteer)
    entry = gazetteer.by_name.get(canonical) or gazetteer.index.get(alias_key(canonical))
    return [(entry.name, entry.label)] if entry else []


def _target(canonical: str, label: str | None, targets: list[tuple[str, str]]) -> tuple[str, str]:
    """The (name, label) an alias leads to: the known entity CANONICAL names, or a new one with --label."""
    if label:
        label = label.upper()
        same = [t for t in targets if t[1] == label]
        return same[0] if len(same) == 1 else (canonical, label)
    exact = [t for t in targets if t[0] == canonical] or targets
    if len(exact) == 1:
        return exact[0]
    if not exact:
        fail(f"no entity is called {canonical!r} yet: give its --label to create it", EXIT_USAGE)
    choices = ", ".join(f"{n} ({lb})" for n, lb in exact)
    fail(f"{canonical!r} names several entities ({choices}): choose one with --label", EXIT_USAGE)
    raise AssertionError  # unreachable


@alias.command("list")
@output_options
@with_database_errors
def alias_list(output: str) -> None:
    """Every analyst's alias: spelling, canonical name, label, when it was added."""
    with database() as conn:
        store.migrate(conn)
        with conn, conn.cursor() as cur:
            rows = article_store.list_aliases(cur)
    if output != "table":
        data = [{"alias": a.alias, "name": a.name, "label": a.label, "added": a.created_at} for a in rows]
        print_rows(data, output, ("alias", "name", "label", "added"))
    elif rows:
        table = Table(title="Analysts' aliases")
        for column in ("spelling", "canonical name", "label", "added (UTC)"):
            table.add_column(column)
        for a in rows:
            cells = (a.alias, a.name, a.label, f"{a.created_at:%Y-%m-%d %H:%M}")
            table.add_row(*(Text(terminal_text(c)) for c in cells))
        console().print(table)
    else:
        echo('no aliases yet: nkru alias add "Kim Čong-un" "Kim Jong Un"', err=True)
    if not rows:
        raise SystemExit(EXIT_NO_DATA)


@alias.command("remove")
@click.argument("spelling")
@with_database_errors
def alias_remove(spelling: str) -> None:
    """Forget the alias for SPELLING (from the next run on; `nkru reextract` for stored articles)."""
    with database() as conn:
        store.migrate(conn)
        with conn, conn.cursor() as cur:
            removed = article_store.remove_alias(cur, alias_key(spelling))
    if removed is None:
        fail(f"no alias for {spelling!r} (see `nkru alias list`)", EXIT_NO_DATA)
    echo(f"removed: {removed.alias} -> {removed.name} ({removed.label})")


@click.command()
@with_database_errors
def reextract() -> None:
    """Extract the entities of every stored relevant article again (after editing the gazetteer or adding
    aliases). Safe to run twice: each article's mentions are replaced, never added to."""
    settings = settings_or_exit()
    with database() as conn:
        store.migrate(conn)
        articles, mentions = pipeline_process.reextract_all(conn, settings)
        days = trend_store.refresh_daily(conn)
    echo(
        f"re-extracted {plural(articles, 'article')} ({plural(mentions, 'entity mention')}); "
        f"{plural(days, 'day')} of trends updated"
    )
