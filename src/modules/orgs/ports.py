"""The stores the organisation use cases need; `infra.orgs` implements them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.ports.unit_of_work import UnitOfWork
from core.ports.user_emails import UserEmails
from modules.orgs.models import (
    Invitation,
    Member,
    Membership,
    NewInvitation,
    NewOrg,
    Org,
    SoleOwnedOrg,
)
from policies.roles import Role

__all__ = ["InvitationStore", "OrgStore", "UserEmails"]


class OrgStore(Protocol):
    async def create(self, org: NewOrg) -> Org:
        """Insert the organisation with its creator as owner, in one transaction."""
        ...

    async def for_user(self, user_id: str) -> list[Org]: ...

    async def get(self, org_id: str, user_id: str) -> Org | None:
        """The organisation as `user_id` sees it; None unless they are a member."""
        ...

    async def role_of(self, org_id: str, user_id: str) -> str | None:
        """`owner`, `admin`, `member` or None: the `OrgRoles` port other features ask."""
        ...

    async def members(self, org_id: str) -> list[Member]: ...

    async def lock_members(self, org_id: str, uow: UnitOfWork) -> list[Member]:
        """The members, with the organisation locked until `uow` ends.

        Role changes and removals decide on this list, so two of them cannot both remove
        the last owner.
        """
        ...

    async def set_role(self, org_id: str, user_id: str, role: Role, uow: UnitOfWork) -> None: ...

    async def remove_member(self, org_id: str, user_id: str, uow: UnitOfWork) -> None: ...

    async def add_member(
        self, org_id: str, user_id: str, role: Role, at: datetime, uow: UnitOfWork | None = None
    ) -> Membership:
        """Add, or return the existing membership unchanged (joining twice is harmless)."""
        ...

    async def sole_owned(self, user_id: str, uow: UnitOfWork) -> list[SoleOwnedOrg]:
        """Organisations where `user_id` is the only owner (locked until `uow` ends)."""
        ...

    async def delete(self, org_id: str, uow: UnitOfWork | None = None) -> None: ...


class InvitationStore(Protocol):
    async def create(self, invitation: NewInvitation) -> Invitation: ...

    async def pending(self, token_hash: str, now: datetime) -> Invitation | None:
        """The invitation if it is neither accepted nor expired."""
        ...

    async def accept(
        self, token_hash: str, user_id: str, now: datetime, uow: UnitOfWork | None = None
    ) -> Invitation | None:
        """Atomically mark a pending invitation accepted; None if it no longer is pending."""
        ...
