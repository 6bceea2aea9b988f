"""`nkru alerts` and the local mail catcher, as a user runs them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from nkru import mail
from nkru.edge import catcher
from nkru.edge.cli import main
from nkru.mail.smtp import SmtpSession
from tests.alert_data import NOW, NewsDB, rule, settings
from tests.smtpserver import free_port

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cli(db_url, monkeypatch):
    monkeypatch.setenv("NKRU_DATABASE_URL", db_url)

    def invoke(*args: str):
        return CliRunner().invoke(main, ["alerts", *args])

    return invoke


def test_empty_outbox_prints_an_empty_json_array(cli):
    result = cli("--json")
    assert json.loads(result.output) == []
    assert result.exit_code == 3  # nothing found, for scripts


def test_lists_pending_and_sent_alerts(db, cli, smtp_server):
    news = NewsDB(db)
    cfg = settings(rule("all", ("a@example.org", "b@example.org")))
    news.process(cfg, news.article("Yonhap", "Hostile \x1b[31mred\x1b[0m headline about Pyongyang and Moscow"))
    smtp_server.refuse = {"b@example.org"}
    mail.send_pending(db, cfg, smtp_server.target, now=NOW)

    everything = json.loads(cli("--json").output)
    assert sorted((r["recipient"], r["status"]) for r in everything) == [
        ("a@example.org", "sent"),
        ("b@example.org", "pending"),
    ]
    pending = cli("--pending")
    assert pending.exit_code == 0
    assert "b@example.org" in pending.output and "a@example.org" not in pending.output
    assert "550" in pending.output  # the server's reason, on the row
    assert "\x1b" not in pending.output  # feed text cannot drive the terminal
    assert json.loads(cli("--failed", "--json").output) == []
    assert json.loads(cli("--since", "2000-01-01", "--json").output) == everything
    assert json.loads(cli("--since", "2999-01-01", "--json").output) == []


def test_catcher_stores_each_message_as_an_eml_file(tmp_path):
    port = free_port()
    server = catcher.start(tmp_path / "mail", port=port)
    try:
        target = mail.smtp_target_from_url(f"smtp://127.0.0.1:{port}")
        with SmtpSession(target) as session:
            for n in range(2):
                msg = message_from_bytes(f"Subject: hello {n}\r\nMessage-ID: <{n}@nkru>\r\n\r\nbody\r\n".encode())
                session.send(msg, "nkru@localhost", "a@example.org")
    finally:
        server.stop()
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    parsed = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert sorted(m["Subject"] for m in parsed) == ["hello 0", "hello 1"]
    assert parsed[0]["X-Nkru-Envelope-To"] == "a@example.org"


def test_catcher_runs_as_a_module(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "nkru.edge.catcher", "--dir", str(tmp_path), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert "listening on 127.0.0.1:" in proc.stdout.readline()
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "catcher did not start"
                time.sleep(0.1)
        with SmtpSession(mail.smtp_target_from_url(f"smtp://127.0.0.1:{port}")) as session:
            session.send(message_from_bytes(b"Subject: hi\r\n\r\nbody\r\n"), "nkru@localhost", "a@example.org")
        assert len(list(tmp_path.glob("*.eml"))) == 1
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
