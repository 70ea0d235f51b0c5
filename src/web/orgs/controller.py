"""`/api/v1/orgs` and `/api/v1/invitations/accept`."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import Provide

from common.principal import Principal
from modules import orgs
from modules.orgs import Invitation, Member, Membership, Org, OrgsDeps
from web.auth.dependencies import request_meta
from web.auth.schemas import PathId
from web.orgs.dependencies import provide_orgs_deps
from web.orgs.schemas import (
    InvitationAccept,
    InvitationCreate,
    MemberList,
    MemberUpdate,
    OrgCreate,
    OrgList,
)

__all__ = ["InvitationsController", "OrgsController"]

AnyRequest = Request[Any, Any, Any]
_DEPENDENCIES = {"deps": Provide(provide_orgs_deps, sync_to_thread=False)}


class OrgsController(Controller):
    path = "/api/v1/orgs"
    tags = ["orgs"]
    dependencies = _DEPENDENCIES

    @post("/", status_code=201, summary="Create an organisation (the caller is its owner)")
    async def create(
        self, data: OrgCreate, principal: Principal, deps: OrgsDeps, request: AnyRequest
    ) -> Org:
        return await orgs.create_org(deps, principal, name=data.name, meta=request_meta(request))

    @get("/", summary="Organisations the caller belongs to")
    async def list_mine(self, principal: Principal, deps: OrgsDeps) -> OrgList:
        return OrgList(items=await orgs.list_orgs(deps, principal))

    @get("/{org_id:str}/members", summary="Members and their roles")
    async def members(self, org_id: PathId, principal: Principal, deps: OrgsDeps) -> MemberList:
        return MemberList(items=await orgs.list_members(deps, principal, org_id))

    @patch("/{org_id:str}/members/{user_id:str}", summary="Change a member's role")
    async def change_role(
        self,
        *,
        org_id: PathId,
        user_id: PathId,
        data: MemberUpdate,
        principal: Principal,
        deps: OrgsDeps,
        request: AnyRequest,
    ) -> Member:
        return await orgs.change_role(
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
        deps: OrgsDeps,
        request: AnyRequest,
    ) -> None:
        await orgs.remove_member(deps, principal, org_id, user_id, meta=request_meta(request))

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
        deps: OrgsDeps,
        request: AnyRequest,
    ) -> Invitation:
        return await orgs.invite(
            deps, principal, org_id, email=data.email, role=data.role, meta=request_meta(request)
        )


class InvitationsController(Controller):
    path = "/api/v1/invitations"
    tags = ["orgs"]
    dependencies = _DEPENDENCIES

    @post("/accept", status_code=200, summary="Accept an invitation sent to the caller's email")
    async def accept(
        self, data: InvitationAccept, principal: Principal, deps: OrgsDeps, request: AnyRequest
    ) -> Membership:
        return await orgs.accept_invitation(
            deps, principal, token=data.token, meta=request_meta(request)
        )
