"""Shared fixtures: a fresh, migrated PostgreSQL database per test (real server on 127.0.0.1).

Set NKRU_TEST_ADMIN_URL to point at another server; tests create databases named `nkru_test_*` and drop them,
never touching any other database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nkru import store
from nkru.edge.demo import recent_dates
from tests.databases import create_database, drop_database
from tests.feedserver import FeedServer
from tests.smtpserver import CaptureServer, smtp_server_fixture  # noqa: F401  (the `smtp_server` fixture)

# Airflow reads its configuration when first imported, so the test session's Airflow home is set here, before
# any test imports it: a temporary directory with a SQLite metadata database (enough for `dag.test()`).
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="nkru-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(Path(__file__).resolve().parents[1] / "dags"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        # A `make run` running in this checkout must not be found by the tests (nkru.edge.resources reads its
        # .data/run.json): the tests' data directory is their own.
        "NKRU_DATA_DIR": str(_AIRFLOW_HOME / "data"),
    }
)


@pytest.fixture(scope="session")
def migrated_template() -> Iterator[str]:
    """One migrated database per test session, copied for each test (much faster than migrating each time)."""
    url = create_database()
    with store.connection(url) as conn:
        store.migrate(conn)
    yield url.rpartition("/")[2]
    drop_database(url)


@pytest.fixture
def db_url(migrated_template: str) -> Iterator[str]:
    """URL of a fresh database with the full schema, dropped after the test."""
    url = create_database(template=migrated_template)
    yield url
    drop_database(url)


@pytest.fixture
def empty_db_url() -> Iterator[str]:
    """URL of a fresh database with no schema at all (for migration and 'empty database' tests)."""
    url = create_database()
    yield url
    drop_database(url)


@pytest.fixture
def db(db_url: str) -> Iterator[store.Connection]:
    """An open connection to a fresh migrated database."""
    with store.connection(db_url) as conn:
        yield conn


@pytest.fixture(scope="session")
def airflow_metadata() -> Path:
    """A migrated Airflow metadata database for `dag.test()` (once per session); returns AIRFLOW_HOME."""
    subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "db", "migrate"],
        check=True,
        capture_output=True,
        env=dict(os.environ),
    )
    return _AIRFLOW_HOME


STORY_FEEDS = Path(__file__).resolve().parent / "fixtures" / "dag"


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    """A loopback server with `wire.xml` (RSS) and `mirror.xml` (Atom): on- and off-topic stories, one of them
    syndicated in both, dated in the last hours so that they count as new."""
    now = datetime.now(UTC)
    with FeedServer(STORY_FEEDS) as server:
        for name in ("wire.xml", "mirror.xml"):
            server.set_content(f"/{name}", recent_dates((STORY_FEEDS / name).read_text(), now).encode())
        yield server


@pytest.fixture
def mail(smtp_server: CaptureServer) -> CaptureServer:
    """A real SMTP server on a free loopback port that keeps what it is sent."""
    return smtp_server
