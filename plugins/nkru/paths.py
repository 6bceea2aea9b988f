"""Where the project's files are: SQL, config, data. `NKRU_HOME` overrides the checkout root (e.g. in Docker)."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The checkout (or image) root holding `sql/`, `config/` and `dags/`."""
    home = os.environ.get("NKRU_HOME")
    return Path(home) if home else Path(__file__).resolve().parents[2]


def sql_dir() -> Path:
    return project_root() / "sql"


def data_dir() -> Path:
    """`.data/`: the embedded PostgreSQL, Airflow's home and caught mail when run with `make run`."""
    return Path(os.environ.get("NKRU_DATA_DIR") or project_root() / ".data")


def run_state_file() -> Path:
    """`.data/run.json`: where a running `make run` says which database, mail catcher and UI it started, so the
    `nkru` command in another shell finds them (written by nkru.edge.launcher, read by nkru.edge.resources)."""
    return data_dir() / "run.json"
