"""What an account's deletion does to its organisations (the users feature asks first)."""

from __future__ import annotations

from core.ports.unit_of_work import UnitOfWork
from modules.orgs._errors import last_owner
from modules.orgs.ports import OrgStore

__all__ = ["OrgsOnAccountDeletion"]


class OrgsOnAccountDeletion:
    """The users feature's `AccountDeletionHook`: organisations must keep an owner.

    Organisations the account alone owns go too when nobody else is in them; if someone
    else is, the owner must hand ownership over first (409 `last-owner`). Memberships go
    with the account (ON DELETE CASCADE).
    """

    def __init__(self, orgs: OrgStore) -> None:
        self._orgs = orgs

    async def before_delete(self, user_id: str, uow: UnitOfWork) -> dict[str, str]:
        owned = await self._orgs.sole_owned(user_id, uow)
        if any(org.member_count > 1 for org in owned):
            raise last_owner()
        for org in owned:
            await self._orgs.delete(org.org_id, uow)
        return {"orgs_deleted": str(len(owned))}
