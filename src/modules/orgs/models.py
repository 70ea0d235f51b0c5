"""Organisations, their members and invitations, as the use cases return them."""

from __future__ import annotations

from datetime import datetime

import msgspec

from policies.roles import Role

__all__ = ["Invitation", "Member", "Membership", "NewInvitation", "NewOrg", "Org", "SoleOwnedOrg"]


class Org(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation as one of its members sees it (with that member's role)."""

    id: str
    name: str
    role: Role
    created_at: datetime


class NewOrg(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    created_by: str
    created_at: datetime


class Member(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    email: str
    name: str | None
    role: Role
    joined_at: datetime


class Membership(msgspec.Struct, frozen=True, kw_only=True):
    org_id: str
    user_id: str
    role: Role
    joined_at: datetime


class NewInvitation(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    org_id: str
    email: str
    role: Role
    token_hash: str
    invited_by: str
    created_at: datetime
    expires_at: datetime


class Invitation(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    org_id: str
    email: str
    role: Role
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None


class SoleOwnedOrg(msgspec.Struct, frozen=True, kw_only=True):
    org_id: str
    member_count: int
