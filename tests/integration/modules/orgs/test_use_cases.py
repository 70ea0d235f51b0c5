"""Organisation use cases on their edges: non-members, lost races, mail down, audit."""

from __future__ import annotations

import dataclasses

import pytest

from common.ids import new_id
from common.principal import Principal
from common.request_meta import RequestMeta
from core.errors import AuthenticationError, ConflictError, InputError, NotFoundError
from infra.container import Container
from modules import orgs, users
from modules.auth.models import NewAccount
from modules.orgs import OrgsDeps
from policies.roles import Role
from tests.conftest import FakeClock
from tests.integration.modules.auth.conftest import BrokenEmail
from web.orgs.dependencies import orgs_deps
from web.users.dependencies import users_deps

META = RequestMeta(ip="192.0.2.2", request_id="r-2")


@pytest.fixture
def deps(container: Container) -> OrgsDeps:
    return orgs_deps(container)


async def _user(container: Container, email: str, clock: FakeClock) -> Principal:
    user_id = new_id()
    await container.auth.accounts.create(
        NewAccount(id=user_id, email=email, name=None, password_hash="x", created_at=clock.now())
    )
    return Principal(user_id=user_id)


async def test_member_management_needs_membership_and_a_member(
    deps: OrgsDeps, container: Container, clock: FakeClock
) -> None:
    ann = await _user(container, "ann@example.com", clock)
    bob = await _user(container, "bob@example.com", clock)
    org = await orgs.create_org(deps, ann, name="Acme", meta=META)
    with pytest.raises(NotFoundError, match="organisation"):
        await orgs.change_role(deps, bob, org.id, ann.user_id, role=Role.MEMBER, meta=META)
    with pytest.raises(NotFoundError, match="member"):
        await orgs.change_role(deps, ann, org.id, bob.user_id, role=Role.MEMBER, meta=META)
    with pytest.raises(NotFoundError, match="organisation"):
        await orgs.remove_member(deps, bob, org.id, ann.user_id, meta=META)
    with pytest.raises(NotFoundError, match="member"):
        await orgs.remove_member(deps, ann, org.id, bob.user_id, meta=META)
    same = await orgs.change_role(deps, ann, org.id, ann.user_id, role=Role.OWNER, meta=META)
    assert same.role is Role.OWNER
    with pytest.raises(NotFoundError):
        await orgs.invite(deps, bob, org.id, email="x@example.com", role=Role.MEMBER, meta=META)
    with pytest.raises(InputError):
        await orgs.invite(deps, ann, org.id, email="nope", role=Role.MEMBER, meta=META)


async def test_invitations_survive_mail_failure_and_lost_races(
    deps: OrgsDeps, container: Container, clock: FakeClock
) -> None:
    ann = await _user(container, "cat@example.com", clock)
    org = await orgs.create_org(deps, ann, name="Acme", meta=META)
    broken = BrokenEmail()
    invitation = await orgs.invite(
        dataclasses.replace(deps, email=broken),
        ann,
        org.id,
        email="dan@example.com",
        role=Role.MEMBER,
        meta=META,
    )
    assert invitation.email == "dan@example.com"
    token = broken.attempts[0].text.rsplit("Token: ", 1)[1].strip()

    with pytest.raises(AuthenticationError):
        await orgs.accept_invitation(deps, Principal(user_id="missing"), token=token, meta=META)

    class LosesTheRace:
        def __init__(self, inner: object) -> None:
            self._inner = inner

        def __getattr__(self, name: str) -> object:
            return getattr(self._inner, name)

        async def accept(self, *args: object, **kwargs: object) -> None:
            return None

    dan = await _user(container, "dan@example.com", clock)
    racing = dataclasses.replace(deps, invitations=LosesTheRace(deps.invitations))  # type: ignore[arg-type]
    with pytest.raises(InputError):
        await orgs.accept_invitation(racing, dan, token=token, meta=META)
    membership = await orgs.accept_invitation(deps, dan, token=token, meta=META)
    assert membership.role is Role.MEMBER


async def test_membership_changes_are_audited_with_the_org_and_the_request(
    deps: OrgsDeps, container: Container, clock: FakeClock
) -> None:
    ann = await _user(container, "eve@example.com", clock)
    bob = await _user(container, "fay@example.com", clock)
    org = await orgs.create_org(deps, ann, name="Acme", meta=META)
    await deps.orgs.add_member(org.id, bob.user_id, Role.MEMBER, clock.now())
    clock.advance(5)
    await orgs.change_role(deps, ann, org.id, bob.user_id, role=Role.ADMIN, meta=META)

    events = await deps.audit.events_for(ann.user_id)
    changed = next(event for event in events if event.event == "org.role_changed")
    assert (changed.org_id, changed.subject_id) == (org.id, bob.user_id)
    assert (changed.ip, changed.request_id, changed.occurred_at) == (
        "192.0.2.2",
        "r-2",
        clock.now(),
    )
    assert changed.detail == {"previous": "member", "role": "admin"}
    assert "org.created" in [event.event for event in events]


async def test_deleting_an_account_keeps_every_org_with_an_owner(
    deps: OrgsDeps, container: Container, clock: FakeClock
) -> None:
    profile = users_deps(container)
    assert profile.account_deletion is not None, "the orgs feature provides the hook"
    ann = await _user(container, "gil@example.com", clock)
    bob = await _user(container, "hal@example.com", clock)
    shared = await orgs.create_org(deps, ann, name="Shared", meta=META)
    alone = await orgs.create_org(deps, ann, name="Alone", meta=META)
    await deps.orgs.add_member(shared.id, bob.user_id, Role.MEMBER, clock.now())

    with pytest.raises(ConflictError):
        await users.delete_me(profile, ann, META)
    assert {org.id for org in await deps.orgs.for_user(ann.user_id)} == {shared.id, alone.id}

    await orgs.change_role(deps, ann, shared.id, bob.user_id, role=Role.OWNER, meta=META)
    await users.delete_me(profile, ann, META)
    assert [member.user_id for member in await deps.orgs.members(shared.id)] == [bob.user_id]
    assert await deps.orgs.members(alone.id) == []
    deleted = next(
        event for event in await deps.audit.events_for(ann.user_id) if event.event == "user.deleted"
    )
    assert deleted.detail == {"orgs_deleted": "1"}
