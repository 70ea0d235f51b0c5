"""The caller's own account: read, rename, delete."""

from __future__ import annotations

from common.audit import record_audit
from common.principal import Principal
from common.request_meta import RequestMeta
from common.users import User
from core.errors import AuthenticationError, FieldError, InputError
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
    await record_audit(
        deps.audit, deps.clock, "user.updated", meta, actor_id=user.id, subject_id=user.id
    )
    return user


async def delete_me(deps: UsersDeps, principal: Principal, meta: RequestMeta) -> None:
    """Delete the account with its sessions.

    An installed feature may settle what the account leaves behind first, or refuse (with
    organisations: a sole owner of an org others are in gets 409 `last-owner`).
    """
    async with deps.unit_of_work() as uow:
        detail: dict[str, str] = {}
        if deps.account_deletion is not None:
            detail = await deps.account_deletion.before_delete(principal.user_id, uow)
        if not await deps.users.delete(principal.user_id, uow):
            raise _gone()
        await record_audit(
            deps.audit,
            deps.clock,
            "user.deleted",
            meta,
            actor_id=principal.user_id,
            subject_id=principal.user_id,
            uow=uow,
            **detail,
        )
