"""The caller's own account: read, rename, delete."""

from __future__ import annotations

from common.principal import Principal
from common.request_meta import RequestMeta
from common.users import User
from core.errors import AuthenticationError, FieldError, InputError
from modules.users._audit import audit
from modules.users._errors import last_owner
from modules.users.deps import UsersDeps

__all__ = ["MAX_NAME_LENGTH", "delete_me", "get_me", "update_me"]

MAX_NAME_LENGTH = 200


def _gone() -> AuthenticationError:
    return AuthenticationError("The account no longer exists")


async def get_me(deps: UsersDeps, principal: Principal) -> User:
    user = await deps.users.get(principal.user_id)
    if user is None:
        raise _gone()
    return user


async def update_me(
    deps: UsersDeps, principal: Principal, *, name: str | None, meta: RequestMeta
) -> User:
    name = name.strip() if name is not None else None
    if name is not None and len(name) > MAX_NAME_LENGTH:
        raise InputError(
            "The name is too long",
            errors=[FieldError("name", f"must be at most {MAX_NAME_LENGTH} characters")],
        )
    user = await deps.users.update_name(principal.user_id, name or None, deps.clock.now())
    if user is None:
        raise _gone()
    await audit(deps, "user.updated", meta, actor_id=user.id, subject_id=user.id)
    return user


async def delete_me(deps: UsersDeps, principal: Principal, meta: RequestMeta) -> None:
    """Delete the account with its sessions and memberships.

    Organisations it alone owns go too when nobody else is in them; if someone else is,
    the owner must hand ownership over first (409 `last-owner`).
    """
    async with deps.unit_of_work() as uow:
        owned = await deps.orgs.sole_owned(principal.user_id, uow)
        if any(org.member_count > 1 for org in owned):
            raise last_owner()
        for org in owned:
            await deps.orgs.delete(org.org_id, uow)
        if not await deps.users.delete(principal.user_id, uow):
            raise _gone()
        await audit(
            deps,
            "user.deleted",
            meta,
            actor_id=principal.user_id,
            subject_id=principal.user_id,
            uow=uow,
            orgs_deleted=str(len(owned)),
        )
