"""`nkru doctor`: is this setup able to run? Settings, news database, mail server, spaCy model."""

from __future__ import annotations

import click

from nkru.edge import doctor as doctor_checks
from nkru.edge.cli.common import echo, print_json, terminal_text

_CHECK_CHOICES = ("config", "database", "mail", "model")


def register(main: click.Group) -> None:
    main.add_command(doctor)


@click.command()
@click.option(
    "--check",
    "only",
    multiple=True,
    type=click.Choice(_CHECK_CHOICES),
    help="Run only this check (repeatable). Default: all of them.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of {check, ok, summary, fix}.")
def doctor(only: tuple[str, ...], as_json: bool) -> None:
    """Check the settings file, the news database, the mail server and the spaCy model.

    Each check prints OK or FAIL with what was found; a FAIL says how to fix it. No mail is sent: the mail
    check connects, starts TLS and logs in as configured, then says NOOP and QUIT. Exits 1 if any check
    failed.
    """
    checks = doctor_checks.run_checks(only or _CHECK_CHOICES)
    if as_json:
        print_json([c.as_dict() for c in checks])
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            status = click.style("OK  ", fg="green") if c.ok else click.style("FAIL", fg="red", bold=True)
            click.echo(f"{status}  {c.name:<{width}}  {terminal_text(c.summary)}")
            if not c.ok and c.fix:
                echo(f"      {'':<{width}}  fix: {c.fix}")
        failed = [c.name for c in checks if not c.ok]
        echo(
            f"\n{len(checks) - len(failed)} of {len(checks)} checks passed"
            + (f"; failed: {', '.join(failed)}" if failed else "")
        )
    if any(not c.ok for c in checks):
        raise SystemExit(1)
