"""User and organisation use cases on their edges: gone accounts, lost races, mail down."""

from __future__ import annotations

import dataclasses

import pytest

from common.ids import new_id
from common.principal import Principal
from common.request_meta import RequestMeta
from core.errors import AuthenticationError, InputError, NotFoundError
from infra.container import Container
from modules import users
from modules.auth.models import NewAccount
from modules.users import UsersDeps
from policies.roles import Role
from tests.conftest import FakeClock
from tests.integration.modules.auth.conftest import BrokenEmail
from web.users.dependencies import users_deps

META = RequestMeta(ip="192.0.2.2", request_id="r-2")


@pytest.fixture
def deps(container: Container) -> UsersDeps:
    return users_deps(container)


async def _user(container: Container, email: str, clock: FakeClock) -> Principal:
    user_id = new_id()
    await container.auth.accounts.create(
        NewAccount(id=user_id, email=email, name=None, password_hash="x", created_at=clock.now())
    )
    return Principal(user_id=user_id)


async def test_a_gone_account_is_unauthenticated(deps: UsersDeps) -> None:
    ghost = Principal(user_id="missing")
    with pytest.raises(AuthenticationError):
        await users.get_me(deps, ghost)
    with pytest.raises(AuthenticationError):
        await users.update_me(deps, ghost, name="x", meta=META)
    with pytest.raises(AuthenticationError):
        await users.delete_me(deps, ghost, META)


async def test_member_management_needs_membership_and_a_member(
    deps: UsersDeps, container: Container, clock: FakeClock
) -> None:
    ann = await _user(container, "ann@example.com", clock)
    bob = await _user(container, "bob@example.com", clock)
    org = await users.create_org(deps, ann, name="Acme", meta=META)
    with pytest.raises(NotFoundError, match="organisation"):
        await users.change_role(deps, bob, org.id, ann.user_id, role=Role.MEMBER, meta=META)
    with pytest.raises(NotFoundError, match="member"):
        await users.change_role(deps, ann, org.id, bob.user_id, role=Role.MEMBER, meta=META)
    with pytest.raises(NotFoundError, match="organisation"):
        await users.remove_member(deps, bob, org.id, ann.user_id, meta=META)
    with pytest.raises(NotFoundError, match="member"):
        await users.remove_member(deps, ann, org.id, bob.user_id, meta=META)
    same = await users.change_role(deps, ann, org.id, ann.user_id, role=Role.OWNER, meta=META)
    assert same.role is Role.OWNER
    with pytest.raises(NotFoundError):
        await users.invite(deps, bob, org.id, email="x@example.com", role=Role.MEMBER, meta=META)
    with pytest.raises(InputError):
        await users.invite(deps, ann, org.id, email="nope", role=Role.MEMBER, meta=META)


async def test_invitations_survive_mail_failure_and_lost_races(
    deps: UsersDeps, container: Container, clock: FakeClock
) -> None:
    ann = await _user(container, "cat@example.com", clock)
    org = await users.create_org(deps, ann, name="Acme", meta=META)
    broken = BrokenEmail()
    invitation = await users.invite(
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
        await users.accept_invitation(deps, Principal(user_id="missing"), token=token, meta=META)

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
        await users.accept_invitation(racing, dan, token=token, meta=META)
    membership = await users.accept_invitation(deps, dan, token=token, meta=META)
    assert membership.role is Role.MEMBER
