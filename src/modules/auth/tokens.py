"""Access tokens (JWT), MFA challenge tokens (JWT) and refresh tokens (opaque, stored hashed).

Access-token claims: `sub`, `typ="access"`, `sid` (the refresh family), `amr`, `auth_at`
(login time) and, after a second factor, `mfa_at` (epoch seconds).
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from core.errors import AuthenticationError
from core.security.jwt import TokenError, decode_token, encode_token
from core.security.secrets import generate_token, hash_token
from modules.auth.deps import AuthDeps
from modules.auth.models import IssuedTokens, MfaChallenge, NewRefreshToken, Session
from policies.lifetimes import MFA_CHALLENGE_TTL

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "MFA_TOKEN_TYPE",
    "MfaTokenClaims",
    "issue_access_token",
    "issue_mfa_challenge",
    "issue_tokens",
    "new_refresh_token",
    "read_mfa_challenge",
]

ACCESS_TOKEN_TYPE = "access"
MFA_TOKEN_TYPE = "mfa"
_REFRESH_TOKEN_BYTES = 32


def issue_access_token(deps: AuthDeps, session: Session, now: datetime) -> str:
    extra: dict[str, object] = {
        "sid": session.id,
        "amr": list(session.amr),
        "auth_at": int(session.created_at.timestamp()),
    }
    if session.mfa_at is not None:
        extra["mfa_at"] = int(session.mfa_at.timestamp())
    config = deps.config
    return encode_token(
        secret=config.secret,
        subject=session.user_id,
        token_type=ACCESS_TOKEN_TYPE,
        issuer=config.issuer,
        audience=config.audience,
        now=now,
        ttl=config.access_ttl,
        extra=extra,
    )


def new_refresh_token(deps: AuthDeps, now: datetime) -> tuple[str, NewRefreshToken]:
    """A fresh opaque token and what the store keeps of it (its hash only)."""
    token = generate_token(_REFRESH_TOKEN_BYTES)
    stored = NewRefreshToken(
        token_hash=hash_token(token), issued_at=now, expires_at=now + deps.config.refresh_ttl
    )
    return token, stored


def issue_tokens(
    deps: AuthDeps, session: Session, refresh_token: str, now: datetime
) -> IssuedTokens:
    return IssuedTokens(
        access_token=issue_access_token(deps, session, now),
        refresh_token=refresh_token,
        expires_in=int(deps.config.access_ttl.total_seconds()),
        session_id=session.id,
    )


class MfaTokenClaims(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    jti: str
    expires_at: float
    """Epoch seconds."""


def issue_mfa_challenge(deps: AuthDeps, user_id: str, now: datetime) -> MfaChallenge:
    config = deps.config
    token = encode_token(
        secret=config.secret,
        subject=user_id,
        token_type=MFA_TOKEN_TYPE,
        issuer=config.issuer,
        audience=config.audience,
        now=now,
        ttl=MFA_CHALLENGE_TTL,
    )
    return MfaChallenge(mfa_token=token, expires_in=int(MFA_CHALLENGE_TTL.total_seconds()))


def read_mfa_challenge(deps: AuthDeps, token: str, now: datetime) -> MfaTokenClaims:
    config = deps.config
    try:
        claims = decode_token(
            token,
            secret=config.secret,
            token_type=MFA_TOKEN_TYPE,
            issuer=config.issuer,
            audience=config.audience,
            now=now,
        )
    except TokenError as exc:
        raise AuthenticationError(
            "The MFA token is invalid or expired; log in again", slug="invalid-mfa-token"
        ) from exc
    return MfaTokenClaims(
        user_id=str(claims["sub"]), jti=str(claims["jti"]), expires_at=float(claims["exp"])
    )
