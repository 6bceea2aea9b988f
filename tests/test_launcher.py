"""`make run` (python -m nkru.launcher): starts Airflow standalone with nkru wired in, and Ctrl-C stops every
process it started, LocalExecutor workers included, leaving no orphan behind.

The launcher runs in its own session, as `make run` does under a terminal, and gets SIGINT like Ctrl-C. Its
process tree is collected with psutil before the signal; after it exits, no process of that tree may be left,
nor any process in one of the tree's sessions (an orphan keeps its session when it is reparented; Airflow's
process titles overwrite the environment, so that cannot be used to recognise them).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg2
import pytest

from tests.databases import create_database, drop_database
from tests.feedserver import FeedServer

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_FEEDS = ROOT / "tests" / "fixtures" / "feeds"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(**extra: str) -> dict[str, str]:
    """The caller's environment without the test session's Airflow settings (conftest sets a SQLite home)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NKRU_"))}
    env.update(extra)
    return env


def session_ids(procs: list[psutil.Process]) -> set[int]:
    """The session ids of `procs`: the launcher starts each child in a session of its own, and a process keeps
    its session when its parent dies, so an orphan is found by its session even after it was reparented."""
    sids = set()
    for proc in procs:
        with contextlib.suppress(psutil.Error, OSError):
            sids.add(os.getsid(proc.pid))
    return sids


def live_in_sessions(sids: set[int]) -> list[psutil.Process]:
    """Every live (not zombie) process, other than this one, in one of the sessions `sids`."""
    found = []
    for proc in psutil.process_iter():
        if proc.pid == os.getpid():
            continue
        with contextlib.suppress(psutil.Error, OSError):
            if os.getsid(proc.pid) in sids and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
    return found


def launcher_tree(pid: int) -> list[psutil.Process]:
    try:
        parent = psutil.Process(pid)
        return [parent, *parent.children(recursive=True)]
    except psutil.Error:
        return []


def api_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/version", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def kill_tree(procs: list[psutil.Process]) -> None:
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(procs, timeout=10)


@pytest.fixture
def news_db() -> Iterator[str]:
    url = create_database()
    yield url
    drop_database(url)


@pytest.mark.slow
def test_ctrl_c_stops_every_process_it_started(tmp_path, news_db):
    data = tmp_path / "data"
    api_port, smtp_port = free_port(), free_port()
    with FeedServer(FIXTURE_FEEDS) as feeds:
        config = tmp_path / "nkru.yaml"
        config.write_text(
            f'feeds:\n  - {{name: local, url: "{feeds.url("kcna_watch_rss2.xml")}"}}\n'
            "fetch:\n  allow_private_addresses: true\n  timeout_seconds: 5\n"
            f"entities:\n  gazetteer: {ROOT / 'config' / 'gazetteer.yaml'}\n"
        )
        env = base_env(
            NKRU_DATABASE_URL=news_db,
            NKRU_DATA_DIR=str(data),
            NKRU_AIRFLOW_PORT=str(api_port),
            NKRU_SMTP_CATCHER_PORT=str(smtp_port),
            NKRU_CONFIG=str(config),
        )
        log = (tmp_path / "launcher.log").open("w")
        launcher = subprocess.Popen(
            [sys.executable, "-m", "nkru.launcher"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # like a terminal's foreground job: Ctrl-C goes to this group only
        )
        started: list[psutil.Process] = []
        try:
            deadline = time.monotonic() + 120
            while not api_answers(api_port):
                assert launcher.poll() is None, f"launcher exited early:\n{_tail(tmp_path / 'launcher.log')}"
                assert time.monotonic() < deadline, f"API not up in 120 s:\n{_tail(tmp_path / 'launcher.log')}"
                time.sleep(1)
            # The DAG is unpaused at creation: once a task ran, LocalExecutor workers exist too.
            assert _wait_for_a_task(news_db, timeout=60), _tail(tmp_path / "launcher.log")
            started = launcher_tree(launcher.pid)
            sessions = session_ids(started)
            names = "\n".join(_command(p) for p in started)
            assert "standalone" in names and "nkru.alerts.catcher" in names, names
            assert "scheduler" in names and "api_server" in names and "dag-processor" in names, names
            assert "airflow worker -- LocalExecutor" in names, names

            os.killpg(launcher.pid, signal.SIGINT)  # Ctrl-C
            launcher.wait(timeout=120)  # 30 s grace for a clean stop, then SIGKILL

            _, alive = psutil.wait_procs(started, timeout=10)
            leftovers = {p for p in alive if _alive(p)} | set(live_in_sessions(sessions))
            assert not leftovers, [(p.pid, _command(p)) for p in leftovers]
            assert "nkru: stopped in " in _tail(tmp_path / "launcher.log")
            assert (data / "airflow").is_dir(), "the Airflow home stays in the data directory for the next start"
        finally:
            log.close()
            # On failure: let the launcher clean up as it would on Ctrl-C, then kill whatever is left of
            # everything it started (its children run in sessions of their own, out of its process group).
            tree = launcher_tree(launcher.pid) + started
            if launcher.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(launcher.pid, signal.SIGINT)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    launcher.wait(timeout=60)
            kill_tree(tree + live_in_sessions(session_ids(tree)))
            if launcher.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(launcher.pid, signal.SIGKILL)
                launcher.wait(timeout=10)


def _wait_for_a_task(db_url: str, timeout: float) -> bool:
    """Until a task instance of nkru_ingest ran (metadata tables are in the news database here)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(psycopg2.Error):
            conn = psycopg2.connect(db_url)
            try:
                with conn.cursor() as cur:
                    cur.execute(
                        "SELECT count(*) FROM task_instance WHERE dag_id = 'nkru_ingest' AND start_date IS NOT NULL"
                    )
                    if cur.fetchone()[0]:
                        return True
            finally:
                conn.close()
        time.sleep(1)
    return False


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _command(proc: psutil.Process) -> str:
    try:
        return " ".join(proc.cmdline()[:5])
    except psutil.Error:  # gone, or a zombie
        return ""


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def test_embedded_postgres_is_migrated_and_keeps_its_data_across_restarts(tmp_path):
    """The pgserver path of `make run`: a real PostgreSQL under the data directory, `nkru migrate` against it,
    stopped and started again with the data still there."""
    from nkru import launcher

    data = tmp_path / "data"
    data.mkdir()
    env = base_env()
    news, metadata, server = launcher._databases(data, env)
    try:
        assert metadata.startswith("postgresql+psycopg2://postgres@/airflow?host=")
        result = subprocess.run(
            [sys.executable, "-m", "nkru.cli", "migrate"],
            env={**env, "NKRU_DATABASE_URL": news},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        with psycopg2.connect(news) as conn, conn.cursor() as cur:
            cur.execute("INSERT INTO feeds (name, url) VALUES ('kept', 'https://kept.example.org/feed')")
        conn.close()
    finally:
        server.cleanup()

    news, _, server = launcher._databases(data, base_env())
    try:
        with psycopg2.connect(news) as conn, conn.cursor() as cur:
            cur.execute("SELECT name FROM feeds")
            assert cur.fetchall() == [("kept",)]
            cur.execute("SELECT count(*) FROM schema_migrations")
            assert cur.fetchone()[0] == len(list((ROOT / "sql" / "migrations").glob("*.sql")))
        conn.close()
    finally:
        server.cleanup()
