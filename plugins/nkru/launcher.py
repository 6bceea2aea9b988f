"""`make run`: Airflow 3 standalone with nkru wired in, on one machine, with nothing to set up first.

When no news database is configured it starts an embedded PostgreSQL (pgserver) under `.data/pg` that serves
both the news database and Airflow's metadata database (so LocalExecutor runs mapped tasks in parallel).
When no mail server is configured it starts a local SMTP catcher that stores messages under `.data/mail/`.
Ctrl-C (or SIGTERM) stops every process it started, including LocalExecutor workers, and `.data/` keeps the
data for the next start.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import psutil

from nkru import store
from nkru.paths import data_dir, project_root
from nkru.redact import mask_url

API_PORT = int(os.environ.get("NKRU_AIRFLOW_PORT", "8080"))
SMTP_CATCHER_PORT = int(os.environ.get("NKRU_SMTP_CATCHER_PORT", "8025"))


def main() -> int:
    root, data = project_root(), data_dir()
    data.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    # `airflow standalone` starts its components as `airflow ...` looked up on PATH: make it this venv's,
    # also when the venv is not activated (`make run` calls .venv/bin/python directly).
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    children: list[subprocess.Popen] = []
    server = None
    # From the start, so that a signal during start-up also cleans up. SIGINT too: a shell starts background
    # jobs with SIGINT ignored, and Python then never raises KeyboardInterrupt.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        news_url, metadata_url, server = _databases(data, env)
        # Tasks read these too when no Airflow connection nkru_db / nkru_smtp is defined (nkru.resources).
        env["NKRU_DATABASE_URL"] = news_url
        if not (env.get("NKRU_SMTP_URL") or env.get("AIRFLOW_CONN_NKRU_SMTP")):
            children.append(_start_mail_catcher(data, env))
        _airflow_settings(env, root, data, metadata_url)
        subprocess.run([sys.executable, "-m", "nkru.cli", "migrate"], env=env, check=True)
        airflow = subprocess.Popen(
            [str(Path(sys.executable).with_name("airflow")), "standalone"], env=env, start_new_session=True
        )
        children.append(airflow)
        _announce(env, data)
        airflow.wait()
        return airflow.returncode or 0
    except KeyboardInterrupt:
        return 0
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut the clean-up short
            signal.signal(signum, signal.SIG_IGN)
        print("nkru: stopping ...", flush=True)
        started = time.monotonic()
        stop_process_trees(children)
        if server is not None:
            server.cleanup()
        print(f"nkru: stopped in {time.monotonic() - started:.0f} s; data kept in {data}", flush=True)


def _databases(data: Path, env: dict[str, str]) -> tuple[str, str, object | None]:
    """(news DB URL, Airflow metadata SQLAlchemy URL, embedded server or None)."""
    if env.get("NKRU_DATABASE_URL"):
        url = env["NKRU_DATABASE_URL"]
        metadata = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN") or _sqlalchemy_url(url)
        return url, metadata, None
    import pgserver

    print("nkru: no NKRU_DATABASE_URL: starting an embedded PostgreSQL in", data / "pg", flush=True)
    server = pgserver.get_server(data / "pg", cleanup_mode="stop")
    base = server.get_uri()  # postgresql://postgres:@/postgres?host=/socket/dir
    socket_dir = base.split("host=", 1)[1]
    for name in ("nkru", "airflow"):
        store.ensure_database(base, name)
    news = f"postgresql://postgres@{quote(socket_dir, safe='')}/nkru"
    metadata = f"postgresql+psycopg2://postgres@/airflow?host={socket_dir}"
    return news, metadata, server


def _sqlalchemy_url(libpq_url: str) -> str:
    return "postgresql+psycopg2://" + libpq_url.split("://", 1)[1]


def _start_mail_catcher(data: Path, env: dict[str, str]) -> subprocess.Popen:
    mail_dir = data / "mail"
    env["NKRU_SMTP_URL"] = f"smtp://127.0.0.1:{SMTP_CATCHER_PORT}"
    print(f"nkru: no mail server configured: alerts are caught as files in {mail_dir}", flush=True)
    return subprocess.Popen(
        [sys.executable, "-m", "nkru.alerts.catcher", "--dir", str(mail_dir), "--port", str(SMTP_CATCHER_PORT)],
        env=env,
        start_new_session=True,
    )


def _airflow_settings(env: dict[str, str], root: Path, data: Path, metadata_url: str) -> None:
    home = data / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    env.setdefault("NKRU_CONFIG", str(root / "config" / "nkru.yaml"))
    env.setdefault("NKRU_HOME", str(root))
    defaults = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(root / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
        "AIRFLOW__API__PORT": str(API_PORT),
        "AIRFLOW__API__HOST": "127.0.0.1",
        # Task processes report to the API server's execution API: on our port, not the default 8080.
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{API_PORT}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{API_PORT}/execution/",
    }
    for key, value in defaults.items():
        env.setdefault(key, value)


def _announce(env: dict[str, str], data: Path) -> None:
    passwords = Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    for _ in range(120):
        if passwords.exists():
            break
        time.sleep(1)
    smtp = mask_url(env["NKRU_SMTP_URL"]) if env.get("NKRU_SMTP_URL") else "the nkru_smtp connection"
    caught = f" (caught as files in {data / 'mail'})" if smtp.endswith(f":{SMTP_CATCHER_PORT}") else ""
    password = json.loads(passwords.read_text()).get("admin", "?") if passwords.exists() else "(see Airflow's log)"
    # The news database URL is shown with its password masked: the user who set it knows the password.
    news_url = mask_url(env["NKRU_DATABASE_URL"])
    hidden = "  (password hidden: put yours in place of ***)" if news_url != env["NKRU_DATABASE_URL"] else ""
    print(
        "\n"
        f"nkru is running.  Airflow UI: http://127.0.0.1:{API_PORT}  user: admin  password: {password}\n"
        f"  nkru_ingest runs every 15 minutes; trigger it now from the UI or wait.\n"
        f"  Query:  export NKRU_DATABASE_URL='{news_url}'{hidden}\n"
        f"          .venv/bin/nkru stories --since 7d   ·   .venv/bin/nkru entities --since 7d --top 20\n"
        f"  No internet here? `make demo` loads the bundled sample feeds.\n"
        f"  Alerts go to {smtp}{caught}.\n"
        "  Stop with Ctrl-C.\n",
        flush=True,
    )


def _interrupt(signum, frame):  # SIGTERM and SIGINT both mean "stop everything"
    raise KeyboardInterrupt


def stop_process_trees(children: list[subprocess.Popen], grace: float = 30.0) -> None:
    """SIGTERM each child's whole process tree, then SIGKILL whatever is still there after `grace` seconds.

    The tree is collected before signalling: `airflow standalone` can leave LocalExecutor workers behind
    when it exits first, and they are no longer its children by then.
    """
    procs: list[psutil.Process] = []
    for child in children:
        try:
            parent = psutil.Process(child.pid)
            procs += [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())
