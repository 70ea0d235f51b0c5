"""Organisations on SQLite and PostgreSQL: memberships, the org lock, single-use invitations."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlalchemy import text

from common.ids import new_id
from infra.db.engine import Database
from infra.db.unit_of_work import sql_unit_of_work
from infra.orgs import SqlInvitationStore, SqlOrgStore
from infra.users import SqlUserDirectory
from modules.orgs.models import NewInvitation, NewOrg
from policies.roles import Role
from tests.conftest import FakeClock
from tests.integration.infra.auth._helpers import make_user


async def _org(store: SqlOrgStore, owner: str, clock: FakeClock) -> str:
    org = await store.create(
        NewOrg(id=new_id(), name="Acme", created_by=owner, created_at=clock.now())
    )
    return org.id


async def test_memberships_roles_and_sole_ownership(database: Database, clock: FakeClock) -> None:
    store = SqlOrgStore(database)
    ann = await make_user(database, "ann@example.com", clock.now())
    bob = await make_user(database, "bob@example.com", clock.now())
    org_id = await _org(store, ann, clock)
    lonely = await _org(store, ann, clock)

    assert [org.role for org in await store.for_user(ann)] == [Role.OWNER, Role.OWNER]
    assert await store.get(org_id, bob) is None
    assert await store.role_of(org_id, ann) == "owner"
    assert await store.role_of(org_id, bob) is None

    joined = await store.add_member(org_id, bob, Role.ADMIN, clock.now())
    again = await store.add_member(org_id, bob, Role.MEMBER, clock.now())
    assert joined.role is again.role is Role.ADMIN, "joining twice keeps the first role"
    assert [(m.email, m.role) for m in await store.members(org_id)] == [
        ("ann@example.com", Role.OWNER),
        ("bob@example.com", Role.ADMIN),
    ]

    async with sql_unit_of_work(database) as uow:
        owned = {org.org_id: org.member_count for org in await store.sole_owned(ann, uow)}
    assert owned == {org_id: 2, lonely: 1}
    async with sql_unit_of_work(database) as uow:
        await store.set_role(org_id, bob, Role.OWNER, uow)
        assert [org.org_id for org in await store.sole_owned(ann, uow)] == [lonely]
        await store.remove_member(org_id, bob, uow)
        await store.delete(lonely, uow)
    assert [org.id for org in await store.for_user(ann)] == [org_id]
    async with sql_unit_of_work(database) as uow:
        assert await store.lock_members("missing", uow) == []
        assert await store.sole_owned(bob, uow) == []


async def test_deleting_a_user_removes_their_memberships(
    database: Database, clock: FakeClock
) -> None:
    orgs = SqlOrgStore(database)
    directory = SqlUserDirectory(database)
    ann = await make_user(database, "cat@example.com", clock.now())
    bob = await make_user(database, "dan@example.com", clock.now())
    org_id = await _org(orgs, ann, clock)
    await orgs.add_member(org_id, bob, Role.MEMBER, clock.now())
    assert await directory.delete(bob)
    assert not await directory.delete(bob)
    assert [m.user_id for m in await orgs.members(org_id)] == [ann]
    assert await directory.get(bob) is None
    assert await directory.update_name(bob, "x", clock.now()) is None
    assert await directory.email_of(ann) == "cat@example.com"


async def test_an_invitation_is_accepted_once_even_when_raced(
    database: Database, clock: FakeClock
) -> None:
    orgs = SqlOrgStore(database)
    invitations = SqlInvitationStore(database)
    ann = await make_user(database, "eve@example.com", clock.now())
    org_id = await _org(orgs, ann, clock)
    await invitations.create(
        NewInvitation(
            id=new_id(),
            org_id=org_id,
            email="fay@example.com",
            role=Role.MEMBER,
            token_hash="t" * 64,
            invited_by=ann,
            created_at=clock.now(),
            expires_at=clock.now() + timedelta(days=7),
        )
    )
    assert await invitations.pending("t" * 64, clock.now()) is not None
    fay = await make_user(database, "fay@example.com", clock.now())
    results = await asyncio.gather(
        *(invitations.accept("t" * 64, fay, clock.now()) for _ in range(3))
    )
    assert sum(result is not None for result in results) == 1
    assert await invitations.pending("t" * 64, clock.now()) is None


async def test_lock_members_makes_a_second_locker_wait_on_postgres(
    postgres_database: Database, clock: FakeClock
) -> None:
    """The last-owner rule relies on this lock; SQLite gets it from BEGIN IMMEDIATE."""
    store = SqlOrgStore(postgres_database)
    ann = await make_user(postgres_database, "gil@example.com", clock.now())
    org_id = await _org(store, ann, clock)
    async with sql_unit_of_work(postgres_database) as first:
        await store.lock_members(org_id, first)

        async def second_locker() -> int:
            async with sql_unit_of_work(postgres_database) as second:
                return len(await store.lock_members(org_id, second))

        waiting = asyncio.create_task(second_locker())
        deadline = time.monotonic() + 5
        while not await _someone_waits_on_a_lock(postgres_database):
            assert time.monotonic() < deadline, "the second locker never blocked"
            assert not waiting.done(), "the second locker did not wait for the first"
            await asyncio.sleep(0.01)
        assert not waiting.done()
    assert await waiting == 1


async def _someone_waits_on_a_lock(database: Database) -> bool:
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    async with database.engine.connect() as connection:
        return bool((await connection.execute(query)).scalar_one())
