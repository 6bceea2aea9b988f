"""The `nkru` command. Each concern registers its subcommands from its own module."""

from __future__ import annotations

import importlib

import click

# Modules that add subcommands to `main`; each defines `register(main)`.
_COMMAND_MODULES = (
    "nkru.cli.ingest",
    "nkru.cli.explain",
    "nkru.cli.alerts",
    "nkru.cli.digest",
    "nkru.cli.trends",
    "nkru.cli.ops",
    "nkru.cli.entities",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="nkru")
def main() -> None:
    """nkru: a news monitor for North Korea–Russia relations.

    The news database is NKRU_DATABASE_URL (a libpq URI); settings come from NKRU_CONFIG
    (default config/nkru.yaml).
    """


for _name in _COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # a concern not built yet must not break the others
        if exc.name != _name:
            raise
        continue
    _module.register(main)
