"""Organisations and their members; who may do what is decided by `policies.roles`."""

from __future__ import annotations

from common.audit import record_audit
from common.ids import new_id
from common.principal import Principal
from common.request_meta import RequestMeta
from core.errors import FieldError, InputError, NotFoundError
from core.ports.unit_of_work import UnitOfWork
from modules.orgs._errors import forbidden, last_owner, org_not_found
from modules.orgs.deps import OrgsDeps
from modules.orgs.models import Member, NewOrg, Org
from policies.roles import MembershipDecision, Role, decide_removal, decide_role_change

__all__ = [
    "MAX_ORG_NAME_LENGTH",
    "change_role",
    "create_org",
    "list_members",
    "list_orgs",
    "remove_member",
]

MAX_ORG_NAME_LENGTH = 200


def _check(decision: MembershipDecision, detail: str) -> None:
    if decision is MembershipDecision.FORBIDDEN:
        raise forbidden(detail)
    if decision is MembershipDecision.LAST_OWNER:
        raise last_owner()


async def create_org(deps: OrgsDeps, principal: Principal, *, name: str, meta: RequestMeta) -> Org:
    name = name.strip()
    if not name or len(name) > MAX_ORG_NAME_LENGTH:
        raise InputError(
            "The organisation name is invalid",
            errors=[FieldError("name", f"must be 1 to {MAX_ORG_NAME_LENGTH} characters")],
        )
    org = await deps.orgs.create(
        NewOrg(id=new_id(), name=name, created_by=principal.user_id, created_at=deps.clock.now())
    )
    await record_audit(
        deps.audit, deps.clock, "org.created", meta, actor_id=principal.user_id, org_id=org.id
    )
    return org


async def list_orgs(deps: OrgsDeps, principal: Principal) -> list[Org]:
    return await deps.orgs.for_user(principal.user_id)


async def list_members(deps: OrgsDeps, principal: Principal, org_id: str) -> list[Member]:
    if await deps.orgs.get(org_id, principal.user_id) is None:
        raise org_not_found()
    return await deps.orgs.members(org_id)


async def _locked_pair(
    deps: OrgsDeps, principal: Principal, org_id: str, user_id: str, uow: UnitOfWork
) -> tuple[Member, Member, int]:
    """The caller and the target member, with the org's owner count, under the members' lock
    (so two owners demoting each other cannot both pass the last-owner rule)."""
    members = {member.user_id: member for member in await deps.orgs.lock_members(org_id, uow)}
    actor = members.get(principal.user_id)
    if actor is None:
        raise org_not_found()
    target = members.get(user_id)
    if target is None:
        raise NotFoundError("No such member", slug="member-not-found")
    owners = sum(member.role is Role.OWNER for member in members.values())
    return actor, target, owners


async def change_role(
    deps: OrgsDeps,
    principal: Principal,
    org_id: str,
    user_id: str,
    *,
    role: Role,
    meta: RequestMeta,
) -> Member:
    async with deps.unit_of_work() as uow:
        actor, target, owners = await _locked_pair(deps, principal, org_id, user_id, uow)
        _check(
            decide_role_change(actor.role, target.role, role, owner_count=owners),
            "Your role does not allow this change",
        )
        if target.role is not role:
            await deps.orgs.set_role(org_id, user_id, role, uow)
            await record_audit(
                deps.audit,
                deps.clock,
                "org.role_changed",
                meta,
                actor_id=principal.user_id,
                subject_id=user_id,
                org_id=org_id,
                uow=uow,
                previous=target.role.value,
                role=role.value,
            )
    return Member(
        user_id=target.user_id,
        email=target.email,
        name=target.name,
        role=role,
        joined_at=target.joined_at,
    )


async def remove_member(
    deps: OrgsDeps, principal: Principal, org_id: str, user_id: str, *, meta: RequestMeta
) -> None:
    """Remove a member, or leave when `user_id` is the caller."""
    async with deps.unit_of_work() as uow:
        actor, target, owners = await _locked_pair(deps, principal, org_id, user_id, uow)
        _check(
            decide_removal(
                actor.role, target.role, is_self=user_id == principal.user_id, owner_count=owners
            ),
            "Your role does not allow removing this member",
        )
        await deps.orgs.remove_member(org_id, user_id, uow)
        await record_audit(
            deps.audit,
            deps.clock,
            "org.member_removed",
            meta,
            actor_id=principal.user_id,
            subject_id=user_id,
            org_id=org_id,
            uow=uow,
            role=target.role.value,
        )
