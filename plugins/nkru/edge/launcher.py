"""`make run`: Airflow 3 standalone with nkru wired in, on one machine, with nothing to set up first.

When no news database is configured it starts an embedded PostgreSQL (pgserver) under `.data/pg` that serves
both the news database and Airflow's metadata database (so LocalExecutor runs mapped tasks in parallel).
When no mail server is configured it starts a local SMTP catcher that stores messages under `.data/mail/`.
Airflow's own output goes to `.data/logs/`, not the terminal: the terminal shows the banner (UI address,
login, where the database and the mail are) once the UI answers, and again once Airflow's start-up is over.
Once everything is up, `.data/run.json` says what was started, so `nkru` in another shell finds it
(nkru.edge.resources); it is removed when the launcher stops.

Ctrl-C (SIGINT to the terminal's foreground group), SIGTERM, and SIGINT sent to `make` alone all stop every
process it started, LocalExecutor workers and the embedded PostgreSQL included, within a few seconds; `.data/`
keeps the data for the next start. The last needs care: GNU make (4.3), given SIGINT on its own, forwards
nothing to its recipe's process; it resets its handler, keeps the signal blocked and waits for the recipe to
end, which a launcher that never got the signal would not do. So the launcher watches its parent (`make run`
execs it, so the parent is make) and stops when make is in that state, or when its parent is gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psutil

from nkru import store
from nkru.edge import resources
from nkru.paths import data_dir, project_root, run_state_file
from nkru.redact import mask_url

API_PORT = int(os.environ.get("NKRU_AIRFLOW_PORT", "8080"))
SMTP_CATCHER_PORT = int(os.environ.get("NKRU_SMTP_CATCHER_PORT", "8025"))
UI_TIMEOUT_SECONDS = 600  # a cold start on a busy 2-core machine migrates Airflow's metadata first
QUIET_SECONDS = 5.0  # Airflow's start-up is over when its log has been still this long...
QUIET_LIMIT_SECONDS = 90.0  # ...or, at the latest, this long after the UI answered
# SIGTERM, then SIGKILL: Airflow's scheduler, triggerer and API server take longer than this to stop cleanly on a
# busy machine, and nothing of theirs needs it (task instances cut short are failed and retried), while the user
# wants the terminal back within 10 s.
STOP_GRACE_SECONDS = 3.0


def main() -> int:
    root, data = project_root(), data_dir()
    refusal = cannot_start()
    if refusal:
        print(f"nkru: {refusal}", flush=True)
        return 1
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
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
    watch_parent()
    airflow_log = (logs / "airflow.log").open("ab")
    try:
        news_url, metadata_url, server = _databases(data, env)
        # Tasks read these too when no Airflow connection nkru_db / nkru_smtp is defined (nkru.edge.resources).
        env["NKRU_DATABASE_URL"] = news_url
        catcher = not (env.get("NKRU_SMTP_URL") or env.get("AIRFLOW_CONN_NKRU_SMTP"))
        if catcher:
            children.append(_start_mail_catcher(data, env, logs))
        _airflow_settings(env, root, data, metadata_url)
        subprocess.run([sys.executable, "-m", "nkru.edge.cli", "migrate"], env=env, check=True)
        print(f"nkru: starting Airflow (its output goes to {logs / 'airflow.log'}) ...", flush=True)
        airflow = subprocess.Popen(
            [str(Path(sys.executable).with_name("airflow")), "standalone"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=airflow_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        children.append(airflow)
        if not wait_for_ui(API_PORT, airflow, UI_TIMEOUT_SECONDS):
            print(f"nkru: Airflow did not start; the end of {logs / 'airflow.log'}:", flush=True)
            print(_tail(logs / "airflow.log"), flush=True)
            return 1
        write_state(env, data, catcher)
        print(banner(env, data, catcher, "nkru is up; Airflow is still starting its scheduler"), flush=True)
        wait_for_quiet(logs / "airflow.log", airflow, QUIET_SECONDS, QUIET_LIMIT_SECONDS)
        if airflow.poll() is None:
            print(banner(env, data, catcher, "nkru is running"), flush=True)
        airflow.wait()
        print(f"nkru: Airflow stopped by itself; the end of {logs / 'airflow.log'}:\n{_tail(logs / 'airflow.log')}")
        return airflow.returncode or 1
    except KeyboardInterrupt:
        return 0
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut the clean-up short
            signal.signal(signum, signal.SIG_IGN)
        print("nkru: stopping ...", flush=True)
        started = time.monotonic()
        remove_state()
        # PostgreSQL's fast shutdown (it ends the sessions, then writes a checkpoint) runs while the Airflow
        # processes get their grace: on a busy machine the two one after the other came close to 10 s.
        database = threading.Thread(target=server.cleanup) if server is not None else None
        if database is not None:
            database.start()
        stop_process_trees(children)
        if database is not None:
            database.join()
        airflow_log.close()
        print(f"nkru: stopped in {time.monotonic() - started:.0f} s; data kept in {data}", flush=True)


def _databases(data: Path, env: dict[str, str]) -> tuple[str, str, object | None]:
    """(news DB URL, Airflow metadata SQLAlchemy URL, embedded server or None)."""
    if env.get("NKRU_DATABASE_URL"):
        url = env["NKRU_DATABASE_URL"]
        metadata = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN") or _sqlalchemy_url(url)
        return url, metadata, None
    print("nkru: no NKRU_DATABASE_URL: starting an embedded PostgreSQL in", data / "pg", flush=True)
    with warnings.catch_warnings():  # platformdirs' "XDG_RUNTIME_DIR is not set": pgserver copes, nothing to do
        warnings.simplefilter("ignore")
        import pgserver

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


def _start_mail_catcher(data: Path, env: dict[str, str], logs: Path) -> subprocess.Popen:
    mail_dir = data / "mail"
    env["NKRU_SMTP_URL"] = f"smtp://127.0.0.1:{SMTP_CATCHER_PORT}"
    print(f"nkru: no mail server configured: alerts are caught as files in {mail_dir}", flush=True)
    with (logs / "catcher.log").open("ab") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "nkru.edge.catcher", "--dir", str(mail_dir), "--port", str(SMTP_CATCHER_PORT)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
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
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(data / "logs" / "tasks"),
        "AIRFLOW__API__PORT": str(API_PORT),
        "AIRFLOW__API__HOST": "127.0.0.1",
        # Task processes report to the API server's execution API: on our port, not the default 8080.
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{API_PORT}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{API_PORT}/execution/",
    }
    for key, value in defaults.items():
        env.setdefault(key, value)


# ============================================================================================ start-up


def cannot_start() -> str | None:
    """Why this launcher must not start (another one runs here, a port is taken), or None."""
    running = resources.running_launcher()
    if running:
        return f"`make run` is already running (pid {running['pid']}): {running.get('ui_url')}"
    ports = {API_PORT: "NKRU_AIRFLOW_PORT"}
    if not (os.environ.get("NKRU_SMTP_URL") or os.environ.get("AIRFLOW_CONN_NKRU_SMTP")):
        ports[SMTP_CATCHER_PORT] = "NKRU_SMTP_CATCHER_PORT"
    for port, variable in ports.items():
        if port_in_use(port):  # else the UI check would take another server for ours
            return f"port {port} on 127.0.0.1 is in use: stop what holds it, or set {variable}"
    return None


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for_ui(port: int, airflow: subprocess.Popen, timeout: float) -> bool:
    """Until Airflow's API server answers on `port` (True), or Airflow exits or `timeout` passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and airflow.poll() is None:
        url = f"http://127.0.0.1:{port}/api/v2/version"
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as response:
            if response.status == 200:
                return True
        time.sleep(1)
    return False


def wait_for_quiet(log: Path, airflow: subprocess.Popen, quiet: float, limit: float) -> None:
    """Until `log` has not grown for `quiet` seconds (the scheduler, dag-processor and triggerer have said what
    they say on start-up), Airflow exited, or `limit` seconds passed."""
    deadline = time.monotonic() + limit
    size, still_since = -1, time.monotonic()
    while time.monotonic() < deadline and airflow.poll() is None:
        now_size = log.stat().st_size if log.exists() else 0
        if now_size != size:
            size, still_since = now_size, time.monotonic()
        elif time.monotonic() - still_since >= quiet:
            return
        time.sleep(0.5)


def banner(env: dict[str, str], data: Path, catcher: bool, headline: str) -> str:
    """What the user needs to start: the UI and its login, where the database and the mail are, what to type."""
    ui = f"http://127.0.0.1:{API_PORT}"
    news_url = mask_url(env["NKRU_DATABASE_URL"])
    smtp_url = mask_url(env["NKRU_SMTP_URL"]) if env.get("NKRU_SMTP_URL") else None
    hidden = "   (password hidden: put yours in place of ***)" if _has_password(env["NKRU_DATABASE_URL"]) else ""
    mail = f"NKRU_SMTP_URL='{smtp_url}'" if smtp_url else "the Airflow connection nkru_smtp"
    if catcher:
        mail += f"\n                   (a catcher: each e-mail is a file; newest first: ls -t {data / 'mail'}/*.eml;"
        mail += "\n                   open one with any mail client, or read it with less)"
    shared = not _has_password(env["NKRU_DATABASE_URL"])
    found = "finds the database and the mail catcher by itself" if shared else "needs the export above"
    return (
        f"\n{headline}.\n"
        f"  Airflow UI:      {ui}   user: admin   password: {_admin_password(env)}\n"
        f"  North Korea–Russia workspace: {ui}/nkru/   (stories, entities, feeds)\n"
        f"  News database:   NKRU_DATABASE_URL='{news_url}'{hidden}\n"
        f"  Alerts go to:    {mail}\n"
        f"  In another shell, `nkru` {found} ({run_state_file()}):\n"
        f"    .venv/bin/nkru doctor  ·  make demo  ·  .venv/bin/nkru stories --since 7d\n"
        f"  nkru_ingest runs every 15 minutes; trigger it from the UI or wait. No internet here? `make demo`.\n"
        f"  Airflow's logs: {data / 'logs'}.   Stop with Ctrl-C.\n"
    )


def _admin_password(env: dict[str, str]) -> str:
    passwords = Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    for _ in range(30):  # written by the API server as it starts; there by the time the UI answers
        with contextlib.suppress(OSError, ValueError):
            return json.loads(passwords.read_text()).get("admin", "?")
        time.sleep(1)
    return f"(in {passwords})"


def _has_password(url: str) -> bool:
    """A URL with a password never goes in the state file: the file is readable by the user only, but a secret
    the user typed stays where they put it."""
    return mask_url(url) != url


def _tail(path: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


# ========================================================================================== state file


def write_state(env: dict[str, str], data: Path, catcher: bool) -> None:
    """`.data/run.json`, written whole (temp file, then rename) so a reader never sees half of it."""
    state: dict[str, Any] = {
        "pid": os.getpid(),
        "pid_started": psutil.Process().create_time(),
        "ui_url": f"http://127.0.0.1:{API_PORT}",
        "mail_dir": str(data / "mail") if catcher else None,
        "logs": str(data / "logs"),
    }
    for key, url in (
        (resources.STATE_DATABASE_URL, env["NKRU_DATABASE_URL"]),
        (resources.STATE_SMTP_URL, env.get("NKRU_SMTP_URL")),
    ):
        if url and not _has_password(url):
            state[key] = url
    path = run_state_file()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(state, out, indent=2)
    os.replace(tmp, path)


def remove_state() -> None:
    """Remove `.data/run.json` if this process wrote it."""
    path = run_state_file()
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


# ========================================================================================== stopping


_STOPPING = threading.Event()


def _interrupt(signum, frame):
    """SIGTERM and SIGINT both mean "stop everything", once: Ctrl-C reaches both make and the launcher, and the
    parent watch may send SIGTERM a moment later, which must not cut the clean-up short."""
    if not _STOPPING.is_set():
        _STOPPING.set()
        raise KeyboardInterrupt


FATAL_SIGNALS = (signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGTERM)


def watch_parent(interval: float = 0.5) -> threading.Thread:
    """Stop this process (SIGTERM to itself) when its parent dies, or when the parent is GNU make and got a
    fatal signal it did not pass on: make then resets that signal's handler to the default and keeps it
    blocked while it waits for its recipe (see the module docstring), which /proc/PID/status shows."""
    parent = os.getppid()
    caught = _signal_masks(parent).get("SigCgt", 0) if _is_make(parent) else 0

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent or _make_got_a_fatal_signal(parent, caught):
                os.kill(os.getpid(), signal.SIGTERM)
                return

    thread = threading.Thread(target=watch, name="nkru-parent-watch", daemon=True)
    thread.start()
    return thread


def _make_got_a_fatal_signal(pid: int, caught_at_start: int) -> bool:
    masks = _signal_masks(pid)
    if not caught_at_start or not masks:
        return False
    for signum in FATAL_SIGNALS:
        bit = 1 << (signum - 1)
        if caught_at_start & bit and not masks["SigCgt"] & bit and masks["SigBlk"] & bit:
            return True
    return False


def _is_make(pid: int) -> bool:
    with contextlib.suppress(psutil.Error):
        return psutil.Process(pid).name() in ("make", "gmake")
    return False


def _signal_masks(pid: int) -> dict[str, int]:
    """{'SigCgt': ..., 'SigBlk': ...} of process `pid` (Linux /proc), or {} when it cannot be read."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    fields = dict(line.split(":", 1) for line in lines if line.startswith(("SigCgt:", "SigBlk:")))
    return {key: int(value.strip(), 16) for key, value in fields.items()}


def stop_process_trees(children: list[subprocess.Popen], grace: float = STOP_GRACE_SECONDS) -> None:
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
    psutil.wait_procs(alive, timeout=grace)
    for child in children:  # reap our own children, so none is left a zombie
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=1)


if __name__ == "__main__":
    sys.exit(main())
