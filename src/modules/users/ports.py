"""The ports the profile use cases need; `infra.users` implements the directory."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from common.users import User
from core.ports.unit_of_work import UnitOfWork

__all__ = ["AccountDeletionHook", "UserDirectory"]


class UserDirectory(Protocol):
    async def get(self, user_id: str) -> User | None: ...

    async def email_of(self, user_id: str) -> str | None: ...

    async def update_name(self, user_id: str, name: str | None, at: datetime) -> User | None: ...

    async def delete(self, user_id: str, uow: UnitOfWork | None = None) -> bool:
        """Remove the user; their sessions, tokens and memberships go with them."""
        ...


class AccountDeletionHook(Protocol):
    """Another feature's say before an account is deleted (organisations: the last owner).

    A feature provides it on `container.services`; without one, nothing is asked.
    """

    async def before_delete(self, user_id: str, uow: UnitOfWork) -> dict[str, str]:
        """Settle the user's data inside the deletion's `uow`, or raise a `core.errors` type
        to refuse it; returns detail for the `user.deleted` audit event."""
        ...
