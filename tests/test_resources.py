"""Where the news database and the mail server are (`nkru.edge.resources`): one rule for every entry point.

Inside Airflow (the task callables) the connections `nkru_db` / `nkru_smtp` win over NKRU_DATABASE_URL /
NKRU_SMTP_URL, which are the fallback; outside Airflow (the `nkru` command) the variables count and Airflow is
never imported. Last comes what a running `make run` wrote to `.data/run.json`, while it runs. A connection's
extras reach libpq.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import psycopg2
import pytest

from nkru import store
from nkru.edge import airflow_tasks, launcher, resources
from tests.smtpserver import free_port

OPERATORS_CONFIG = "operations:\n  operators: [ops@example.org]\nalerts:\n  sender: nkru@example.org\n"


def smtp_connection(host: str, port: int) -> str:
    """An Airflow SMTP connection (JSON form) to a plain-text server on loopback."""
    extra = {"disable_ssl": True, "disable_tls": True, "timeout": 5}
    return json.dumps({"conn_type": "smtp", "host": host, "port": port, "extra": extra})


def dead_database() -> str:
    return f"postgresql://nobody@127.0.0.1:{free_port()}/nothing"


def fail_task(task_id: str) -> None:
    """What Airflow does when a task fails for good: the failure callback (records the episode, mails operators)."""
    ti = SimpleNamespace(dag_id="nkru_ingest", task_id=task_id, run_id="scheduled__1", map_index=-1, try_number=1)
    airflow_tasks.notify_task_failure({"ti": ti, "exception": RuntimeError("boom")})


def test_a_task_callable_uses_the_connections_first_then_the_variables(db_url, mail, tmp_path, monkeypatch):
    config = tmp_path / "nkru.yaml"
    config.write_text(OPERATORS_CONFIG)
    monkeypatch.setenv("NKRU_CONFIG", str(config))
    # Both set: the connections are used, the variables (pointing nowhere) are not.
    monkeypatch.setenv("AIRFLOW_CONN_NKRU_DB", db_url)
    monkeypatch.setenv("AIRFLOW_CONN_NKRU_SMTP", smtp_connection(mail.host, mail.port))
    monkeypatch.setenv("NKRU_DATABASE_URL", dead_database())
    monkeypatch.setenv("NKRU_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    fail_task("fetch")
    assert [m["Subject"] for m in mail.messages] == ["[nkru ops] FAILING: task nkru_ingest.fetch"]

    # No connections: the same callable falls back to the variables.
    monkeypatch.delenv("AIRFLOW_CONN_NKRU_DB")
    monkeypatch.delenv("AIRFLOW_CONN_NKRU_SMTP")
    monkeypatch.setenv("NKRU_DATABASE_URL", db_url)
    monkeypatch.setenv("NKRU_SMTP_URL", mail.url)
    fail_task("process")
    assert [m["Subject"] for m in mail.messages][1:] == ["[nkru ops] FAILING: task nkru_ingest.process"]
    with store.connection(db_url) as conn, conn, conn.cursor() as cur:
        cur.execute("SELECT subject FROM ops_episodes ORDER BY subject")
        assert cur.fetchall() == [("nkru_ingest.fetch",), ("nkru_ingest.process",)]


# Runs `nkru` commands in a fresh interpreter and reports whether anything imported Airflow.
CLI_SCRIPT = """
import json, sys
from click.testing import CliRunner
from nkru.edge.cli import main

outputs = [CliRunner().invoke(main, args).output for args in json.loads(sys.argv[1])]
airflow = sorted(m for m in sys.modules if m == "airflow" or m.startswith("airflow."))
print(json.dumps({"outputs": outputs, "airflow": airflow[:5]}))
"""


def run_cli(commands: list[list[str]], env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CLI_SCRIPT, json.dumps(commands)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_the_command_reads_only_the_variables_and_never_imports_airflow(db_url, mail, tmp_path):
    config = tmp_path / "nkru.yaml"
    config.write_text(OPERATORS_CONFIG + "  rules:\n    - {name: all, recipients: [a@example.org]}\n")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("NKRU_", "AIRFLOW_CONN_"))},
        "NKRU_DATA_DIR": os.environ["NKRU_DATA_DIR"],  # the test session's: no `make run` state file there
        "NKRU_CONFIG": str(config),
        "NKRU_DATABASE_URL": db_url,
        # Connections outside Airflow are not looked at: these would otherwise be found.
        "AIRFLOW_CONN_NKRU_DB": dead_database(),
        "AIRFLOW_CONN_NKRU_SMTP": smtp_connection(mail.host, mail.port),
    }
    report = run_cli([["doctor", "--check", "database", "--check", "mail"], ["run"]], env)
    doctor, run = report["outputs"]
    assert "OK    database" in doctor and "from NKRU_DATABASE_URL" in doctor, doctor
    assert "FAIL  mail" in doctor and "NKRU_SMTP_URL is not set" in doctor, doctor
    assert "alerts: not sent (no mail server configured" in run, run
    assert report["airflow"] == [], f"the nkru command imported Airflow: {report['airflow']}"


def test_database_connection_extras_reach_libpq(db_url, monkeypatch):
    extras = "application_name=nkru-from-extras&options=-c%20statement_timeout%3D4321&cursor=dictcursor"
    monkeypatch.setenv("AIRFLOW_CONN_NKRU_DB", f"{db_url}?{extras}")
    found = resources.find_database(airflow=True)
    assert found.source == "the Airflow connection nkru_db"
    assert "cursor" not in found.value  # PostgresHook's own extra: libpq would refuse it
    with store.connection(found.value) as conn, conn.cursor() as cur:
        cur.execute("SELECT current_setting('application_name'), current_setting('statement_timeout')")
        assert cur.fetchone() == ("nkru-from-extras", "4321ms")

    # sslmode reaches libpq: requiring TLS succeeds over TLS where the server offers it, and is refused where not.
    with store.connection(db_url) as conn, conn.cursor() as cur:
        cur.execute("SHOW ssl")
        server_has_tls = cur.fetchone()[0] == "on"
    monkeypatch.setenv("AIRFLOW_CONN_NKRU_DB", f"{db_url}?sslmode=require")
    url = resources.database_url(airflow=True)
    if server_has_tls:
        with store.connection(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            assert cur.fetchone() == (True,)
    else:
        with pytest.raises(psycopg2.OperationalError, match="SSL"):
            store.connect(url)


def test_a_variable_may_set_libpq_parameters_too(db_url, monkeypatch):
    monkeypatch.setenv("NKRU_DATABASE_URL", f"{db_url}?application_name=my-script")
    with store.connection(resources.database_url()) as conn, conn.cursor() as cur:
        cur.execute("SELECT current_setting('application_name')")
        assert cur.fetchone() == ("my-script",)


def test_nothing_configured_names_what_to_set(monkeypatch):
    for name in ("NKRU_DATABASE_URL", "NKRU_SMTP_URL", "AIRFLOW_CONN_NKRU_DB", "AIRFLOW_CONN_NKRU_SMTP"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(resources.DatabaseNotConfigured, match="NKRU_DATABASE_URL is not set"):
        resources.database_url()
    with pytest.raises(resources.DatabaseNotConfigured, match="no Airflow connection nkru_db"):
        resources.database_url(airflow=True)
    with pytest.raises(resources.SmtpNotConfigured, match="NKRU_SMTP_URL is not set and there is no Airflow"):
        resources.smtp_target(airflow=True)


def launcher_state(data_dir, monkeypatch, database_url: str, smtp_url: str) -> dict:
    """What `make run` writes once everything is up, written by the launcher's own writer into `data_dir`."""
    monkeypatch.setenv("NKRU_DATA_DIR", str(data_dir))
    data_dir.mkdir(exist_ok=True)
    launcher.write_state({"NKRU_DATABASE_URL": database_url, "NKRU_SMTP_URL": smtp_url}, data_dir, catcher=True)
    return json.loads((data_dir / "run.json").read_text())


def test_a_running_make_run_is_found_last_and_only_while_it_runs(db_url, mail, tmp_path, monkeypatch):
    for name in ("NKRU_DATABASE_URL", "NKRU_SMTP_URL", "AIRFLOW_CONN_NKRU_DB", "AIRFLOW_CONN_NKRU_SMTP"):
        monkeypatch.delenv(name, raising=False)
    state = launcher_state(tmp_path / "data", monkeypatch, db_url, mail.url)
    assert state["pid"] == os.getpid()  # this test plays the running launcher

    # Nothing exported: a second shell finds the running database and mail catcher.
    found = resources.find_database()
    assert found.value == db_url and "written by the running `make run`" in found.source
    with store.connection(found.value) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM schema_migrations")
        assert cur.fetchone()[0] > 0
    assert (resources.smtp_target().host, resources.smtp_target().port) == (mail.host, mail.port)

    # The variable wins over the state file; inside Airflow the connection wins over both.
    monkeypatch.setenv("NKRU_DATABASE_URL", dead_database())
    assert resources.find_database().source == "NKRU_DATABASE_URL"
    monkeypatch.setenv("AIRFLOW_CONN_NKRU_DB", db_url)
    assert resources.find_database(airflow=True).source == "the Airflow connection nkru_db"
    monkeypatch.delenv("NKRU_DATABASE_URL")
    monkeypatch.delenv("AIRFLOW_CONN_NKRU_DB")

    # A launcher that is gone (killed with SIGKILL: its file stays) is not found, nor a later process that
    # got its pid; neither is a file that cannot be read.
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    path = tmp_path / "data" / "run.json"
    for changed in ({"pid": int(gone.stdout)}, {"pid_started": state["pid_started"] - 3600}):
        path.write_text(json.dumps({**state, **changed}))
        with pytest.raises(resources.DatabaseNotConfigured, match="NKRU_DATABASE_URL is not set"):
            resources.find_database()
    path.write_text('{"pid": ')
    with pytest.raises(resources.SmtpNotConfigured):
        resources.smtp_target()

    # The launcher removes its file when it stops; a file another launcher wrote is not its to remove.
    path.write_text(json.dumps(state))
    launcher.remove_state()
    assert not path.exists()
    path.write_text(json.dumps({**state, "pid": int(gone.stdout)}))
    launcher.remove_state()
    assert path.exists()


def test_a_password_never_goes_into_the_state_file(tmp_path, monkeypatch):
    state = launcher_state(
        tmp_path / "data", monkeypatch, "postgresql://nkru:s3cret@db.example.org/nkru", "smtp://127.0.0.1:8025"
    )
    assert "database_url" not in state and state["smtp_url"] == "smtp://127.0.0.1:8025"
    path = tmp_path / "data" / "run.json"
    assert "s3cret" not in path.read_text()
    assert path.stat().st_mode & 0o077 == 0, "readable by its owner only"
