from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from background.jobs import PeriodicJob, Scheduler
from background.jobs.maintenance import nightly_cleanup
from infra.jobs import MemoryJobStore
from tests.conftest import FakeClock


@given(
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    every=st.integers(1, 86400),
    offset=st.integers(0, 3600),
)
def test_next_tick_is_the_first_boundary_after_now(
    moment: datetime, every: int, offset: int
) -> None:
    tick = PeriodicJob("x", every_seconds=every, offset_seconds=offset).next_tick(moment)
    assert moment < tick <= moment + timedelta(seconds=every)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert round((tick - epoch).total_seconds() - offset) % every == 0


def test_nightly_cleanup_runs_at_three_utc() -> None:
    tick = nightly_cleanup().next_tick(datetime(2026, 3, 4, 12, 0, tzinfo=UTC))
    assert tick == datetime(2026, 3, 5, 3, 0, tzinfo=UTC)


async def test_many_schedulers_enqueue_each_tick_once_and_it_runs_once(clock: FakeClock) -> None:
    store = MemoryJobStore(clock)
    periodic = [PeriodicJob("report", every_seconds=60)]
    schedulers = [Scheduler(store, periodic, clock) for _ in range(5)]
    runs: list[datetime] = []
    for _ in range(10):
        for scheduler in schedulers:
            await scheduler.tick()
        clock.advance(20)
        for scheduler in schedulers:
            await scheduler.tick()
            claim = await store.claim_next("w", 30)
            if claim is not None:
                runs.append(claim.job.run_at)
                assert await store.complete(claim.job.id, claim.token)
    assert len(runs) == len(set(runs))
    assert all(run.second == 0 for run in runs)
    assert len(runs) >= 3
    ticks = {job.run_at for job in await store.list(limit=1000)}
    assert len(ticks) == len(await store.list(limit=1000))
