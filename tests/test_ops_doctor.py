"""`nkru doctor`: each check against the real thing (PostgreSQL, SMTP servers on loopback, the spaCy model),
saying in words what is wrong and how to fix it, and exiting non-zero when anything is."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from nkru.edge import doctor
from nkru.edge.cli import main
from tests.smtpserver import free_port

GOOD_CONFIG = """
feeds:
  - {name: one, url: "https://one.example.org/feed"}
alerts:
  sender: nkru@example.org
operations:
  operators: [ops@example.org]
"""


class _Handler:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        return "250 OK"


@pytest.fixture
def auth_mail() -> Iterator[tuple[str, int]]:
    """An SMTP server that wants a login (user nkru, password right-password), over plain SMTP."""

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"nkru" and auth_data.password == b"right"
        return AuthResult(success=ok, handled=False)

    port = free_port()
    controller = Controller(
        _Handler(), hostname="127.0.0.1", port=port, authenticator=authenticator, auth_require_tls=False
    )
    controller.start()
    try:
        yield "127.0.0.1", port
    finally:
        controller.stop()


@pytest.fixture
def env(tmp_path, monkeypatch, db_url, mail):
    config = tmp_path / "nkru.yaml"
    config.write_text(GOOD_CONFIG)
    monkeypatch.setenv("NKRU_CONFIG", str(config))
    monkeypatch.setenv("NKRU_DATABASE_URL", db_url)
    monkeypatch.setenv("NKRU_SMTP_URL", mail.url)
    return config


def by_name(checks) -> dict[str, doctor.Check]:
    return {c.name: c for c in checks}


def test_all_checks_pass_on_a_good_setup_and_no_mail_is_sent(env, mail):
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for name in ("config", "database", "mail", "model"):
        assert any(line.startswith("OK") and f" {name} " in line for line in lines), (name, result.output)
    assert "4 of 4 checks passed" in result.output
    assert mail.messages == []


def test_json_output_and_exit_code_when_one_fails(env, monkeypatch):
    monkeypatch.setenv("NKRU_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    result = CliRunner().invoke(main, ["doctor", "--json", "--check", "mail", "--check", "config"])
    assert result.exit_code == 1
    rows = json.loads(result.output)
    assert [(r["check"], r["ok"]) for r in rows] == [("config", True), ("mail", False)]
    assert "cannot reach the server" in rows[1]["summary"] and "NKRU_SMTP_URL" in rows[1]["fix"]


def test_a_bad_settings_file_names_the_key_and_line(env):
    env.write_text(GOOD_CONFIG.replace("operators: [ops@example.org]", "operators: [not-an-address]"))
    (check,) = doctor.run_checks(["config"])
    assert not check.ok
    assert "line 7" in check.summary and "operations.operators[0]" in check.summary
    assert str(env) in check.fix


def test_a_missing_settings_file(env, monkeypatch, tmp_path):
    monkeypatch.setenv("NKRU_CONFIG", str(tmp_path / "nope.yaml"))
    (check,) = doctor.run_checks(["config"])
    assert not check.ok and "cannot read settings file" in check.summary and "NKRU_CONFIG" in check.fix


def test_no_operators_is_pointed_out_but_not_a_failure(env):
    env.write_text(GOOD_CONFIG.replace("operators: [ops@example.org]", "operators: []"))
    (check,) = doctor.run_checks(["config"])
    assert check.ok and "nobody is e-mailed" in check.summary


def test_a_news_database_that_does_not_exist_yet(env, monkeypatch, db_url):
    missing = db_url.rsplit("/", 1)[0] + "/nkru_test_does_not_exist"
    monkeypatch.setenv("NKRU_DATABASE_URL", missing)
    check = doctor.check_database()
    assert not check.ok
    assert 'database "nkru_test_does_not_exist" does not exist' in check.summary
    assert "createdb" in check.fix and "nkru migrate" in check.fix


def test_an_unmigrated_database_says_run_migrate(env, monkeypatch, empty_db_url):
    monkeypatch.setenv("NKRU_DATABASE_URL", empty_db_url)
    check = doctor.check_database()
    assert not check.ok and "migrations not applied" in check.summary and "nkru migrate" in check.fix


def test_nothing_listening_and_no_database_configured(env, monkeypatch):
    monkeypatch.setenv("NKRU_DATABASE_URL", f"postgresql://nkru:secret@127.0.0.1:{free_port()}/nkru")
    check = doctor.check_database()
    assert not check.ok and "nothing answers at 127.0.0.1" in check.fix
    assert "secret" not in check.summary, "passwords are never printed"
    monkeypatch.delenv("NKRU_DATABASE_URL")
    monkeypatch.delenv("AIRFLOW_CONN_NKRU_DB", raising=False)
    check = doctor.check_database()
    assert not check.ok and "NKRU_DATABASE_URL" in check.fix


def test_mail_login_checked_without_sending(env, monkeypatch, auth_mail):
    host, port = auth_mail
    monkeypatch.setenv("NKRU_SMTP_URL", f"smtp://nkru:right@{host}:{port}")
    check = doctor.check_mail()
    assert check.ok, check
    assert "logged in as nkru" in check.summary

    monkeypatch.setenv("NKRU_SMTP_URL", f"smtp://nkru:wrong@{host}:{port}")
    check = doctor.check_mail()
    assert not check.ok
    assert "refused the login for nkru" in check.summary and "535" in check.summary
    assert "password in NKRU_SMTP_URL" in check.fix
    assert "wrong" not in check.summary


def test_mail_tls_mismatch_is_explained(env, monkeypatch, mail):
    monkeypatch.setenv("NKRU_SMTP_URL", f"smtps://{mail.host}:{mail.port}?timeout=3")
    check = doctor.check_mail()
    assert not check.ok and "TLS failed" in check.summary and "smtps://" in check.fix
    monkeypatch.setenv("NKRU_SMTP_URL", f"smtp://{mail.host}:{mail.port}?starttls=true")
    check = doctor.check_mail()
    assert not check.ok and "does not offer STARTTLS" in check.summary


def test_no_mail_server_configured(env, monkeypatch):
    monkeypatch.delenv("NKRU_SMTP_URL")
    monkeypatch.delenv("AIRFLOW_CONN_NKRU_SMTP", raising=False)
    check = doctor.check_mail()
    assert not check.ok and "NKRU_SMTP_URL" in check.fix


def test_a_model_that_is_not_installed(env, monkeypatch):
    monkeypatch.setenv("NKRU_SPACY_MODEL", "xx_no_such_model_sm")
    result = CliRunner().invoke(main, ["doctor", "--check", "model"])
    assert result.exit_code == 1
    assert "FAIL" in result.output and "xx_no_such_model_sm" in result.output and "NKRU_SPACY_MODEL" in result.output


def test_beside_a_running_make_run_doctor_passes_with_nothing_exported(env, mail, db_url, monkeypatch, tmp_path):
    """A second shell next to `make run`: no variable set; the database and the mail catcher come from the
    launcher's `.data/run.json` (this test process plays the launcher), and doctor says where it found them.
    tests/test_launcher.py does the same against a real `make run`."""
    from nkru.edge import launcher

    monkeypatch.delenv("NKRU_DATABASE_URL")
    monkeypatch.delenv("NKRU_SMTP_URL")
    monkeypatch.setenv("NKRU_DATA_DIR", str(tmp_path))
    launcher.write_state({"NKRU_DATABASE_URL": db_url, "NKRU_SMTP_URL": mail.url}, tmp_path, catcher=True)
    result = CliRunner().invoke(main, ["doctor", "--check", "config", "--check", "database", "--check", "mail"])
    assert result.exit_code == 0, result.output
    assert "3 of 3 checks passed" in result.output
    assert f"(from {tmp_path / 'run.json'}, written by the running `make run`): connected" in result.output
    assert mail.messages == []

    (tmp_path / "run.json").unlink()  # `make run` stopped
    result = CliRunner().invoke(main, ["doctor", "--check", "database"])
    assert result.exit_code == 1 and "NKRU_DATABASE_URL is not set" in result.output
