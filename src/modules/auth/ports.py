"""The stores the auth use cases need; `infra.auth` implements them on SQL.

Every method that must be atomic says so: the guarantees (one rotation per refresh token,
one use per TOTP step, code or token) come from conditional writes in the store, never from
a read followed by a write in the use case.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.ports.unit_of_work import UnitOfWork
from modules.auth.models import (
    Account,
    NewAccount,
    NewFamily,
    NewRefreshToken,
    OneTimeToken,
    Rotation,
    Session,
    TokenPurpose,
)

__all__ = ["AccountStore", "OneTimeTokenStore", "RecoveryCodeStore", "RefreshTokenStore"]


class AccountStore(Protocol):
    async def create(self, account: NewAccount) -> bool:
        """Insert; False when the (normalised) email is taken."""
        ...

    async def by_email(self, email: str) -> Account | None: ...

    async def by_id(self, user_id: str) -> Account | None: ...

    async def replace_password_hash(self, user_id: str, old_hash: str, new_hash: str) -> bool:
        """Compare-and-set, for transparent rehashing: a concurrent change wins."""
        ...

    async def set_password_hash(
        self, user_id: str, new_hash: str, at: datetime, uow: UnitOfWork | None = None
    ) -> None: ...

    async def mark_email_verified(
        self, user_id: str, at: datetime, uow: UnitOfWork | None = None
    ) -> None: ...

    async def set_admin(self, user_id: str) -> None: ...

    async def set_pending_totp(self, user_id: str, encrypted_secret: str) -> None: ...

    async def enable_totp(
        self,
        user_id: str,
        encrypted_secret: str,
        accepted_step: int,
        at: datetime,
        uow: UnitOfWork | None = None,
    ) -> bool:
        """Make the pending secret active; False unless it is still the pending one."""
        ...

    async def disable_totp(self, user_id: str, uow: UnitOfWork | None = None) -> None: ...

    async def advance_totp_step(self, user_id: str, step: int) -> bool:
        """Atomically record `step` as used; False when it (or a later step) already was."""
        ...


class RecoveryCodeStore(Protocol):
    async def replace(
        self, user_id: str, code_hashes: Sequence[str], at: datetime, uow: UnitOfWork | None = None
    ) -> None: ...

    async def use(self, user_id: str, code_hash: str, at: datetime) -> bool:
        """Atomically spend one unused code; False when unknown or already spent."""
        ...

    async def remaining(self, user_id: str) -> int: ...


class RefreshTokenStore(Protocol):
    async def start(
        self, family: NewFamily, token: NewRefreshToken, uow: UnitOfWork | None = None
    ) -> Session: ...

    async def rotate(
        self,
        token_hash: str,
        replacement: NewRefreshToken,
        *,
        now: datetime,
        ip: str | None,
        user_agent: str | None,
    ) -> Rotation:
        """Spend `token_hash` and store `replacement` in its family, in one transaction.

        Exactly one of several concurrent calls with the same token rotates; a spent token
        presented again revokes its family (`REUSED`); unknown, expired or revoked: `INVALID`.
        """
        ...

    async def step_up(
        self,
        session_id: str,
        user_id: str,
        replacement: NewRefreshToken,
        *,
        amr: tuple[str, ...],
        mfa_at: datetime,
    ) -> Session | None:
        """Record a fresh MFA proof on a live family, spend its tokens, store `replacement`."""
        ...

    async def get(self, session_id: str) -> Session | None: ...

    async def revoke(
        self, session_id: str, *, reason: str, at: datetime, user_id: str | None = None
    ) -> Session | None:
        """Revoke a live family (of `user_id`, when given); None if there was none."""
        ...

    async def revoke_by_token(
        self, token_hash: str, *, reason: str, at: datetime
    ) -> Session | None: ...

    async def revoke_all(
        self, user_id: str, *, reason: str, at: datetime, uow: UnitOfWork | None = None
    ) -> int: ...

    async def active(self, user_id: str, now: datetime) -> list[Session]:
        """Live families (not revoked, holding an unexpired unspent token), newest first."""
        ...


class OneTimeTokenStore(Protocol):
    async def issue(self, token: OneTimeToken) -> None: ...

    async def peek(self, token_hash: str, purpose: TokenPurpose, now: datetime) -> str | None:
        """The user id of a live token, without spending it."""
        ...

    async def consume(
        self,
        token_hash: str,
        purpose: TokenPurpose,
        now: datetime,
        uow: UnitOfWork | None = None,
    ) -> str | None:
        """Atomically spend a live token; its user id, or None when not live."""
        ...

    async def discard_all(
        self, user_id: str, purpose: TokenPurpose, now: datetime, uow: UnitOfWork | None = None
    ) -> None:
        """Spend every live token of that purpose (a new password voids older reset links)."""
        ...
