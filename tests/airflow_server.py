"""A real `airflow api-server` with the nkru plugin, for the tests of the workspace behind Airflow's login.

SimpleAuthManager with one user (`analyst`, role viewer), a temporary AIRFLOW_HOME with a SQLite metadata database,
a free port, and the Airflow connection `nkru_db` pointing at the test's news database.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
USER = "analyst"
PASSWORD = "correct horse battery staple"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def api_server(news_database_url: str, home: Path) -> Iterator[str]:
    """Start the server in `home` (an empty directory); yields its base URL and stops it (and its workers) after."""
    (home / "plugins").mkdir()
    (home / "dags").mkdir()
    # Only the plugin file: Airflow imports every .py under its plugins folder as a top-level module.
    (home / "plugins" / "nkru_plugin.py").symlink_to(ROOT / "plugins" / "nkru_plugin.py")
    (home / "passwords.json").write_text(json.dumps({USER: PASSWORD}))
    port = _free_port()
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(home / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:viewer",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__API_AUTH__JWT_SECRET": "nkru-test-secret-" + os.urandom(8).hex(),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW_CONN_NKRU_DB": news_database_url,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), os.environ.get("PYTHONPATH", "")]),
    }
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True, timeout=120)
    log = (home / "api-server.log").open("wb")
    server = subprocess.Popen(
        [airflow, "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so every worker it forks is stopped with it
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server, home / "api-server.log")
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()


def _wait_until_up(base: str, server: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"airflow api-server exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/api/v2/monitor/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"airflow api-server did not start in {timeout}s:\n{log.read_text()[-3000:]}")


def token(base: str) -> str:
    """A JWT for the test user from Airflow's /auth/token."""
    response = httpx.post(f"{base}/auth/token", json={"username": USER, "password": PASSWORD}, timeout=10)
    assert response.status_code in (200, 201), response.text
    return response.json()["access_token"]
