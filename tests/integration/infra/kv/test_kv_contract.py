"""The KeyValueStore contract, run against memory, SQLite, PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import itertools
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.infra.kv.conftest import KvHarness, eventually


async def test_adapter_names_itself(kv: KvHarness) -> None:
    assert kv.store.adapter == kv.name
    await kv.store.ping()


async def test_get_of_a_missing_key_is_none(kv: KvHarness) -> None:
    assert await kv.store.get("missing") is None


@pytest.mark.parametrize("value", ["v", "", "ünïcødé ✓", "x" * 2000])
async def test_set_then_get(kv: KvHarness, value: str) -> None:
    await kv.store.set("k", value)

    assert await kv.store.get("k") == value
    assert await kv.store.get("other") is None


async def test_set_overwrites(kv: KvHarness) -> None:
    await kv.store.set("k", "one")
    await kv.store.set("k", "two")

    assert await kv.store.get("k") == "two"


async def test_set_with_ttl_expires(kv: KvHarness) -> None:
    await kv.store.set("k", "v", ttl_seconds=kv.ttl)
    await kv.store.set("forever", "v")
    assert await kv.store.get("k") == "v"

    await kv.let_expire("k")

    assert await kv.store.get("forever") == "v"


async def test_set_if_absent_claims_once(kv: KvHarness) -> None:
    assert await kv.store.set_if_absent("k", "first") is True
    assert await kv.store.set_if_absent("k", "second") is False

    assert await kv.store.get("k") == "first"


async def test_set_if_absent_over_an_expired_key_claims_it(kv: KvHarness) -> None:
    assert await kv.store.set_if_absent("k", "old", ttl_seconds=kv.ttl) is True
    await kv.let_expire("k")

    assert await kv.store.set_if_absent("k", "new") is True
    assert await kv.store.get("k") == "new"
    assert await kv.store.set_if_absent("k", "newer") is False


async def test_set_if_absent_does_not_claim_over_a_plain_set(kv: KvHarness) -> None:
    await kv.store.set("k", "held", ttl_seconds=kv.ttl * 100)

    assert await kv.store.set_if_absent("k", "thief") is False
    assert await kv.store.get("k") == "held"


async def test_incr_starts_at_the_amount_and_accumulates(kv: KvHarness) -> None:
    assert await kv.store.incr("n") == 1
    assert await kv.store.incr("n") == 2
    assert await kv.store.incr("n", 10) == 12
    assert await kv.store.incr("n", -5) == 7
    assert await kv.store.get("n") == "7"
    assert await kv.store.incr("m", 3) == 3


async def test_incr_continues_a_numeric_value_set_earlier(kv: KvHarness) -> None:
    await kv.store.set("n", "40")

    assert await kv.store.incr("n", 2) == 42


async def test_incr_window_expires_and_restarts(kv: KvHarness) -> None:
    assert await kv.store.incr("hits", ttl_seconds=kv.ttl) == 1
    assert await kv.store.incr("hits", ttl_seconds=kv.ttl) == 2

    await kv.let_expire("hits")

    assert await kv.store.incr("hits", ttl_seconds=kv.ttl) == 1


async def test_incr_window_is_fixed_not_sliding(kv: KvHarness) -> None:
    """Incrementing all the time never extends the window: the count resets regardless."""
    assert await kv.store.incr("hits", ttl_seconds=kv.ttl) == 1
    previous = 1

    async def restarted() -> bool:
        nonlocal previous
        if kv.clock is not None:
            kv.clock.advance(kv.ttl / 10)
        total = await kv.store.incr("hits", ttl_seconds=kv.ttl)
        if total == 1:
            return True
        assert total == previous + 1
        previous = total
        return False

    await eventually(restarted, what="window reset")
    if kv.clock is not None:
        # Ten steps of ttl/10: the reset lands exactly when the first window ends.
        assert previous == 10


async def test_delete(kv: KvHarness) -> None:
    await kv.store.set("k", "v")
    await kv.store.set("keep", "v")

    await kv.store.delete("k")
    await kv.store.delete("never-existed")

    assert await kv.store.get("k") is None
    assert await kv.store.get("keep") == "v"
    assert await kv.store.set_if_absent("k", "again") is True
    await kv.store.delete("keep")
    assert await kv.store.incr("keep") == 1


async def test_concurrent_incr_loses_no_update(kv: KvHarness) -> None:
    totals = await asyncio.gather(*(kv.store.incr("n") for _ in range(50)))

    assert sorted(totals) == list(range(1, 51))
    assert await kv.store.get("n") == "50"


async def test_concurrent_set_if_absent_has_one_winner(kv: KvHarness) -> None:
    values = [f"claimant-{n}" for n in range(50)]

    won = await asyncio.gather(*(kv.store.set_if_absent("lock", value) for value in values))

    assert won.count(True) == 1
    assert await kv.store.get("lock") == values[won.index(True)]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(amounts=st.lists(st.integers(min_value=-1000, max_value=1000), min_size=1, max_size=12))
async def test_incr_totals_are_the_running_sums(kv: KvHarness, amounts: list[int]) -> None:
    key = f"sum-{uuid.uuid4().hex}"

    totals = [await kv.store.incr(key, amount) for amount in amounts]

    assert totals == list(itertools.accumulate(amounts))
    assert await kv.store.get(key) == str(sum(amounts))


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(amounts=st.lists(st.integers(min_value=1, max_value=50), min_size=2, max_size=12))
async def test_concurrent_incr_total_is_the_sum(kv: KvHarness, amounts: list[int]) -> None:
    key = f"sum-{uuid.uuid4().hex}"

    totals = await asyncio.gather(*(kv.store.incr(key, amount) for amount in amounts))

    assert max(totals) == sum(amounts)
    assert len(set(totals)) == len(amounts)
    assert await kv.store.get(key) == str(sum(amounts))


# --- exact time, where the test owns the clock ------------------------------------------------


async def test_entry_lives_until_its_ttl_and_not_a_moment_longer(clocked_kv: KvHarness) -> None:
    clock = clocked_kv.clock
    assert clock is not None
    await clocked_kv.store.set("k", "v", ttl_seconds=10)

    clock.advance(9.999)
    assert await clocked_kv.store.get("k") == "v"
    clock.advance(0.001)
    assert await clocked_kv.store.get("k") is None


async def test_set_without_ttl_clears_an_earlier_ttl(clocked_kv: KvHarness) -> None:
    clock = clocked_kv.clock
    assert clock is not None
    await clocked_kv.store.set("k", "temp", ttl_seconds=10)
    await clocked_kv.store.set("k", "kept")

    clock.advance(3600)

    assert await clocked_kv.store.get("k") == "kept"


async def test_incr_keeps_the_window_of_the_first_increment(clocked_kv: KvHarness) -> None:
    clock = clocked_kv.clock
    assert clock is not None
    assert await clocked_kv.store.incr("n", ttl_seconds=10) == 1
    clock.advance(6)
    assert await clocked_kv.store.incr("n", ttl_seconds=10) == 2

    clock.advance(4)

    assert await clocked_kv.store.get("n") is None
    assert await clocked_kv.store.incr("n", ttl_seconds=10) == 1
    clock.advance(9.9)
    assert await clocked_kv.store.incr("n", ttl_seconds=10) == 2


async def test_claim_over_an_expired_key_takes_the_new_ttl(clocked_kv: KvHarness) -> None:
    clock = clocked_kv.clock
    assert clock is not None
    await clocked_kv.store.set_if_absent("lock", "a", ttl_seconds=5)
    clock.advance(5)

    assert await clocked_kv.store.set_if_absent("lock", "b", ttl_seconds=30) is True
    clock.advance(29)
    assert await clocked_kv.store.get("lock") == "b"
    clock.advance(1)
    assert await clocked_kv.store.get("lock") is None


async def test_incr_on_a_key_without_expiry_adds_none(clocked_kv: KvHarness) -> None:
    clock = clocked_kv.clock
    assert clock is not None
    await clocked_kv.store.set("n", "5")

    assert await clocked_kv.store.incr("n", ttl_seconds=10) == 6
    clock.advance(3600)
    assert await clocked_kv.store.get("n") == "6"
