"""Profile use cases on their edges: gone accounts, and what another feature says on deletion."""

from __future__ import annotations

import dataclasses

import pytest

from common.ids import new_id
from common.principal import Principal
from common.request_meta import RequestMeta
from core.errors import AuthenticationError, ConflictError
from core.ports.unit_of_work import UnitOfWork
from infra.container import Container
from modules import users
from modules.auth.models import NewAccount
from modules.users import UsersDeps
from tests.conftest import FakeClock
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


class RecordingHook:
    """An `AccountDeletionHook` that refuses while `refuse` is set, and says what it saw."""

    def __init__(self, *, refuse: bool) -> None:
        self.refuse = refuse
        self.asked: list[str] = []

    async def before_delete(self, user_id: str, uow: UnitOfWork) -> dict[str, str]:
        self.asked.append(user_id)
        if self.refuse:
            raise ConflictError("Not yet", slug="not-yet")
        return {"settled": "yes"}


async def test_a_gone_account_is_unauthenticated(deps: UsersDeps) -> None:
    ghost = Principal(user_id="missing")
    with pytest.raises(AuthenticationError):
        await users.get_me(deps, ghost)
    with pytest.raises(AuthenticationError):
        await users.update_me(deps, ghost, name="x", meta=META)
    with pytest.raises(AuthenticationError):
        await users.delete_me(deps, ghost, META)


async def test_without_a_deletion_hook_the_account_simply_goes(
    deps: UsersDeps, container: Container, clock: FakeClock
) -> None:
    ann = await _user(container, "ann@example.com", clock)
    await users.delete_me(dataclasses.replace(deps, account_deletion=None), ann, META)
    assert await deps.users.get(ann.user_id) is None
    deleted = [e for e in await deps.audit.events_for(ann.user_id) if e.event == "user.deleted"]
    assert [event.detail for event in deleted] == [{}]


async def test_a_deletion_hook_can_refuse_and_adds_to_the_audit_event(
    deps: UsersDeps, container: Container, clock: FakeClock
) -> None:
    bob = await _user(container, "bob@example.com", clock)
    hook = RecordingHook(refuse=True)
    hooked = dataclasses.replace(deps, account_deletion=hook)
    with pytest.raises(ConflictError):
        await users.delete_me(hooked, bob, META)
    assert await deps.users.get(bob.user_id) is not None
    hook.refuse = False
    await users.delete_me(hooked, bob, META)
    assert hook.asked == [bob.user_id, bob.user_id]
    assert await deps.users.get(bob.user_id) is None
    deleted = [e for e in await deps.audit.events_for(bob.user_id) if e.event == "user.deleted"]
    assert [event.detail for event in deleted] == [{"settled": "yes"}]
