"""`nkru feeds add` and `nkru feeds remove`: edit the feeds list of the settings file (NKRU_CONFIG, default
config/nkru.yaml) in place, its comments kept, validated before anything is written (nkru.edge.feeds_config).
`nkru feeds` itself, the health table, is with the trend commands."""

from __future__ import annotations

import click

from nkru.config import config_path
from nkru.edge.cli.common import EXIT_CONFIG, EXIT_USAGE, echo, fail

_NEXT_RUN = "from the next run (`nkru run`, or the nkru_ingest DAG)"


@click.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--language", help="The feed's language (ISO 639-1, e.g. ru): a hint for language detection.")
@click.option("--display-name", help='How people call the outlet, e.g. "TASS (Russian)"; shown with NAME.')
def add(name: str, url: str, language: str | None, display_name: str | None) -> None:
    """Add the feed NAME at URL to the settings file (a new line after the last feed; comments kept).

    Refused, with the file untouched, when NAME or URL is already there or the result would not be valid.
    """
    # ruamel.yaml takes about 0.25 s to import: only when the file is edited
    from nkru.edge.feeds_config import FeedsConfigError, SettingsFileBroken, add_feed

    path = config_path()
    try:
        edit = add_feed(path, name, url, language=language, display_name=display_name)
    except FeedsConfigError as exc:
        fail(str(exc), EXIT_CONFIG if isinstance(exc, SettingsFileBroken) else EXIT_USAGE)
    echo(f"added feed {edit.feed.name!r} ({edit.feed.url}) to {path}, line {edit.line}; fetched {_NEXT_RUN}")


@click.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Remove the feed NAME from the settings file (its line only; comments kept).

    Its stored articles stay in the database; it is no longer fetched from the next run.
    """
    from nkru.edge.feeds_config import FeedsConfigError, SettingsFileBroken, remove_feed  # ruamel.yaml: as above

    path = config_path()
    try:
        edit = remove_feed(path, name)
    except FeedsConfigError as exc:
        fail(str(exc), EXIT_CONFIG if isinstance(exc, SettingsFileBroken) else EXIT_USAGE)
    echo(f"removed feed {edit.feed.name!r} from {path} (was line {edit.line}); not fetched {_NEXT_RUN}")
    for warning in edit.warnings:
        echo(f"note: {warning}", err=True)
