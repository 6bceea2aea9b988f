"""The "North Korea–Russia" page in the Airflow UI: a FastAPI app that `plugins/nkru_plugin.py` mounts at /nkru.

Airflow puts no authentication in front of a plugin's app, so every request is checked here against Airflow's
own auth manager: the JWT from `Authorization: Bearer` or the UI's `_token` cookie must be valid and its user
allowed to view the Airflow website. Without that a browser is sent to the login page and anything else gets
401; no data is read before the check passes. The news database is the Airflow connection `nkru_db`, looked
up per request (never at import, which happens in every Airflow process that loads plugins). The page is
rendered on the server with the charts inlined as PNG data URIs: nothing is fetched from a CDN.
"""

from __future__ import annotations

import base64
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.errors
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from nkru import store
from nkru.redact import scrub
from nkru.store import trends as trend_store
from nkru.untrusted import strip_controls

TEMPLATES = Path(__file__).parent / "templates"


def _no_controls(value: Any) -> Any:
    """Every `{{ value }}` on the page: strings from the database lose their control characters."""
    if isinstance(value, Markup):
        return Markup(strip_controls(value))
    return strip_controls(value) if isinstance(value, str) else value


_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), finalize=_no_controls)

app = FastAPI(title="nkru: North Korea–Russia", docs_url=None, redoc_url=None, openapi_url=None)


class LoginRequired(Exception):
    """No valid Airflow login on the request."""


async def require_login(request: Request) -> Any:
    """The Airflow user behind the request's token, or LoginRequired / 403: a FastAPI dependency."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
    from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
    from jwt import InvalidTokenError

    token = _bearer_token(request) or request.cookies.get(COOKIE_NAME_JWT_TOKEN)
    if not token:
        raise LoginRequired
    manager = get_auth_manager()
    try:
        user = await manager.get_user_from_token(token)
    except InvalidTokenError:  # expired, revoked, forged or malformed
        raise LoginRequired from None
    if not manager.is_authorized_view(access_view=AccessView.WEBSITE, user=user):
        raise HTTPException(status_code=403, detail="this Airflow user may not view the website")
    return user


def _bearer_token(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip() or None


@app.exception_handler(LoginRequired)
async def _login_required(request: Request, exc: LoginRequired) -> Response:
    """Browsers go to Airflow's login page (and come back); API clients get 401."""
    if "text/html" in request.headers.get("accept", "") and "authorization" not in request.headers:
        from airflow.api_fastapi.app import get_auth_manager

        return RedirectResponse(get_auth_manager().get_url_login(next_url=str(request.url)), status_code=303)
    return JSONResponse(
        {"detail": "Not authenticated: log in to Airflow or send 'Authorization: Bearer <token>' from /auth/token"},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


@app.get("/", response_class=HTMLResponse)
def page(user: Any = Depends(require_login)) -> HTMLResponse:
    """The whole page; sync, so FastAPI runs the database work in its thread pool."""
    from nkru.airflow_conns import database_url

    try:
        with store.connection(database_url(conn_id="nkru_db")) as conn:
            return HTMLResponse(render_page(conn, datetime.now(UTC)))
    except (psycopg2.Error, RuntimeError) as exc:
        message = f"The news database (Airflow connection nkru_db) cannot be read: {scrub(str(exc).strip())}"
        return HTMLResponse(_env.get_template("page.html").render(error=message), status_code=503)


def render_page(conn: store.Connection, now: datetime) -> str:
    """The page's HTML for `now`: last 30 days' volume, rising entities, latest stories, feed health."""
    from nkru.alerts.render import safe_url
    from nkru.trends import tables

    template = _env.get_template("page.html")
    if not trend_store.is_ready(conn):
        return template.render(error="The news database has no trend tables yet: run `nkru migrate`.")
    _refresh(conn)
    today = now.astimezone(UTC).date()
    week = today - timedelta(days=6)
    volume = trend_store.volume(conn, today - timedelta(days=29), today)
    feeds = trend_store.feed_coverage(conn, week, today, week - timedelta(days=28))
    stories = [{**s, "href": safe_url(s["url"])} for s in trend_store.latest_stories(conn, 20)]
    rising = trend_store.rising_entities(conn, week, today, week - timedelta(days=28), limit=15)
    return template.render(
        now=now,
        empty=not trend_store.has_articles(conn),
        volume_chart=_volume_chart(volume),
        relevant_30d=sum(r["relevant_articles"] for r in volume),
        rising=[{**r, "spark": tables.spark(r["daily"])} for r in rising],
        stories=stories,
        feeds=[{**f, "spark": tables.spark(f["daily"])} for f in feeds],
        feed_notes=tables.feed_notes(feeds, 7),
        when=tables.when,
    )


def _refresh(conn: store.Connection) -> None:
    # a read-only connection shows what the ingest DAG last refreshed
    with suppress(psycopg2.errors.InsufficientPrivilege, psycopg2.errors.ReadOnlySqlTransaction):
        trend_store.refresh_daily(conn)


def _volume_chart(rows: list[dict[str, Any]]) -> str | None:
    if not any(r["relevant_articles"] for r in rows):
        return None
    from nkru.trends import charts

    png = charts.render(charts.volume_chart(rows, title="Relevant coverage, last 30 days"))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
