from __future__ import annotations

import itertools

import pytest

from policies.roles import MembershipDecision, Role, can_invite, decide_removal, decide_role_change

OWNER, ADMIN, MEMBER = Role.OWNER, Role.ADMIN, Role.MEMBER


@pytest.mark.parametrize(
    ("actor", "invited", "allowed"),
    [
        (OWNER, OWNER, True),
        (OWNER, MEMBER, True),
        (ADMIN, ADMIN, True),
        (ADMIN, MEMBER, True),
        (ADMIN, OWNER, False),
        (MEMBER, MEMBER, False),
    ],
)
def test_who_may_invite(actor: Role, invited: Role, allowed: bool) -> None:
    assert can_invite(actor, invited) is allowed


def test_role_changes() -> None:
    assert decide_role_change(OWNER, MEMBER, ADMIN, owner_count=1) is MembershipDecision.ALLOWED
    assert decide_role_change(ADMIN, MEMBER, ADMIN, owner_count=1) is MembershipDecision.ALLOWED
    assert decide_role_change(ADMIN, MEMBER, OWNER, owner_count=1) is MembershipDecision.FORBIDDEN
    assert decide_role_change(ADMIN, OWNER, MEMBER, owner_count=2) is MembershipDecision.FORBIDDEN
    assert decide_role_change(MEMBER, MEMBER, ADMIN, owner_count=1) is MembershipDecision.FORBIDDEN
    assert decide_role_change(OWNER, OWNER, ADMIN, owner_count=1) is MembershipDecision.LAST_OWNER
    assert decide_role_change(OWNER, OWNER, ADMIN, owner_count=2) is MembershipDecision.ALLOWED


def test_removals() -> None:
    assert decide_removal(MEMBER, MEMBER, is_self=True, owner_count=1) is MembershipDecision.ALLOWED
    assert decide_removal(ADMIN, MEMBER, is_self=False, owner_count=1) is MembershipDecision.ALLOWED
    assert (
        decide_removal(ADMIN, ADMIN, is_self=False, owner_count=1) is MembershipDecision.FORBIDDEN
    )
    assert (
        decide_removal(MEMBER, MEMBER, is_self=False, owner_count=1) is MembershipDecision.FORBIDDEN
    )
    assert (
        decide_removal(OWNER, OWNER, is_self=True, owner_count=1) is MembershipDecision.LAST_OWNER
    )


def test_no_decision_ever_leaves_an_organisation_without_an_owner() -> None:
    for actor, target, new_role in itertools.product(Role, repeat=3):
        decision = decide_role_change(actor, target, new_role, owner_count=1)
        if target is OWNER and new_role is not OWNER:
            assert decision is not MembershipDecision.ALLOWED
    for actor, target, is_self in itertools.product(Role, Role, (True, False)):
        decision = decide_removal(actor, target, is_self=is_self, owner_count=1)
        if target is OWNER:
            assert decision is not MembershipDecision.ALLOWED
