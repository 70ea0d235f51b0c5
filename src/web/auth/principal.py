"""Turn `Authorization: Bearer <access token>` into a `Principal`, or 401."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection

from common.principal import Principal
from core.errors import AuthenticationError
from core.security.jwt import TokenError, decode_token
from core.settings import Settings
from infra.container import Container
from modules.auth import ACCESS_TOKEN_TYPE

__all__ = ["ACCESS_TOKEN_TYPE", "bearer_token", "principal_from_token", "provide_principal"]


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def principal_from_token(token: str, settings: Settings, now: datetime) -> Principal:
    """Verify an access token (pinned algorithm, iss, aud, exp, nbf, typ) into a Principal."""
    try:
        claims = decode_token(
            token,
            secret=settings.secret,
            token_type=ACCESS_TOKEN_TYPE,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            now=now,
        )
    except TokenError as exc:
        raise AuthenticationError("The access token is invalid or expired") from exc
    return Principal(
        user_id=str(claims["sub"]),
        session_id=claims.get("sid"),
        amr=tuple(claims.get("amr", ())),
        mfa_at=_epoch(claims.get("mfa_at")),
        auth_at=_epoch(claims.get("auth_at")),
    )


def _epoch(value: object) -> datetime | None:
    # bool is an int subclass; a JSON `true` is not a timestamp.
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None


async def provide_principal(request: Request[Any, Any, Any], container: Container) -> Principal:
    """Litestar dependency `principal`: declare it on a handler to require a valid token."""
    token = bearer_token(request)
    if token is None:
        raise AuthenticationError("A bearer access token is required")
    return principal_from_token(token, container.settings, container.clock.now())
