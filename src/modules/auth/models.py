"""What the auth use cases hand around: accounts, sessions (refresh families), issued tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import msgspec

from common.users import User

__all__ = [
    "Account",
    "IssuedTokens",
    "MfaChallenge",
    "MfaSetup",
    "NewAccount",
    "NewFamily",
    "NewRefreshToken",
    "OneTimeToken",
    "Rotation",
    "RotationOutcome",
    "Session",
    "SessionInfo",
    "TokenPurpose",
]


class Account(msgspec.Struct, frozen=True, kw_only=True):
    """A user with credentials; the TOTP secrets are ciphertexts (see core.security)."""

    id: str
    email: str
    name: str | None
    password_hash: str
    email_verified: bool
    created_at: datetime
    totp_secret: str | None = None
    totp_pending_secret: str | None = None
    totp_last_step: int | None = None

    @property
    def mfa_enabled(self) -> bool:
        return self.totp_secret is not None

    def to_user(self) -> User:
        return User(
            id=self.id,
            email=self.email,
            name=self.name,
            email_verified=self.email_verified,
            mfa_enabled=self.mfa_enabled,
            created_at=self.created_at,
        )


class NewAccount(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    email: str
    name: str | None
    password_hash: str
    created_at: datetime
    email_verified: bool = False
    is_admin: bool = False


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """One refresh-token family: one login, however many times it has been refreshed."""

    id: str
    user_id: str
    created_at: datetime
    last_used_at: datetime
    ip: str | None
    user_agent: str | None
    amr: tuple[str, ...]
    mfa_at: datetime | None = None
    revoked_at: datetime | None = None


class NewFamily(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    user_id: str
    created_at: datetime
    ip: str | None
    user_agent: str | None
    amr: tuple[str, ...]
    mfa_at: datetime | None = None


class NewRefreshToken(msgspec.Struct, frozen=True, kw_only=True):
    token_hash: str
    issued_at: datetime
    expires_at: datetime


class RotationOutcome(StrEnum):
    ROTATED = "rotated"
    REUSED = "reused"
    INVALID = "invalid"


class Rotation(msgspec.Struct, frozen=True, kw_only=True):
    outcome: RotationOutcome
    session: Session | None = None
    """The family: updated when rotated, revoked when reused, None when invalid."""


class TokenPurpose(StrEnum):
    EMAIL_VERIFICATION = "email_verification"
    PASSWORD_RESET = "password_reset"


class OneTimeToken(msgspec.Struct, frozen=True, kw_only=True):
    token_hash: str
    user_id: str
    purpose: TokenPurpose
    created_at: datetime
    expires_at: datetime


class IssuedTokens(msgspec.Struct, frozen=True, kw_only=True):
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: str


class MfaChallenge(msgspec.Struct, frozen=True, kw_only=True):
    mfa_token: str
    expires_in: int


class MfaSetup(msgspec.Struct, frozen=True, kw_only=True):
    secret: str
    otpauth_uri: str


class SessionInfo(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    created_at: datetime
    last_used_at: datetime
    ip: str | None
    user_agent: str | None
    current: bool
