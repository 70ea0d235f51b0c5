"""`/api/v1/users/me`: the caller's account."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, patch
from litestar.di import Provide

from common.principal import Principal
from common.users import User
from modules import users
from modules.users import UsersDeps
from policies.mfa import SensitiveAction
from web.auth.dependencies import request_meta
from web.auth.guards import require_mfa
from web.users.dependencies import provide_users_deps
from web.users.schemas import UserUpdate

__all__ = ["UsersController"]

AnyRequest = Request[Any, Any, Any]
_DEPENDENCIES = {"deps": Provide(provide_users_deps, sync_to_thread=False)}


class UsersController(Controller):
    path = "/api/v1/users"
    tags = ["users"]
    dependencies = _DEPENDENCIES

    @get("/me", summary="The caller's account")
    async def me(self, principal: Principal, deps: UsersDeps) -> User:
        return await users.get_me(deps, principal)

    @patch("/me", summary="Update the caller's profile (name)")
    async def update_me(
        self, data: UserUpdate, principal: Principal, deps: UsersDeps, request: AnyRequest
    ) -> User:
        if data.name is msgspec.UNSET:
            return await users.get_me(deps, principal)
        return await users.update_me(deps, principal, name=data.name, meta=request_meta(request))

    @delete(
        "/me",
        status_code=204,
        guards=[require_mfa(SensitiveAction.ACCOUNT_DELETE)],
        summary="Delete the caller's account (sensitive: needs a fresh MFA proof)",
    )
    async def delete_me(self, principal: Principal, deps: UsersDeps, request: AnyRequest) -> None:
        await users.delete_me(deps, principal, request_meta(request))
