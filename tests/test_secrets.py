"""No password is ever printed or logged (issue 11, item 6): every `nkru` command is run with a password in
NKRU_DATABASE_URL and NKRU_SMTP_URL, well-formed and malformed in the ways the red team tried, and all its
output and log records are searched for it; so is the `make run` banner.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from nkru.edge import launcher
from nkru.edge.cli import main
from nkru.redact import mask_url, scrub
from tests.smtpserver import CaptureServer

SECRET = "s3cr3t"  # every password below contains it, raw or percent-encoded
PASSWORD = f"{SECRET}@Pw:/x"


def with_password(url: str, password: str = PASSWORD) -> str:
    """`url` (scheme://user@host/...) with `password` added to its user info, percent-encoded."""
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{quote(password, safe='')}@{host}"


def broken_database_urls(db_url: str) -> list[str]:
    """The malformed database URLs the red team used: a port that is not a number, an unclosed IPv6 bracket,
    a scheme libpq does not know (so it reads the URL as key=value pairs and quotes it: "invalid dsn")."""
    good = with_password(db_url, SECRET)
    host = good.split("@", 1)[1].split("/", 1)[0]
    return [
        good.replace(host, "127.0.0.1:notaport"),
        good.replace(host, "[::1"),
        "pg" + good[good.index("://") :],
        good.split("://", 1)[1],
        good + "?sslmode=bogus",
    ]


def smtp_urls(server: CaptureServer) -> list[str]:
    return [
        f"smtp://nkru:{quote(PASSWORD, safe='')}@{server.host}:{server.port}?timeout=5",  # login refused
        f"smtp://nkru:{SECRET}@{server.host}:notaport",
        f"smtp://nkru:{SECRET}@[::1",
        f"smtpx://nkru:{SECRET}@{server.host}:{server.port}",
    ]


COMMANDS = [
    ["migrate"],
    ["demo"],
    ["run"],
    ["stories", "--since", "4w"],
    ["stories", "--since", "4w", "--json"],
    ["entities", "--since", "4w"],
    ["trend", "Kim Jong Un", "--since", "4w"],
    ["trend", "nobody at all", "--since", "4w"],
    ["cooccur", "Kim Jong Un", "--since", "4w"],
    ["rising", "--since", "4w", "--min-count", "1"],
    ["volume", "--since", "4w"],
    ["feeds"],
    ["alerts"],
    ["rescore"],
    ["doctor", "--check", "config", "--check", "database", "--check", "mail"],
    ["doctor", "--json", "--check", "database", "--check", "mail"],
]


@pytest.fixture
def settings_file(tmp_path):
    path = tmp_path / "nkru.yaml"
    path.write_text(
        "alerts:\n  rules: [{name: all, recipients: [a@example.org]}]\noperations: {operators: [ops@example.org]}\n"
    )
    return path


MAIL_COMMANDS = [["run"], ["doctor", "--check", "mail"], ["doctor", "--json", "--check", "mail"]]


def run_commands(commands, database_url: str, smtp_url: str, settings_file, caplog) -> dict[str, str]:
    """Each command's stdout, stderr and log records, by command line."""
    runner = CliRunner()
    env = {"NKRU_DATABASE_URL": database_url, "NKRU_SMTP_URL": smtp_url, "NKRU_CONFIG": str(settings_file)}
    outputs = {}
    for args in commands:
        caplog.clear()
        result = runner.invoke(main, args, env=env)
        crash = "" if result.exception is None or isinstance(result.exception, SystemExit) else repr(result.exception)
        outputs[" ".join(args)] = f"{result.stdout}\n{result.stderr}\n{caplog.text}\n{crash}"
        assert not crash, (args, crash)
    return outputs


def test_no_command_prints_or_logs_a_password(db_url, settings_file, smtp_server: CaptureServer, caplog):
    caplog.set_level(logging.DEBUG)
    good_database, broken_databases = with_password(db_url), broken_database_urls(db_url)
    mail_urls = smtp_urls(smtp_server)
    runs = [(COMMANDS, good_database, mail_urls[0])]
    runs += [(MAIL_COMMANDS, good_database, smtp_url) for smtp_url in mail_urls[1:]]  # malformed mail URLs
    runs += [(COMMANDS, url, mail_urls[n % len(mail_urls)]) for n, url in enumerate(broken_databases)]
    seen = {}
    for commands, database_url, smtp_url in runs:
        for command, output in run_commands(commands, database_url, smtp_url, settings_file, caplog).items():
            seen[(database_url, smtp_url, command)] = output
    leaks = [key for key, output in seen.items() if SECRET in output]
    assert not leaks, f"the password was shown by: {leaks[:5]}\n{seen[leaks[0]] if leaks else ''}"
    # The commands did their work with the good URLs (so the search above covered real output) ...
    good = {cmd: out for (db, smtp, cmd), out in seen.items() if (db, smtp) == (good_database, mail_urls[0])}
    assert "Kim Jong Un" in good["stories --since 4w"]
    assert json.loads(good["stories --since 4w --json"].split("\n\n")[0])
    doctor = good["doctor --check config --check database --check mail"]
    assert f"postgresql://postgres:***@{db_url.split('@', 1)[1]}" in doctor
    # ... a malformed mail URL leaves the alerts queued with a reason ...
    for smtp_url in mail_urls[1:]:
        assert "alerts: not sent (" in seen[(good_database, smtp_url, "run")]
    # ... and the broken database URLs were each refused with a reason, not a traceback.
    for (url, _, cmd), output in seen.items():
        if url in broken_databases and cmd.startswith(("stories", "run", "migrate")):
            assert "nkru: " in output and "Traceback" not in output, (url, cmd, output)


def test_the_make_run_banner_masks_both_urls(tmp_path):
    home = tmp_path / "airflow"
    home.mkdir()
    (home / "simple_auth_manager_passwords.json.generated").write_text('{"admin": "generated"}')
    env = {
        "AIRFLOW_HOME": str(home),
        "NKRU_DATABASE_URL": f"postgresql://nkru:{SECRET}@db.example.org:5432/nkru",
        "NKRU_SMTP_URL": f"smtp://mailer:{SECRET}@relay.example.org:587?starttls=true",
    }
    banner = launcher.banner(env, tmp_path, False, "nkru is running")
    assert SECRET not in banner
    assert "NKRU_DATABASE_URL='postgresql://nkru:***@db.example.org:5432/nkru'   (password hidden" in banner
    assert "Alerts go to:    NKRU_SMTP_URL='smtp://mailer:***@relay.example.org:587?starttls=true'" in banner


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://nkru:pw@h:5432/db", "postgresql://nkru:***@h:5432/db"),
        ("postgresql://nkru@h/db", "postgresql://nkru@h/db"),
        ("postgresql://nkru:p@ss@h/db", "postgresql://nkru:***@h/db"),
        ("smtp://u:pw@h:notaport", "smtp://***@h:notaport"),
        ("smtp://u:pw@[::1", "smtp://***@[::1"),
        ("u:pw@h/db", "***@h/db"),
        ("postgresql://h/db?user=u&password=pw", "postgresql://h/db?user=u&password=***"),
        ("host=h password=pw dbname=x", "host=h password=*** dbname=x"),
    ],
)
def test_mask_url(url, shown):
    assert mask_url(url) == shown


def test_scrub_masks_urls_in_free_text_and_the_given_secrets():
    text = 'invalid dsn: missing "=" after "u:longpw@h/db" in connection info string; also smtp://a:b1@c'
    assert scrub(text, "u:longpw@h/db") == (
        'invalid dsn: missing "=" after "u:***@h/db" in connection info string; also smtp://a:***@c'
    )
