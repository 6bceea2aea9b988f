"""`nkru digest`: see the daily digest now (`--preview FILE.html`) or send it now (`--send-now`) instead of
waiting for the `nkru_digest` DAG at 06:00 UTC.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from nkru.clock import utcnow
from nkru.edge import resources
from nkru.edge.cli.common import EXIT_CONFIG, EXIT_NO_DATA, database, fail, settings_or_exit, with_database_errors
from nkru.mail import html_page, preview_digest, send_digests
from nkru.trends import digest_extras_or_none
from nkru.trends.tables import plural


def register(main: click.Group) -> None:
    main.add_command(digest)


@click.command()
@click.option(
    "--preview",
    "preview_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the next digest as an HTML page (charts inlined) to open in a browser; nothing is sent.",
)
@click.option("--send-now", is_flag=True, help="Send today's digests now (what the nkru_digest DAG does at 06:00).")
@click.option("--rule", "rule_name", default=None, help="The digest rule to preview (default: the first one).")
@with_database_errors
def digest(preview_path: Path | None, send_now: bool, rule_name: str | None) -> None:
    """The daily digest e-mail, without waiting for 06:00 UTC.

    --preview FILE.html writes what the rule's next digest would list (the stories waiting for it, the week's
    charts and pairs) and sends nothing. --send-now sends today's digest of every digest rule to its recipients
    through NKRU_SMTP_URL; a digest already sent today is not sent twice, and its stories wait for tomorrow's.
    Exits with 3 when no story waits for a digest.
    """
    if not preview_path and not send_now:
        raise click.UsageError("say --preview FILE.html, --send-now, or both")
    settings = settings_or_exit()
    rules = [r for r in settings.alerts.rules if r.mode == "digest"]
    if not rules:
        fail("no alert rule has `mode: digest` in the settings file; add one under alerts.rules", EXIT_CONFIG)
    now = utcnow()
    with database() as conn:
        extras = digest_extras_or_none(conn, now)
        waiting = _preview(conn, settings, rules, rule_name, preview_path, now, extras) if preview_path else None
        if send_now:
            waiting = _send_now(conn, settings, now, extras)
    if not waiting:
        raise SystemExit(EXIT_NO_DATA)


def _preview(conn, settings, rules, rule_name, path: Path, now: datetime, extras) -> int:
    rule = next((r for r in rules if r.name == rule_name), None) if rule_name else rules[0]
    if rule is None:
        fail(f"no digest rule is named {rule_name!r}; digest rules: {', '.join(r.name for r in rules)}", EXIT_CONFIG)
    msg, count = preview_digest(conn, settings, rule, now=now, extras=extras)
    path.write_text(html_page(msg), encoding="utf-8")
    stories = plural(count, "story")
    click.echo(f"digest preview for rule {rule.name!r} → {rule.recipients[0]}: {stories}, written to {path}")
    click.echo(f"subject: {msg['Subject']}")
    if not count:
        click.echo("no story waits for this digest yet: stories matching the rule are queued as they arrive", err=True)
    return count


def _send_now(conn, settings, now: datetime, extras) -> int:
    try:
        target = resources.smtp_target()
    except resources.SmtpNotConfigured as exc:
        fail(str(exc), EXIT_CONFIG)
    report = send_digests(conn, settings, target, now=now, extras=extras)
    click.echo(f"digests: {report.summary()}")
    if report.errors:
        raise SystemExit(1)
    return report.sent + report.pending
