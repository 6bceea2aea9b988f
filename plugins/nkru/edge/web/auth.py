"""Airflow's login in front of the workspace: Airflow does not authenticate a plugin's app, so we do it here.

The JWT from `Authorization: Bearer` or the UI's `_token` cookie must be valid for Airflow's auth manager and its
user allowed to view the Airflow website. Without that a browser is sent to Airflow's login page (and comes back
afterwards) and anything else gets 401; no data is read before the check passes.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response


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


async def login_required_response(request: Request, exc: LoginRequired) -> Response:
    """Browsers go to Airflow's login page (and come back); API clients get 401."""
    if "text/html" in request.headers.get("accept", "") and "authorization" not in request.headers:
        from airflow.api_fastapi.app import get_auth_manager

        return RedirectResponse(get_auth_manager().get_url_login(next_url=str(request.url)), status_code=303)
    return JSONResponse(
        {"detail": "Not authenticated: log in to Airflow or send 'Authorization: Bearer <token>' from /auth/token"},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )
