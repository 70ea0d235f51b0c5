"""Refresh-token rotation with reuse detection, logout, and the user's session list."""

from __future__ import annotations

from common.principal import Principal
from common.request_meta import RequestMeta
from core.errors import AuthenticationError, NotFoundError
from core.security.secrets import hash_token
from modules.auth._audit import audit
from modules.auth.deps import AuthDeps
from modules.auth.models import IssuedTokens, RotationOutcome, SessionInfo
from modules.auth.tokens import issue_tokens, new_refresh_token

__all__ = ["list_sessions", "logout", "refresh", "revoke_session"]


async def refresh(deps: AuthDeps, *, refresh_token: str, meta: RequestMeta) -> IssuedTokens:
    """Spend `refresh_token` for a new pair in the same family.

    A token already spent means two parties hold it (one of them a thief), so the whole
    family is revoked and both must log in again (RFC 9700 §4.14.2).
    """
    now = deps.clock.now()
    replacement_token, replacement = new_refresh_token(deps, now)
    rotation = await deps.refresh_tokens.rotate(
        hash_token(refresh_token), replacement, now=now, ip=meta.ip, user_agent=meta.user_agent
    )
    if rotation.outcome is RotationOutcome.ROTATED and rotation.session is not None:
        return issue_tokens(deps, rotation.session, replacement_token, now)
    if rotation.outcome is RotationOutcome.REUSED and rotation.session is not None:
        await audit(
            deps,
            "refresh.reused",
            meta,
            actor_id=rotation.session.user_id,
            subject_id=rotation.session.id,
        )
        raise AuthenticationError(
            "This refresh token was already used; the session has been revoked",
            slug="refresh-token-reused",
            title="Refresh token reused",
        )
    raise AuthenticationError(
        "The refresh token is invalid, expired or revoked", slug="invalid-refresh-token"
    )


async def logout(deps: AuthDeps, *, refresh_token: str, meta: RequestMeta) -> None:
    """Revoke the token's family; an unknown token is not an error (logout is idempotent)."""
    session = await deps.refresh_tokens.revoke_by_token(
        hash_token(refresh_token), reason="logout", at=deps.clock.now()
    )
    if session is not None:
        await audit(deps, "session.logout", meta, actor_id=session.user_id, subject_id=session.id)


async def list_sessions(deps: AuthDeps, principal: Principal) -> list[SessionInfo]:
    sessions = await deps.refresh_tokens.active(principal.user_id, deps.clock.now())
    return [
        SessionInfo(
            id=session.id,
            created_at=session.created_at,
            last_used_at=session.last_used_at,
            ip=session.ip,
            user_agent=session.user_agent,
            current=session.id == principal.session_id,
        )
        for session in sessions
    ]


async def revoke_session(
    deps: AuthDeps, principal: Principal, session_id: str, meta: RequestMeta
) -> None:
    """Revoke one of the caller's own sessions; anyone else's is 404."""
    session = await deps.refresh_tokens.revoke(
        session_id, reason="revoked", at=deps.clock.now(), user_id=principal.user_id
    )
    if session is None:
        raise NotFoundError("No such session", slug="session-not-found")
    await audit(deps, "session.revoked", meta, actor_id=principal.user_id, subject_id=session_id)
