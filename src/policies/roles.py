"""Organisation roles and what each may do; an organisation always keeps an owner."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["MembershipDecision", "Role", "can_invite", "decide_removal", "decide_role_change"]


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


class MembershipDecision(StrEnum):
    ALLOWED = "allowed"
    FORBIDDEN = "forbidden"
    LAST_OWNER = "last-owner"


_MANAGERS = frozenset({Role.OWNER, Role.ADMIN})


def can_invite(actor: Role, invited: Role) -> bool:
    """Owners invite anyone; admins invite admins and members; members invite nobody."""
    if actor is Role.OWNER:
        return True
    return actor is Role.ADMIN and invited is not Role.OWNER


def _leaves_no_owner(target: Role, owner_count: int) -> bool:
    return target is Role.OWNER and owner_count <= 1


def decide_role_change(
    actor: Role, target: Role, new_role: Role, *, owner_count: int
) -> MembershipDecision:
    """Owners set any role; admins move people between admin and member, never touch owners.

    `owner_count` is read under the organisation's lock, so two owners demoting each other
    at once cannot both succeed.
    """
    if actor is Role.OWNER:
        allowed = True
    elif actor is Role.ADMIN:
        allowed = target is not Role.OWNER and new_role is not Role.OWNER
    else:
        allowed = False
    if not allowed:
        return MembershipDecision.FORBIDDEN
    if new_role is not Role.OWNER and _leaves_no_owner(target, owner_count):
        return MembershipDecision.LAST_OWNER
    return MembershipDecision.ALLOWED


def decide_removal(
    actor: Role, target: Role, *, is_self: bool, owner_count: int
) -> MembershipDecision:
    """Anyone may leave; owners remove anyone; admins remove members. The last owner stays."""
    if is_self or actor is Role.OWNER:
        allowed = True
    else:
        allowed = actor in _MANAGERS and target is Role.MEMBER
    if not allowed:
        return MembershipDecision.FORBIDDEN
    if _leaves_no_owner(target, owner_count):
        return MembershipDecision.LAST_OWNER
    return MembershipDecision.ALLOWED
