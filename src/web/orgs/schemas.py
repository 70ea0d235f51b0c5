"""Request and list bodies of `/api/v1/orgs` and `/api/v1/invitations`.

Single resources (`Org`, `Member`, `Invitation`, `Membership`) are returned as the use cases
shape them; their fields are the contract.
"""

from __future__ import annotations

import msgspec

from modules.orgs import Member, Org
from policies.roles import Role
from web.auth.schemas import Email, Name, Token

__all__ = [
    "InvitationAccept",
    "InvitationCreate",
    "MemberList",
    "MemberUpdate",
    "OrgCreate",
    "OrgList",
]


class OrgCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name


class OrgList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Org]


class MemberList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Member]


class InvitationCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    email: Email
    role: Role = Role.MEMBER


class MemberUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    role: Role


class InvitationAccept(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    token: Token
