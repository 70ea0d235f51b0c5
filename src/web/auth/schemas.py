"""Request and response bodies of `/api/v1/auth` (field names fixed by api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar.params import Parameter

from modules.auth import IssuedTokens, MfaChallenge, SessionInfo

__all__ = [
    "NO_NUL",
    "CodeIn",
    "Email",
    "EmailVerifyIn",
    "LoginIn",
    "LoginMfaIn",
    "MfaChallengeOut",
    "MfaSetupOut",
    "Name",
    "PasswordChangeIn",
    "PasswordForgotIn",
    "PasswordResetIn",
    "PathId",
    "RecoveryCodesOut",
    "RefreshIn",
    "RegisterIn",
    "SessionList",
    "SessionOut",
    "Token",
    "TokenPairOut",
]

NO_NUL = "^[^\\x00]*$"
"""Text that reaches SQL must not hold NUL: PostgreSQL refuses it (a 500, not a 400)."""

Email = Annotated[str, msgspec.Meta(max_length=320, pattern=NO_NUL)]
Name = Annotated[str, msgspec.Meta(max_length=1000, pattern=NO_NUL)]
Password = Annotated[str, msgspec.Meta(max_length=1024)]
"""Hashed, never stored or queried as text: any character may be part of a passphrase."""
Token = Annotated[str, msgspec.Meta(max_length=2048, pattern=NO_NUL)]
Code = Annotated[str, msgspec.Meta(max_length=64, pattern=NO_NUL)]
PathId = Annotated[str, Parameter(pattern=NO_NUL, max_length=128)]
"""An id in the path (sessions, organisations, members): 400 when it cannot be one."""


class RegisterIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    email: Email
    password: Password
    name: Name | None = None


class LoginIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    email: Email
    password: Password


class LoginMfaIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    mfa_token: Token
    code: Code


class RefreshIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    refresh_token: Token | None = None
    """Optional only when AUTH_REFRESH_COOKIE=true and the cookie carries it."""


class CodeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: Code


class PasswordForgotIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    email: Email


class PasswordResetIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    token: Token
    password: Password


class PasswordChangeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    current_password: Password
    new_password: Password


class EmailVerifyIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    token: Token


class TokenPairOut(msgspec.Struct, frozen=True, kw_only=True):
    access_token: str
    refresh_token: str | None
    """null when the refresh token travels in the HttpOnly cookie instead."""
    token_type: Literal["bearer"] = "bearer"
    expires_in: int

    @classmethod
    def of(cls, tokens: IssuedTokens, *, in_cookie: bool) -> TokenPairOut:
        return cls(
            access_token=tokens.access_token,
            refresh_token=None if in_cookie else tokens.refresh_token,
            expires_in=tokens.expires_in,
        )


class MfaChallengeOut(msgspec.Struct, frozen=True, kw_only=True):
    mfa_required: bool
    mfa_token: str
    expires_in: int

    @classmethod
    def of(cls, challenge: MfaChallenge) -> MfaChallengeOut:
        return cls(
            mfa_required=True, mfa_token=challenge.mfa_token, expires_in=challenge.expires_in
        )


class SessionOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    created_at: datetime
    last_used_at: datetime
    ip: str | None
    user_agent: str | None
    current: bool

    @classmethod
    def of(cls, session: SessionInfo) -> SessionOut:
        return cls(**msgspec.structs.asdict(session))


class SessionList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[SessionOut]


class MfaSetupOut(msgspec.Struct, frozen=True, kw_only=True):
    secret: str
    otpauth_uri: str


class RecoveryCodesOut(msgspec.Struct, frozen=True, kw_only=True):
    recovery_codes: list[str]
