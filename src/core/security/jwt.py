"""JWT encode/verify with one pinned algorithm.

The key comes only from settings; headers that point elsewhere (`jku`, `x5u`, `kid`) are
never followed, and `alg` in the token is never trusted: verification accepts exactly
`ALGORITHM`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import jwt

from core.security.secrets import generate_token

__all__ = ["ALGORITHM", "TokenError", "decode_token", "encode_token"]

ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "jti", "typ")


class TokenError(Exception):
    """The token is malformed, forged, expired or meant for something else."""


def encode_token(
    *,
    secret: str,
    subject: str,
    token_type: str,
    issuer: str,
    audience: str,
    now: datetime,
    ttl: timedelta,
    extra: Mapping[str, Any] | None = None,
) -> str:
    claims: dict[str, Any] = {
        **(extra or {}),
        "sub": subject,
        "typ": token_type,
        "iss": issuer,
        "aud": audience,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "jti": generate_token(16),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_token(
    token: str,
    *,
    secret: str,
    token_type: str,
    issuer: str,
    audience: str,
    now: datetime,
    leeway_seconds: int = 0,
) -> dict[str, Any]:
    """Verify signature, `exp`, `nbf`, `iss`, `aud` and `typ`; return the claims."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={"require": list(_REQUIRED_CLAIMS), "verify_exp": False, "verify_nbf": False},
        )
    except jwt.PyJWTError as exc:
        raise TokenError(str(exc)) from exc
    # exp/nbf are checked against the injected clock, not the wall clock.
    timestamp = now.timestamp()
    if claims["exp"] <= timestamp - leeway_seconds:
        raise TokenError("token expired")
    if claims.get("nbf", 0) > timestamp + leeway_seconds:
        raise TokenError("token not yet valid")
    if claims["typ"] != token_type:
        raise TokenError("wrong token type")
    return claims
