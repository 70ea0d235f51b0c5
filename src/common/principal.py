"""Who is calling: the authenticated user as every layer sees it (never a raw token)."""

from __future__ import annotations

from datetime import datetime

import msgspec

__all__ = ["Principal"]


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    session_id: str | None = None
    """The refresh-token family (one per login) this access token belongs to."""
    amr: tuple[str, ...] = ()
    """Authentication methods (`pwd`, `otp`), as in RFC 8176."""
    mfa_at: datetime | None = None
    """When the caller last proved a second factor; sensitive actions need it fresh."""
    auth_at: datetime | None = None
    """When the caller last logged in with a password (kept across refreshes)."""
