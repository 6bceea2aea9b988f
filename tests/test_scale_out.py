"""Scale-out with Airflow's own distributed execution: CeleryExecutor, Redis, two Celery workers.

Separate processes, as on separate machines: a scheduler, a dag-processor, an API server and two
`airflow celery worker`s (each reporting its own host name), sharing a fresh PostgreSQL metadata database and
the local Redis as the broker (database 5, a Celery queue of its own). `nkru_ingest` is triggered over 40+
loopback feeds split into 5 mapped fetch tasks; the test checks that both workers ran fetch tasks and that the
stored result (articles, relevance, feeds carried, entity mentions, stories, feed health) equals a single-process
`nkru run` over the same feeds into another fresh database. Every process is stopped by its process group,
also when the test fails.

`AirflowCluster` and `make_feeds` are reused by bench/bench_scale.py.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import psutil
import psycopg2
import pytest

from tests.databases import create_database, drop_database
from tests.feedserver import FeedServer
from tests.hostserver import HostServer

ROOT = Path(__file__).resolve().parents[1]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
NKRU = str(Path(sys.executable).with_name("nkru"))
REDIS_URL = os.environ.get("NKRU_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
DAG_ID = "nkru_ingest"

# ---------------------------------------------------------------------------------------------- feeds

RUSSIANS = ["Sergei Lavrov", "Sergei Shoigu", "Sergei Naryshkin", "Vladimir Putin", "Andrei Belousov"]
KOREANS = ["Choe Son Hui", "Kim Jong Un", "Ri Chang Dae", "Pak Thae Song", "No Kwang Chol"]
PLACES = ["Pyongyang", "Moscow", "Vladivostok", "Wonsan", "Rason", "Khabarovsk"]
OFF_TOPIC = ["Tokyo stocks", "Brazil's coffee harvest", "Germany's rail operator", "Canadian wildfires"]
# Filler words: each item draws its own sequence, so two reports share few word shingles and every story is
# grouped the same way whatever order the articles are stored in (syndicated copies are exact copies).
_VOCABULARY_TEXT = """
harbour grain convoy ministry delegation treaty border bridge tunnel cargo fuel ration pipeline
engineers satellite launch rocket shells artillery drones factory workers tourism resort ferry
railway freight customs bank payments ruble sanctions envoy embassy summit banquet parade
anniversary veterans hospital students exchange university scholarship fishing quota timber coal
iron smelter port crane warehouse airline flights charter visa hotel orchestra exhibition film
archive museum monument delegates protocol memorandum committee commission chairman deputy premier
governor province district county village river valley mountain coast island peninsula airport
runway highway checkpoint depot barracks drill exercise missile submarine destroyer frigate radar
sensor signal cable network software hardware
"""
VOCABULARY = tuple(_VOCABULARY_TEXT.split())


def _filler(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(count))


def _item(index: int, k: int, now: datetime) -> tuple[str, str, str, str]:
    """(link, title, summary, RFC 822 date) of item k of feed `index`."""
    n = index * 100 + k
    rng = random.Random(n)
    link = f"https://news{index}.example.org/{now:%Y/%m}/story-{index}-{k}"
    date = format_datetime(now - timedelta(minutes=7 * (index * 10 + k) + 5))
    if k % 3 == 2:
        title = f"{OFF_TOPIC[n % len(OFF_TOPIC)]}: {_filler(rng, 6)}"
        summary = f"{_filler(rng, 20)}."
    else:
        russian, korean = RUSSIANS[n % len(RUSSIANS)], KOREANS[(n // 3) % len(KOREANS)]
        place = PLACES[(n // 2) % len(PLACES)]
        title = f"{russian} and {korean} {_filler(rng, 5)} in {place}"
        summary = (
            f"{_filler(rng, 8)} Russia's {russian} {_filler(rng, 6)} North Korea's {korean} "
            f"{_filler(rng, 6)} in {place}, KCNA said; {_filler(rng, 6)} the Kremlin {_filler(rng, 4)}."
        )
    return link, title, summary, date


def feed_xml(index: int, items: int, now: datetime) -> bytes:
    """One RSS feed: mostly North Korea–Russia reports with named people and places, some unrelated news, and
    (for some feeds) a wire copy another feed also carries: the same link, or the same text under its own link."""
    entries = [_item(index, k, now) for k in range(items)]
    if index % 7 == 1:
        entries.append(_item(index - 1, 0, now))  # the same article in two feeds
    if index % 5 == 3:
        link, title, summary, date = _item(index - 1, 1, now)
        entries.append((link.replace(f"news{index - 1}.", f"mirror{index}."), title, summary, date))  # a copy
    body = "".join(
        f"<item><title>{escape(title)}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{date}</pubDate><description>{escape(summary)}</description></item>"
        for link, title, summary, date in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Scale feed {index}</title><link>https://news{index}.example.org/</link>"
        f"<description>test</description>{body}</channel></rss>"
    ).encode()


def make_feeds(servers: list[FeedServer], count: int, items: int = 6, failing: int = 2, slow_ms: int = 0) -> list[str]:
    """Serve `count` feeds (plus `failing` that answer 404) over the servers in blocks of neighbours (each server
    is a host, and a host's feeds are always fetched by one task, so feeds sharing a wire copy stay in one batch
    and which of them stores it first does not depend on which worker is quicker); return their settings lines."""
    now = datetime.now(UTC).replace(microsecond=0)
    lines = []
    for i in range(count):
        server = servers[i * len(servers) // count]
        server.set_content(f"/feed/{i}.xml", feed_xml(i, items, now), content_type="application/rss+xml")
        path = f"slow/{slow_ms}/feed/{i}.xml" if slow_ms else f"feed/{i}.xml"
        lines.append(f'  - {{name: scale-{i:03d}, url: "{server.url(path)}", language: en}}')
    for i in range(failing):
        lines.append(f'  - {{name: broken-{i}, url: "{servers[0].url(f"status/{404 if i % 2 == 0 else 503}")}"}}')
    return lines


@contextmanager
def loopback_hosts(count: int) -> Iterator[list[HostServer]]:
    """`count` feed servers on 127.0.0.2, 127.0.0.3, ...: distinct hosts to the fetcher."""
    servers = [HostServer(f"127.0.0.{2 + n}").start() for n in range(count)]
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


def write_settings(path: Path, feed_lines: list[str], batch_size: int, concurrency: int = 10) -> Path:
    path.write_text(
        "feeds:\n"
        + "\n".join(feed_lines)
        + f"\nfetch:\n  allow_private_addresses: true\n  timeout_seconds: 20\n  batch_size: {batch_size}\n"
        f"  concurrency: {concurrency}\n"
        f"entities:\n  gazetteer: {ROOT / 'config' / 'gazetteer.yaml'}\n"
        "alerts:\n  sender: nkru@example.org\n"
    )
    return path


# ----------------------------------------------------------------------------------------- the cluster


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env() -> dict[str, str]:
    """The caller's environment without any Airflow or nkru setting (conftest sets a SQLite Airflow home)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NKRU_"))}


class AirflowCluster:
    """Airflow 3 with CeleryExecutor as separate processes on loopback; `stop()` ends every one of them."""

    def __init__(self, home: Path, news_url: str, settings: Path, smtp_url: str, redis_url: str = REDIS_URL):
        self.home = home
        self.news_url = news_url
        self.settings = settings
        self.smtp_url = smtp_url
        self.redis_url = redis_url
        # Our own Celery queue: other clusters (a test and a benchmark at once, another checkout's test run)
        # may share this Redis database; nothing is flushed, each cluster only sees its own messages.
        self.queue = f"nkru_scale_{secrets.token_hex(6)}"
        self.api_port = free_port()
        self.metadata_url: str | None = None
        self.procs: dict[str, subprocess.Popen] = {}
        self._logs: list = []

    # -- setup

    def env(self, hostname: str = "scheduler-host") -> dict[str, str]:
        sqlalchemy = "postgresql+psycopg2://" + self.metadata_url.split("://", 1)[1]
        return {
            **base_env(),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(self.home / "pylib"), os.environ.get("PYTHONPATH")])),
            "AIRFLOW_HOME": str(self.home / "airflow"),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.home / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            # Only the run this test triggers: no scheduled run of the 15-minute schedule.
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "nkru_scale_host.hostname",
            "NKRU_SCALE_HOSTNAME": hostname,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqlalchemy,
            "AIRFLOW__CELERY__BROKER_URL": self.redis_url,
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.queue,
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + self.metadata_url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.api_port}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{self.api_port}",
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": self._jwt_secret,
            "AIRFLOW__API__SECRET_KEY": self._secret_key,
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self._log_ports.setdefault(hostname, free_port())),
            "AIRFLOW_CONN_NKRU_DB": self.news_url,
            "NKRU_SMTP_URL": self.smtp_url,
            "NKRU_CONFIG": str(self.settings),
        }

    def start(self, workers: int = 2, concurrency: int = 2) -> AirflowCluster:
        import redis

        self._jwt_secret, self._secret_key = secrets.token_hex(32), secrets.token_hex(32)
        self._log_ports: dict[str, int] = {}
        (self.home / "dags").mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "dags" / f"{DAG_ID}.py", self.home / "dags" / f"{DAG_ID}.py")
        (self.home / "pylib").mkdir(exist_ok=True)
        (self.home / "pylib" / "nkru_scale_host.py").write_text(
            "import os\n\n\ndef hostname():\n    return os.environ['NKRU_SCALE_HOSTNAME']\n"
        )
        try:
            redis.Redis.from_url(self.redis_url).ping()
        except redis.RedisError as exc:
            raise AssertionError(f"Redis is needed as the Celery broker at {self.redis_url}: {exc}") from exc
        self.metadata_url = create_database()
        migrate = subprocess.run(
            [AIRFLOW, "db", "migrate"], env=self.env(), capture_output=True, text=True, timeout=300
        )
        assert migrate.returncode == 0, migrate.stderr[-3000:]
        self._spawn("api-server", [AIRFLOW, "api-server"], self.env("api-host"))
        self._spawn("scheduler", [AIRFLOW, "scheduler"], self.env("scheduler-host"))
        self._spawn("dag-processor", [AIRFLOW, "dag-processor"], self.env("dag-processor-host"))
        for n in range(1, workers + 1):
            self.add_worker(n, concurrency)
        return self

    def add_worker(self, n: int, concurrency: int = 2) -> None:
        name = f"worker-{n}"
        self._spawn(
            name,
            [AIRFLOW, "celery", "worker", "--celery-hostname", f"{name}-{self.queue}@%h", "--queues", self.queue]
            + ["--concurrency", str(concurrency), "--skip-serve-logs", "--without-gossip", "--without-mingle"],
            self.env(name),
        )

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = (self.home / f"{name}.log").open("w")
        self._logs.append(log)
        self.procs[name] = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.home
        )

    # -- waiting and asking

    def _check_alive(self) -> None:
        for name, proc in self.procs.items():
            assert proc.poll() is None, f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}"

    def log_tail(self, name: str, lines: int = 60) -> str:
        path = self.home / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        conn = psycopg2.connect(self.metadata_url)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        finally:
            conn.close()

    def wait_ready(self, timeout: float = 180) -> None:
        """Until the API answers, the DAG is parsed and unpaused, and the workers are connected."""
        deadline = time.monotonic() + timeout
        api = dag = False
        while time.monotonic() < deadline:
            self._check_alive()
            if not api:
                with contextlib.suppress(OSError):
                    url = f"http://127.0.0.1:{self.api_port}/api/v2/version"
                    with urllib.request.urlopen(url, timeout=2) as response:
                        api = response.status == 200
            if not dag:
                with contextlib.suppress(psycopg2.Error):
                    dag = bool(self.query("SELECT 1 FROM dag WHERE dag_id = %s AND NOT is_paused", (DAG_ID,)))
            if api and dag and self._workers_ready():
                return
            time.sleep(1)
        raise AssertionError(
            f"cluster not ready in {timeout:.0f}s (api={api}, dag={dag})\n"
            + "\n".join(f"--- {n}\n{self.log_tail(n, 15)}" for n in self.procs)
        )

    def _workers_ready(self) -> bool:
        return all(
            "ready." in (self.home / f"{name}.log").read_text(errors="replace")
            for name in self.procs
            if name.startswith("worker-")
        )

    def trigger(self, dag_id: str = DAG_ID) -> str:
        run_id = f"scale_{secrets.token_hex(4)}"
        result = subprocess.run(
            [AIRFLOW, "dags", "trigger", dag_id, "--run-id", run_id],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        return run_id

    def wait_run(self, run_id: str, timeout: float = 300) -> tuple[str, float]:
        """(final state, seconds from the run's start to its end)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            rows = self.query(
                "SELECT state, extract(epoch FROM end_date - start_date) FROM dag_run"
                " WHERE dag_id = %s AND run_id = %s",
                (DAG_ID, run_id),
            )
            if rows and rows[0][0] in ("success", "failed"):
                return rows[0][0], float(rows[0][1] or 0)
            time.sleep(1)
        states = self.query("SELECT task_id, map_index, state FROM task_instance WHERE run_id = %s", (run_id,))
        raise AssertionError(f"run {run_id} not finished in {timeout:.0f}s: {states}")

    def task_instances(self, run_id: str, task_id: str) -> list[tuple[int, str, str, float]]:
        """(map_index, hostname, state, duration) of a task's instances in a run."""
        return self.query(
            "SELECT map_index, coalesce(hostname, ''), state, coalesce(duration, 0) FROM task_instance"
            " WHERE dag_id = %s AND run_id = %s AND task_id = %s ORDER BY map_index",
            (DAG_ID, run_id, task_id),
        )

    # -- stopping

    def stop(self, grace: float = 20) -> None:
        """SIGTERM every process group we started, SIGKILL what is left after `grace`; drop the databases."""
        tree: list[psutil.Process] = []
        for proc in self.procs.values():
            with contextlib.suppress(psutil.Error):
                parent = psutil.Process(proc.pid)
                tree += [parent, *parent.children(recursive=True)]
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGTERM)
        _, alive = psutil.wait_procs(tree, timeout=grace)
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        alive += self.leftovers()  # anything that left its process group but not its session
        for proc in alive:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        psutil.wait_procs(alive, timeout=5)
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        for log in self._logs:
            log.close()
        if self.metadata_url:
            drop_database(self.metadata_url)
            self.metadata_url = None
        with contextlib.suppress(Exception):
            import redis

            client = redis.Redis.from_url(self.redis_url)
            keys = [self.queue, *client.keys(f"*{self.queue}*")]
            client.delete(*keys)

    def leftovers(self) -> list[psutil.Process]:
        """Live processes in the sessions of the processes we started (each was started in its own session;
        an orphan keeps its session when reparented, and Airflow's process titles hide its environment)."""
        sessions = {proc.pid for proc in self.procs.values()}
        found = []
        for proc in psutil.process_iter():
            with contextlib.suppress(psutil.Error, OSError):
                if os.getsid(proc.pid) in sessions and proc.status() != psutil.STATUS_ZOMBIE:
                    found.append(proc)
        return found


@contextlib.contextmanager
def airflow_cluster(home: Path, news_url: str, settings: Path, smtp_url: str, **start) -> Iterator[AirflowCluster]:
    cluster = AirflowCluster(home, news_url, settings, smtp_url)
    try:
        yield cluster.start(**start)
    finally:
        cluster.stop()


# --------------------------------------------------------------------------------------- stored results


def stored_result(url: str) -> dict[str, list[tuple]]:
    """What the pipeline stored, without ids or times that differ between runs."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:

            def rows(sql: str) -> list[tuple]:
                cur.execute(sql)
                return cur.fetchall()

            return {
                "articles": rows(
                    "SELECT a.url, a.title, a.summary, a.language, a.published_at, f.name, a.score, a.relevant,"
                    " a.matched_terms, a.reason, a.extracted_at IS NOT NULL FROM articles a"
                    " JOIN feeds f ON f.id = a.feed_id ORDER BY a.url"
                ),
                "carried": rows(
                    "SELECT a.url, f.name FROM article_feeds af JOIN articles a ON a.id = af.article_id"
                    " JOIN feeds f ON f.id = af.feed_id ORDER BY 1, 2"
                ),
                "mentions": rows(
                    "SELECT a.url, e.name, e.label, m.count FROM mentions m JOIN articles a ON a.id = m.article_id"
                    " JOIN entities e ON e.id = m.entity_id ORDER BY 1, 2, 3"
                ),
                "entities": rows("SELECT name, label FROM entities ORDER BY 1, 2"),
                "feeds": rows(
                    "SELECT name, last_status, last_http_status, consecutive_failures, last_error IS NOT NULL"
                    " FROM feeds ORDER BY name"
                ),
                "stories": rows(
                    "SELECT array_agg(url ORDER BY url) FROM articles WHERE story_id IS NOT NULL"
                    " GROUP BY story_id ORDER BY 1"
                ),
            }
    finally:
        conn.close()


def nkru_run(news_url: str, settings: Path) -> float:
    """One single-process `nkru run` over the settings' feeds; returns its wall time in seconds."""
    env = {**base_env(), "NKRU_DATABASE_URL": news_url, "NKRU_CONFIG": str(settings)}
    started = time.monotonic()
    result = subprocess.run([NKRU, "run", "--no-send"], env=env, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return time.monotonic() - started


# ------------------------------------------------------------------------------------------------- test


@pytest.mark.slow
def test_two_celery_workers_share_the_fetch_tasks_and_store_what_one_process_stores(tmp_path, db_url, mail):
    feeds_count, batch_size = 42, 10  # 44 feeds with the 2 broken ones on 5 hosts: 5 mapped fetch tasks
    with loopback_hosts(5) as servers:
        settings = write_settings(tmp_path / "nkru.yaml", make_feeds(servers, feeds_count, slow_ms=200), batch_size)

        nkru_run(db_url, settings)
        expected = stored_result(db_url)
        assert sum(1 for a in expected["articles"] if a[7]) >= 100, "enough relevant articles to compare"
        assert len(expected["mentions"]) >= 300
        mirrored = [u for (urls,) in expected["stories"] for u in urls if "//mirror" in u]
        originals = {u: re.sub(r"//mirror(\d+)\.", lambda m: f"//news{int(m[1]) - 1}.", u) for u in mirrored}
        assert originals and all(
            any(copy in urls and original in urls for (urls,) in expected["stories"])
            for copy, original in originals.items()
        ), "a syndicated copy joins its story"
        carried = [url for url, _ in expected["carried"]]
        assert any(carried.count(url) == 2 for url in carried), "an article carried by two feeds"

        news_url = create_database()  # empty: the DAG's plan task migrates it
        try:
            with airflow_cluster(tmp_path / "cluster", news_url, settings, mail.url, workers=2) as cluster:
                cluster.wait_ready()
                run_id = cluster.trigger()
                state, _ = cluster.wait_run(run_id)
                fetches = cluster.task_instances(run_id, "ingest_batch")
                others = {t: cluster.task_instances(run_id, t) for t in ("plan", "process", "send_alerts")}
                assert state == "success", (fetches, others, cluster.log_tail("scheduler"))
                leftover_check = cluster
            assert not leftover_check.leftovers(), "every Airflow process is stopped"

            assert len(fetches) >= 4 and {f[2] for f in fetches} == {"success"}, fetches
            hosts = {f[1] for f in fetches}
            assert hosts == {"worker-1", "worker-2"}, f"fetch tasks ran on {hosts}, not on both workers"
            assert stored_result(news_url) == expected
        finally:
            drop_database(news_url)
