"""The `nkru` command. Each concern registers its subcommands from its own module."""

from __future__ import annotations

import click

from nkru.edge.cli import alerts, digest, entities, explain, ingest, ops, search, trends


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="nkru")
def main() -> None:
    """nkru: a news monitor for North Korea–Russia relations.

    The news database is NKRU_DATABASE_URL (a libpq URI) and the mail server NKRU_SMTP_URL; settings come
    from NKRU_CONFIG (default config/nkru.yaml).
    """


# Each module adds its subcommands to `main` with `register(main)`.
for _module in (ingest, search, explain, alerts, digest, trends, ops, entities):
    _module.register(main)
