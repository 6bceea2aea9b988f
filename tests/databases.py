"""Throw-away PostgreSQL databases for tests and benchmarks, on the server at NKRU_TEST_ADMIN_URL.

Every database made here is named `<prefix>_<random>` (prefix `nkru_test` or `nkru_bench`), and only such
names are ever dropped: tests and benchmarks never touch any other database.
"""

from __future__ import annotations

import os
import uuid

import psycopg2

ADMIN_URL = os.environ.get("NKRU_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PREFIXES = ("nkru_test", "nkru_bench")


def admin_execute(sql: str) -> None:
    """Run one statement on the admin connection, outside a transaction (CREATE/DROP DATABASE need that)."""
    conn = psycopg2.connect(ADMIN_URL)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def create_database(template: str | None = None, prefix: str = "nkru_test") -> str:
    """Create an empty (or templated) database with a unique name and return its URL."""
    assert prefix in PREFIXES, prefix
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin_execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return f"{ADMIN_URL.rpartition('/')[0]}/{name}"


def drop_database(url: str) -> None:
    name = url.rpartition("/")[2]
    assert name.startswith(tuple(f"{p}_" for p in PREFIXES)), "only our own throw-away databases are dropped"
    admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
