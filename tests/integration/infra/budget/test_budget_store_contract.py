"""The BudgetStore contract, run against every adapter."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from common.ids import new_id
from core.ports.budget import BudgetStore, BudgetWindow, ReservationRefusedError
from tests.conftest import FakeClock
from tests.integration.infra.budget.conftest import OpenStore

HOLD = 60.0


def window(clock: FakeClock, name: str, limit: int, hours: float = 1) -> BudgetWindow:
    return BudgetWindow(
        key=f"test:{name}", limit=limit, resets_at=clock.now() + timedelta(hours=hours)
    )


async def used_and_reserved(store: BudgetStore, *windows: BudgetWindow) -> list[tuple[int, int]]:
    return [(u.used, u.reserved) for u in await store.usage(windows)]


async def test_reserve_holds_the_amount_in_every_window(
    budget_store: BudgetStore, clock: FakeClock
) -> None:
    hour, day = window(clock, "hour", 100), window(clock, "day", 1000, hours=24)

    granted = await budget_store.reserve("r1", [hour, day], 40, hold_seconds=HOLD)

    assert granted == 40
    assert await used_and_reserved(budget_store, hour, day) == [(0, 40), (0, 40)]


async def test_a_reservation_that_does_not_fit_holds_nothing_anywhere(
    budget_store: BudgetStore, clock: FakeClock
) -> None:
    roomy, tight = window(clock, "roomy", 1000), window(clock, "tight", 50, hours=24)
    await budget_store.reserve("first", [tight], 30, hold_seconds=HOLD)

    with pytest.raises(ReservationRefusedError) as refused:
        await budget_store.reserve("second", [roomy, tight], 30, hold_seconds=HOLD)

    assert refused.value.window.key == tight.key
    assert refused.value.available == 20
    assert await used_and_reserved(budget_store, roomy, tight) == [(0, 0), (0, 30)]


async def test_a_refusal_names_the_short_window_that_resets_last(
    budget_store: BudgetStore, clock: FakeClock
) -> None:
    hour, day = window(clock, "hour", 10), window(clock, "day", 10, hours=24)

    with pytest.raises(ReservationRefusedError) as refused:
        await budget_store.reserve("r", [hour, day], 11, hold_seconds=HOLD)

    assert refused.value.window == day


async def test_min_amount_holds_what_is_left_when_it_is_enough(
    budget_store: BudgetStore, clock: FakeClock
) -> None:
    w = window(clock, "w", 100)
    await budget_store.reserve("a", [w], 70, hold_seconds=HOLD)

    granted = await budget_store.reserve("b", [w], 50, hold_seconds=HOLD, min_amount=20)
    assert granted == 30
    with pytest.raises(ReservationRefusedError):
        await budget_store.reserve("c", [w], 50, hold_seconds=HOLD, min_amount=1)


async def test_settle_charges_what_was_used_and_frees_the_rest(
    budget_store: BudgetStore, clock: FakeClock
) -> None:
    w = window(clock, "w", 100)
    await budget_store.reserve("r", [w], 60, hold_seconds=HOLD)

    assert await budget_store.settle("r", 25) == 25
    assert await used_and_reserved(budget_store, w) == [(25, 0)]


async def test_settle_is_idempotent_per_reservation(
    budget_store: BudgetStore, clock: FakeClock
) -> None:
    w = window(clock, "w", 100)
    await budget_store.reserve("r", [w], 60, hold_seconds=HOLD)
    await budget_store.settle("r", 25)

    assert await budget_store.settle("r", 50) == 25
    assert await budget_store.settle("r", 25) == 25
    assert await used_and_reserved(budget_store, w) == [(25, 0)]


async def test_settle_never_charges_more_than_was_held(
    budget_store: BudgetStore, clock: FakeClock
) -> None:
    w = window(clock, "w", 100)
    await budget_store.reserve("r", [w], 30, hold_seconds=HOLD)

    assert await budget_store.settle("r", 500) == 30
    assert await budget_store.settle("unknown", 10) == 0
    assert await used_and_reserved(budget_store, w) == [(30, 0)]


async def test_release_frees_the_hold_once(budget_store: BudgetStore, clock: FakeClock) -> None:
    w = window(clock, "w", 100)
    await budget_store.reserve("r", [w], 60, hold_seconds=HOLD)

    assert await budget_store.release("r") is True
    assert await budget_store.release("r") is False
    assert await budget_store.settle("r", 10) == 0
    assert await used_and_reserved(budget_store, w) == [(0, 0)]


async def test_reserving_the_same_id_twice_holds_once(
    budget_store: BudgetStore, clock: FakeClock
) -> None:
    w = window(clock, "w", 100)
    assert await budget_store.reserve("r", [w], 40, hold_seconds=HOLD) == 40
    assert await budget_store.reserve("r", [w], 40, hold_seconds=HOLD) == 40

    assert await used_and_reserved(budget_store, w) == [(0, 40)]


async def test_a_hold_left_by_a_dead_process_lapses(
    budget_store: BudgetStore, clock: FakeClock
) -> None:
    w = window(clock, "w", 100)
    await budget_store.reserve("crashed", [w], 90, hold_seconds=HOLD)
    with pytest.raises(ReservationRefusedError):
        await budget_store.reserve("blocked", [w], 20, hold_seconds=HOLD)

    clock.advance(HOLD + 1)

    assert await used_and_reserved(budget_store, w) == [(0, 0)]
    assert await budget_store.reserve("after", [w], 20, hold_seconds=HOLD) == 20
    assert await budget_store.expire() == 1
    assert await budget_store.release("crashed") is False


async def test_expire_sweeps_only_lapsed_holds(budget_store: BudgetStore, clock: FakeClock) -> None:
    w = window(clock, "w", 1000)
    await budget_store.reserve("old", [w], 10, hold_seconds=10)
    await budget_store.reserve("young", [w], 20, hold_seconds=100)
    clock.advance(11)

    assert await budget_store.expire() == 1
    assert await budget_store.expire() == 0
    assert await used_and_reserved(budget_store, w) == [(0, 20)]
    assert await budget_store.release("young") is True


async def test_a_late_settle_charges_only_what_still_fits(
    budget_store: BudgetStore, clock: FakeClock
) -> None:
    w = window(clock, "w", 100)
    await budget_store.reserve("slow", [w], 60, hold_seconds=10)
    clock.advance(11)
    await budget_store.reserve("other", [w], 80, hold_seconds=HOLD)

    assert await budget_store.settle("slow", 50) == 20
    assert await used_and_reserved(budget_store, w) == [(20, 80)]


async def test_concurrent_reservations_never_overbook(
    budget_store: BudgetStore, clock: FakeClock
) -> None:
    w = window(clock, "w", 100)

    async def attempt() -> int:
        try:
            return await budget_store.reserve(new_id(), [w], 10, hold_seconds=HOLD)
        except ReservationRefusedError:
            return 0

    granted = await asyncio.gather(*(attempt() for _ in range(40)))

    assert sorted(granted, reverse=True)[:11] == [10] * 10 + [0]
    assert await used_and_reserved(budget_store, w) == [(0, 100)]


@pytest.mark.parametrize("budget_backend", ["sqlite", "postgres", "redis"], indirect=True)
async def test_spent_budget_survives_a_restart(
    open_budget_store: OpenStore, clock: FakeClock
) -> None:
    w = window(clock, "w", 100)
    before = open_budget_store()
    await before.reserve("spent", [w], 70, hold_seconds=HOLD)
    await before.settle("spent", 70)
    await before.reserve("held", [w], 20, hold_seconds=HOLD)

    after = open_budget_store()

    assert await used_and_reserved(after, w) == [(70, 20)]
    with pytest.raises(ReservationRefusedError):
        await after.reserve("more", [w], 11, hold_seconds=HOLD)
    assert await after.settle("spent", 70) == 70
    assert await used_and_reserved(after, w) == [(70, 20)]


async def test_usage_of_unknown_windows_is_zero(
    budget_store: BudgetStore, clock: FakeClock
) -> None:
    assert await used_and_reserved(budget_store, window(clock, "nothing", 5)) == [(0, 0)]
    await budget_store.ping()


async def test_nonsense_reservations_are_refused(
    budget_store: BudgetStore, clock: FakeClock
) -> None:
    w = window(clock, "w", 100)
    with pytest.raises(ValueError, match="positive"):
        await budget_store.reserve("r", [w], 0, hold_seconds=HOLD)
    with pytest.raises(ValueError, match="window"):
        await budget_store.reserve("r", [], 5, hold_seconds=HOLD)
    with pytest.raises(ValueError, match="distinct"):
        await budget_store.reserve("r", [w, w], 5, hold_seconds=HOLD)
    with pytest.raises(ValueError, match="min_amount"):
        await budget_store.reserve("r", [w], 5, hold_seconds=HOLD, min_amount=6)
