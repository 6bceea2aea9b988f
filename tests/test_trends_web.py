"""The "North Korea–Russia" page in the Airflow UI: its content, and that it shows nothing without an Airflow login.

The login check runs against a real `airflow api-server` (SimpleAuthManager, a temporary AIRFLOW_HOME with a
SQLite metadata database, a free port) with real HTTP requests, with and without a token.
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
from datetime import UTC, datetime
from datetime import time as day_time
from pathlib import Path

import httpx
import pytest

from nkru import store
from nkru.trends.web import render_page
from tests import history
from tests.html_refs import external_references, loaded_references

history_db = history.history_db  # the module-scoped fixture

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"


def test_page_shows_volume_rising_stories_and_feed_health(history_db):
    url, hist = history_db
    with store.connection(url) as conn:
        html = render_page(conn, datetime.combine(hist.today, day_time(18), UTC))
    assert "<h1>North Korea–Russia</h1>" in html
    loaded = loaded_references(html)
    assert any(ref.startswith("data:image/png;base64,") for ref in loaded), "charts are inlined"
    assert external_references(html) == [], "the page loads nothing from another host"
    rising = html[html.index("<h2>Rising") : html.index("<h2>Latest stories")]
    assert rising.index("Sergei Naryshkin") < rising.index("Pyongyang")
    stories = html[html.index("<h2>Latest stories") : html.index("<h2>Feeds")]
    assert "visit-talks" in stories and "Sergei Naryshkin · North Korea · Russia" in stories
    feeds = html[html.index("<h2>Feeds") :]
    assert "HTTP 503 Service Unavailable" in feeds and 'class="status-failing">failing' in feeds
    assert 'class="status-silent">silent' in feeds and "Quiet Wire: no items in 7 days" in feeds


def test_page_escapes_what_came_from_feeds(db):
    hist = history.build(db)
    with db, db.cursor() as cur:
        cur.execute(
            "INSERT INTO stories (title, published_at) VALUES (%s, now()) RETURNING id",
            ('<script>alert("t")</script>',),
        )
        story = cur.fetchone()[0]
        cur.execute(
            """INSERT INTO articles (url, title, published_at, fetched_at, feed_id, score, relevant, story_id)
               SELECT 'javascript:alert(1)', 'x', now(), now(), id, 2, true, %s FROM feeds WHERE name = 'TASS'""",
            (story,),
        )
        cur.execute("UPDATE entities SET name = '<img src=x onerror=alert(2)>' WHERE name = 'Sergei Naryshkin'")
    html = render_page(db, datetime.now(UTC))
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert 'href="javascript:' not in html
    assert hist.today.isoformat() in html


def test_page_of_an_empty_database_says_so(db):
    html = render_page(db, datetime.now(UTC))
    assert "No articles are stored yet" in html and "Nothing is rising this week" in html


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def api_server(history_db, tmp_path_factory) -> Iterator[str]:
    """A real `airflow api-server` with the nkru plugin and `nkru_db` pointing at the history; its base URL."""
    home = tmp_path_factory.mktemp("airflow-home")
    (home / "plugins").mkdir()
    (home / "dags").mkdir()
    # Only the plugin file: Airflow imports every .py under its plugins folder as a top-level module.
    (home / "plugins" / "nkru_plugin.py").symlink_to(ROOT / "plugins" / "nkru_plugin.py")
    (home / "passwords.json").write_text(json.dumps({"analyst": PASSWORD}))
    port = _free_port()
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(home / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "analyst:viewer",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__API_AUTH__JWT_SECRET": "nkru-test-secret-" + os.urandom(8).hex(),
        "AIRFLOW_CONN_NKRU_DB": history_db[0],
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


def _token(base: str) -> str:
    response = httpx.post(f"{base}/auth/token", json={"username": "analyst", "password": PASSWORD}, timeout=10)
    assert response.status_code in (200, 201), response.text
    return response.json()["access_token"]


@pytest.mark.slow
def test_page_answers_only_behind_an_airflow_login(api_server):
    page = f"{api_server}/nkru/"
    anonymous = httpx.get(page, timeout=30)
    assert anonymous.status_code == 401 and "Naryshkin" not in anonymous.text
    assert anonymous.headers["www-authenticate"] == "Bearer"
    browser = httpx.get(page, headers={"Accept": "text/html,application/xhtml+xml"}, timeout=30)
    assert browser.status_code == 303 and "/auth/login" in browser.headers["location"]
    assert "Naryshkin" not in browser.text
    forged = httpx.get(page, headers={"Authorization": "Bearer not.a.token"}, timeout=30)
    assert forged.status_code == 401 and "Naryshkin" not in forged.text

    token = _token(api_server)
    with_header = httpx.get(page, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert with_header.status_code == 200, with_header.text[:500]
    assert "Sergei Naryshkin" in with_header.text and "data:image/png;base64," in with_header.text
    with_cookie = httpx.get(page, cookies={"_token": token}, timeout=60)
    assert with_cookie.status_code == 200 and "Broken Feed" in with_cookie.text


@pytest.mark.slow
def test_plugin_adds_a_navigation_entry(api_server):
    token = _token(api_server)
    response = httpx.get(f"{api_server}/api/v2/plugins", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 200, response.text
    plugin = next(p for p in response.json()["plugins"] if p["name"] == "nkru")
    view = plugin["external_views"][0]
    assert view["name"] == "North Korea–Russia" and view["href"] == "/nkru/" and view["destination"] == "nav"
    assert plugin["fastapi_apps"][0]["url_prefix"] == "/nkru"
    assert httpx.get(f"{api_server}/api/v2/plugins", timeout=30).status_code == 401
