"""Reading nkru's Airflow connections. Call these inside tasks or requests only, never at DAG parse time."""

from __future__ import annotations

import os
from urllib.parse import quote

DATABASE_CONN_ID = "nkru_db"
SMTP_CONN_ID = "nkru_smtp"


def database_url(conn_id: str = DATABASE_CONN_ID) -> str:
    """A libpq URI built from the Airflow connection's fields.

    We open psycopg2 connections ourselves (PostgresHook in provider 7.x uses psycopg 3). When the connection
    is not defined, fall back to NKRU_DATABASE_URL so `make run` and tests can wire one variable.
    """
    from airflow.exceptions import AirflowNotFoundException
    from airflow.sdk import BaseHook

    try:
        conn = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        url = os.environ.get("NKRU_DATABASE_URL")
        if url:
            return url
        raise RuntimeError(
            f"Airflow connection {conn_id!r} is not defined and NKRU_DATABASE_URL is not set: "
            f"add the connection (Admin > Connections, or AIRFLOW_CONN_{conn_id.upper()}=postgresql://...)"
        ) from None
    userinfo = ""
    if conn.login:
        userinfo = quote(conn.login, safe="")
        if conn.password:
            userinfo += ":" + quote(conn.password, safe="")
        userinfo += "@"
    host = conn.host or "127.0.0.1"
    if host.startswith("/"):  # a Unix socket directory (the embedded server of `make run`)
        host = quote(host, safe="")
    port = f":{conn.port}" if conn.port else ""
    dbname = quote(conn.schema or "postgres", safe="")
    return f"postgresql://{userinfo}{host}{port}/{dbname}"
