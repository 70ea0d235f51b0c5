"""`/api/v1/users/me`, `/api/v1/orgs` and `/api/v1/invitations/accept`."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import Provide

from common.principal import Principal
from common.users import User
from modules import users
from modules.users import Invitation, Member, Membership, Org, UsersDeps
from policies.mfa import SensitiveAction
from web.auth.dependencies import request_meta
from web.auth.guards import require_mfa
from web.auth.schemas import PathId
from web.users.dependencies import provide_users_deps
from web.users.schemas import (
    InvitationAccept,
    InvitationCreate,
    MemberList,
    MemberUpdate,
    OrgCreate,
    OrgList,
    UserUpdate,
)

__all__ = ["InvitationsController", "OrgsController", "UsersController"]

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


class OrgsController(Controller):
    path = "/api/v1/orgs"
    tags = ["orgs"]
    dependencies = _DEPENDENCIES

    @post("/", status_code=201, summary="Create an organisation (the caller is its owner)")
    async def create(
        self, data: OrgCreate, principal: Principal, deps: UsersDeps, request: AnyRequest
    ) -> Org:
        return await users.create_org(deps, principal, name=data.name, meta=request_meta(request))

    @get("/", summary="Organisations the caller belongs to")
    async def list_mine(self, principal: Principal, deps: UsersDeps) -> OrgList:
        return OrgList(items=await users.list_orgs(deps, principal))

    @get("/{org_id:str}/members", summary="Members and their roles")
    async def members(self, org_id: PathId, principal: Principal, deps: UsersDeps) -> MemberList:
        return MemberList(items=await users.list_members(deps, principal, org_id))

    @patch("/{org_id:str}/members/{user_id:str}", summary="Change a member's role")
    async def change_role(
        self,
        *,
        org_id: PathId,
        user_id: PathId,
        data: MemberUpdate,
        principal: Principal,
        deps: UsersDeps,
        request: AnyRequest,
    ) -> Member:
        return await users.change_role(
            deps, principal, org_id, user_id, role=data.role, meta=request_meta(request)
        )

    @delete(
        "/{org_id:str}/members/{user_id:str}",
        status_code=204,
        summary="Remove a member (or leave, with your own id)",
    )
    async def remove_member(
        self,
        org_id: PathId,
        user_id: PathId,
        principal: Principal,
        deps: UsersDeps,
        request: AnyRequest,
    ) -> None:
        await users.remove_member(deps, principal, org_id, user_id, meta=request_meta(request))

    @post(
        "/{org_id:str}/invitations",
        status_code=201,
        summary="Invite by email (owners and admins); the token is mailed",
    )
    async def invite(
        self,
        org_id: PathId,
        data: InvitationCreate,
        principal: Principal,
        deps: UsersDeps,
        request: AnyRequest,
    ) -> Invitation:
        return await users.invite(
            deps, principal, org_id, email=data.email, role=data.role, meta=request_meta(request)
        )


class InvitationsController(Controller):
    path = "/api/v1/invitations"
    tags = ["orgs"]
    dependencies = _DEPENDENCIES

    @post("/accept", status_code=200, summary="Accept an invitation sent to the caller's email")
    async def accept(
        self, data: InvitationAccept, principal: Principal, deps: UsersDeps, request: AnyRequest
    ) -> Membership:
        return await users.accept_invitation(
            deps, principal, token=data.token, meta=request_meta(request)
        )
