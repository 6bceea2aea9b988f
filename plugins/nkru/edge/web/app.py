"""The workspace's URLs, behind Airflow's login. `plugins/nkru_plugin.py` mounts `app` at /nkru.

The news database is the Airflow connection `nkru_db`, looked up per request (never at import, which happens in
every Airflow process that loads plugins; the pages, Jinja and matplotlib are imported on first use). Handlers
are sync, so FastAPI runs the database work in its thread pool.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

import psycopg2
import psycopg2.errors
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nkru import store
from nkru.clock import utcnow
from nkru.edge.web.auth import LoginRequired, login_required_response, require_login
from nkru.redact import scrub

app = FastAPI(title="nkru: North Korea–Russia", docs_url=None, redoc_url=None, openapi_url=None)
app.add_exception_handler(LoginRequired, login_required_response)


def _base(request: Request) -> str:
    """The path the app is mounted under (/nkru inside Airflow), for links between pages."""
    return request.scope.get("root_path", "") or ""


def _respond(
    request: Request, build: Callable[[store.Connection, str], str | Response | None], *, trends: bool = False
) -> Response:
    """Open the news database, build the page; 404 when it names nothing, 503 when the database cannot be read.

    `trends`: the page reads the daily aggregates, so bring them up to date first."""
    from nkru.edge import resources
    from nkru.edge.web import pages

    base = _base(request)
    try:
        with store.connection(resources.database_url(airflow=True)) as conn:
            if trends:
                _refresh(conn)
            page = build(conn, base)
    except (psycopg2.Error, RuntimeError) as exc:
        message = f"The news database (Airflow connection nkru_db) cannot be read: {scrub(str(exc).strip())}"
        return HTMLResponse(pages.render("error.html", base=base, error=message), status_code=503)
    if page is None:
        return HTMLResponse(pages.render("error.html", base=base, error="There is nothing here."), status_code=404)
    return page if isinstance(page, Response) else HTMLResponse(page)


def _refresh(conn: store.Connection) -> None:
    """Bring the daily aggregates up to date; a read-only connection shows what the ingest DAG last refreshed."""
    from nkru.store import trends as trend_store

    if not trend_store.is_ready(conn):
        return
    with suppress(psycopg2.errors.InsufficientPrivilege, psycopg2.errors.ReadOnlySqlTransaction):
        trend_store.refresh_daily(conn)


@app.get("/", response_class=HTMLResponse)
def overview(request: Request, user: Any = Depends(require_login)) -> Response:
    from nkru.edge.web.overview import render_page

    return _respond(request, lambda conn, base: render_page(conn, utcnow(), base), trends=True)


@app.get("/stories", response_class=HTMLResponse)
def stories(request: Request, user: Any = Depends(require_login)) -> Response:
    from nkru.edge.web.stories import render_stories

    params = dict(request.query_params)
    return _respond(request, lambda conn, base: render_stories(conn, params, base))


@app.get("/stories/{story_id}", response_class=HTMLResponse)
def story(request: Request, story_id: int, user: Any = Depends(require_login)) -> Response:
    from nkru.edge.web.story import render_story

    return _respond(request, lambda conn, base: render_story(conn, story_id, base))


@app.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity(request: Request, entity_id: int, user: Any = Depends(require_login)) -> Response:
    from nkru.edge.web.entity import render_entity

    return _respond(request, lambda conn, base: render_entity(conn, entity_id, utcnow(), base), trends=True)


@app.get("/entity", response_class=HTMLResponse)
def entity_by_name(request: Request, name: str = "", user: Any = Depends(require_login)) -> Response:
    """An entity by any spelling (?name=Шойгу): redirected to its page, or a page of the closest names."""
    from nkru.edge.web import pages
    from nkru.trends.lookup import UnknownEntity, resolve_entity

    def build(conn: store.Connection, base: str) -> Response:
        try:
            match = resolve_entity(conn, name)
        except UnknownEntity as exc:
            return HTMLResponse(pages.render("error.html", base=base, error=str(exc)), status_code=404)
        return RedirectResponse(f"{base}/entities/{match.entity_id}", status_code=303)

    return _respond(request, build, trends=True)  # the lookup ranks spellings by coverage


@app.get("/feeds", response_class=HTMLResponse)
def feeds(request: Request, user: Any = Depends(require_login)) -> Response:
    from nkru.edge.web.feeds import render_feeds

    return _respond(request, lambda conn, base: render_feeds(conn, utcnow(), base), trends=True)
