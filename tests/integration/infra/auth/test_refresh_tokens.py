"""Refresh families on SQLite and PostgreSQL: rotation, reuse detection, real races."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from common.ids import new_id
from infra.auth import SqlRefreshTokenStore
from infra.db.engine import Database
from modules.auth.models import NewFamily, NewRefreshToken, RotationOutcome
from tests.conftest import FakeClock
from tests.integration.infra.auth._helpers import make_user

TTL = timedelta(days=30)


def token(name: str, clock: FakeClock) -> NewRefreshToken:
    now = clock.now()
    return NewRefreshToken(token_hash=name.ljust(64, "0"), issued_at=now, expires_at=now + TTL)


async def start(store: SqlRefreshTokenStore, user_id: str, clock: FakeClock, first: str) -> str:
    family_id = new_id()
    await store.start(
        NewFamily(
            id=family_id,
            user_id=user_id,
            created_at=clock.now(),
            ip="203.0.113.9",
            user_agent="test",
            amr=("pwd",),
        ),
        token(first, clock),
    )
    return family_id


async def test_rotate_spends_the_token_and_chains_the_family(
    database: Database, clock: FakeClock
) -> None:
    store = SqlRefreshTokenStore(database)
    user_id = await make_user(database, "ann@example.com", clock.now())
    family_id = await start(store, user_id, clock, "a")
    clock.advance(60)
    rotated = await store.rotate(
        token("a", clock).token_hash,
        token("b", clock),
        now=clock.now(),
        ip="198.51.100.1",
        user_agent="ua2",
    )
    assert rotated.outcome is RotationOutcome.ROTATED
    assert rotated.session is not None
    assert (rotated.session.id, rotated.session.ip, rotated.session.amr) == (
        family_id,
        "198.51.100.1",
        ("pwd",),
    )
    assert rotated.session.last_used_at == clock.now()
    chained = await store.rotate(
        token("b", clock).token_hash, token("c", clock), now=clock.now(), ip=None, user_agent=None
    )
    assert chained.outcome is RotationOutcome.ROTATED


async def test_a_spent_token_presented_again_revokes_the_family(
    database: Database, clock: FakeClock
) -> None:
    store = SqlRefreshTokenStore(database)
    user_id = await make_user(database, "bob@example.com", clock.now())
    family_id = await start(store, user_id, clock, "a")
    now = clock.now()
    await store.rotate(
        token("a", clock).token_hash, token("b", clock), now=now, ip=None, user_agent=None
    )
    reused = await store.rotate(
        token("a", clock).token_hash, token("x", clock), now=now, ip=None, user_agent=None
    )
    assert reused.outcome is RotationOutcome.REUSED
    assert reused.session is not None
    assert reused.session.user_id == user_id
    family = await store.get(family_id)
    assert family is not None
    assert family.revoked_at == now
    after = await store.rotate(
        token("b", clock).token_hash, token("y", clock), now=now, ip=None, user_agent=None
    )
    assert after.outcome is RotationOutcome.INVALID
    assert await store.active(user_id, now) == []


async def test_unknown_and_expired_tokens_are_invalid(database: Database, clock: FakeClock) -> None:
    store = SqlRefreshTokenStore(database)
    user_id = await make_user(database, "cat@example.com", clock.now())
    await start(store, user_id, clock, "a")
    unknown = await store.rotate(
        "f" * 64, token("b", clock), now=clock.now(), ip=None, user_agent=None
    )
    assert unknown.outcome is RotationOutcome.INVALID
    clock.advance(TTL.total_seconds() + 1)
    expired = await store.rotate(
        token("a", clock).token_hash, token("b", clock), now=clock.now(), ip=None, user_agent=None
    )
    assert expired.outcome is RotationOutcome.INVALID


@pytest.mark.parametrize("racers", [2, 5])
async def test_concurrent_rotations_of_one_token_one_wins_and_the_family_is_revoked(
    database: Database, clock: FakeClock, racers: int
) -> None:
    store = SqlRefreshTokenStore(database)
    user_id = await make_user(database, "dan@example.com", clock.now())
    family_id = await start(store, user_id, clock, "a")
    now = clock.now()
    results = await asyncio.gather(
        *(
            store.rotate(
                token("a", clock).token_hash,
                token(f"n{i}", clock),
                now=now,
                ip=None,
                user_agent=None,
            )
            for i in range(racers)
        )
    )
    outcomes = sorted(result.outcome.value for result in results)
    assert outcomes == ["reused"] * (racers - 1) + ["rotated"]
    family = await store.get(family_id)
    assert family is not None
    assert family.revoked_at is not None
    (winner,) = [i for i, result in enumerate(results) if result.outcome is RotationOutcome.ROTATED]
    dead = await store.rotate(
        token(f"n{winner}", clock).token_hash, token("z", clock), now=now, ip=None, user_agent=None
    )
    assert dead.outcome is RotationOutcome.INVALID


async def test_sessions_list_revoke_and_step_up(database: Database, clock: FakeClock) -> None:
    store = SqlRefreshTokenStore(database)
    ann = await make_user(database, "eve@example.com", clock.now())
    bob = await make_user(database, "fay@example.com", clock.now())
    first = await start(store, ann, clock, "a")
    clock.advance(1)
    second = await start(store, ann, clock, "b")
    bobs = await start(store, bob, clock, "c")
    assert [s.id for s in await store.active(ann, clock.now())] == [second, first]

    assert await store.revoke(bobs, reason="x", at=clock.now(), user_id=ann) is None
    assert await store.revoke(first, reason="x", at=clock.now(), user_id=ann) is not None
    assert await store.revoke(first, reason="x", at=clock.now(), user_id=ann) is None

    stepped = await store.step_up(
        second, ann, token("d", clock), amr=("pwd", "otp"), mfa_at=clock.now()
    )
    assert stepped is not None
    assert (stepped.amr, stepped.mfa_at) == (("pwd", "otp"), clock.now())
    old = await store.rotate(
        token("b", clock).token_hash, token("e", clock), now=clock.now(), ip=None, user_agent=None
    )
    assert old.outcome is RotationOutcome.REUSED
    assert (
        await store.step_up(second, ann, token("f", clock), amr=("pwd",), mfa_at=clock.now())
        is None
    )

    assert await store.revoke_all(bob, reason="password-reset", at=clock.now()) == 1
    assert await store.revoke_all(bob, reason="password-reset", at=clock.now()) == 0
    assert (
        await store.revoke_by_token(token("c", clock).token_hash, reason="logout", at=clock.now())
        is None
    )
    assert await store.revoke_by_token("0" * 64, reason="logout", at=clock.now()) is None
