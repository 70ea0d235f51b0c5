"""Hypothesis: for any sequence of reserve/settle/release/expire (and time passing), every window
keeps 0 <= used, 0 <= reserved, used + reserved <= limit, and `used` is exactly the sum of the
first charge of each settled reservation (a retried settle never double-counts)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from common.ids import new_id
from core.ports.budget import BudgetStore, BudgetWindow, ReservationRefusedError
from infra.budget import MemoryBudgetStore, RedisBudgetStore, SqlBudgetStore
from infra.db.engine import create_database
from tests.conftest import FakeClock

LIMITS = (100, 150, 80)
HOLD = 60.0
RESERVATIONS = 6


@dataclass(frozen=True)
class Reserve:
    rid: int
    amount: int
    mask: int
    partial: bool


@dataclass(frozen=True)
class Settle:
    rid: int
    used: int


@dataclass(frozen=True)
class Release:
    rid: int


@dataclass(frozen=True)
class Advance:
    seconds: int


@dataclass(frozen=True)
class Expire:
    pass


Op = Reserve | Settle | Release | Advance | Expire
rids = st.integers(0, RESERVATIONS - 1)
operations = st.lists(
    st.one_of(
        st.builds(Reserve, rids, st.integers(1, 70), st.integers(1, 7), st.booleans()),
        st.builds(Settle, rids, st.integers(0, 90)),
        st.builds(Release, rids),
        st.builds(Advance, st.integers(0, 50)),
        st.builds(Expire),
    ),
    max_size=30,
)


async def check_sequence(store: BudgetStore, clock: FakeClock, ops: list[Op]) -> None:
    run = new_id()
    windows = [
        BudgetWindow(key=f"{run}:w{i}", limit=limit, resets_at=clock.now() + timedelta(days=1))
        for i, limit in enumerate(LIMITS)
    ]
    covering: dict[int, list[int]] = {}
    charged: dict[int, int] = {}
    for op in ops:
        match op:
            case Reserve(rid, amount, mask, partial):
                chosen = [i for i in range(len(windows)) if mask & (1 << i)]
                try:
                    await store.reserve(
                        f"{run}:{rid}",
                        [windows[i] for i in chosen],
                        amount,
                        hold_seconds=HOLD,
                        min_amount=1 if partial else None,
                    )
                    covering.setdefault(rid, chosen)
                except ReservationRefusedError:
                    pass
            case Settle(rid, used):
                charge = await store.settle(f"{run}:{rid}", used)
                if rid in charged:
                    assert charge == charged[rid]
                elif charge:
                    charged[rid] = charge
            case Release(rid):
                await store.release(f"{run}:{rid}")
            case Advance(seconds):
                clock.advance(seconds)
            case Expire():
                await store.expire()

        for index, usage in enumerate(await store.usage(windows)):
            assert usage.used >= 0
            assert usage.reserved >= 0
            assert usage.used + usage.reserved <= usage.window.limit
            expected = sum(c for rid, c in charged.items() if index in covering.get(rid, []))
            assert usage.used == expected


async def with_store(adapter: str, url: str, prefix: str, ops: list[Op]) -> None:
    clock = FakeClock()
    if adapter == "memory":
        await check_sequence(MemoryBudgetStore(clock), clock, ops)
    elif adapter == "redis":
        client = Redis.from_url(url)
        try:
            await check_sequence(RedisBudgetStore(client, clock, prefix), clock, ops)
        finally:
            await client.aclose()
    else:
        database = create_database(url)
        try:
            await check_sequence(SqlBudgetStore(database, clock), clock, ops)
        finally:
            await database.dispose()


@pytest.fixture(params=["memory", "sqlite", "postgres", "redis"])
def invariant_backend(request: pytest.FixtureRequest) -> tuple[str, str, str]:
    adapter: str = request.param
    if adapter == "redis":
        request.getfixturevalue("redis_client")
        return (
            adapter,
            request.getfixturevalue("redis_url"),
            request.getfixturevalue("redis_prefix"),
        )
    if adapter == "sqlite":
        return adapter, request.getfixturevalue("sqlite_url"), ""
    if adapter == "postgres":
        return adapter, request.getfixturevalue("postgres_server").url, ""
    return adapter, "", ""


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_windows_never_overflow_nor_go_negative(
    invariant_backend: tuple[str, str, str], ops: list[Op]
) -> None:
    adapter, url, prefix = invariant_backend
    asyncio.run(with_store(adapter, url, prefix, ops))
