"""Refresh-token cookie transport for browsers (`AUTH_REFRESH_COOKIE=true`).

HttpOnly keeps it from scripts, Secure from plain HTTP, SameSite=Strict and the path from
every request but the auth endpoints of this site.
"""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie

from core.errors import FieldError, InputError
from core.settings import Settings
from modules.auth import IssuedTokens
from web.auth.schemas import TokenPairOut

__all__ = [
    "REFRESH_COOKIE",
    "REFRESH_COOKIE_PATH",
    "clear_cookie",
    "presented_refresh_token",
    "tokens_response",
]

REFRESH_COOKIE = "bulkhead_refresh"
REFRESH_COOKIE_PATH = "/api/v1/auth"


def _cookie(value: str, max_age: int) -> Cookie:
    return Cookie(
        key=REFRESH_COOKIE,
        value=value,
        path=REFRESH_COOKIE_PATH,
        max_age=max_age,
        httponly=True,
        secure=True,
        samesite="strict",
    )


def tokens_response(tokens: IssuedTokens, settings: Settings) -> Response[TokenPairOut]:
    in_cookie = settings.auth_refresh_cookie
    body = TokenPairOut.of(tokens, in_cookie=in_cookie)
    cookies = (
        [_cookie(tokens.refresh_token, settings.refresh_token_ttl_seconds)] if in_cookie else []
    )
    return Response(body, status_code=200, cookies=cookies)


def clear_cookie(settings: Settings) -> list[Cookie]:
    return [_cookie("", 0)] if settings.auth_refresh_cookie else []


def presented_refresh_token(
    connection: ASGIConnection[Any, Any, Any, Any], settings: Settings, body_token: str | None
) -> str:
    """The body's token, else (cookie mode only) the cookie's; 400 when neither is there."""
    if body_token:
        return body_token
    if settings.auth_refresh_cookie:
        cookie = connection.cookies.get(REFRESH_COOKIE)
        if cookie:
            return cookie
    raise InputError(
        "A refresh token is required",
        errors=[FieldError("refresh_token", "is required")],
    )
