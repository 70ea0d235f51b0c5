from __future__ import annotations

from background.jobs import JobContext
from background.jobs.maintenance import CleanupPayload, cleanup_handler
from infra.jobs import MemoryJobStore
from tests.conftest import FakeClock


class CountingPurger:
    def __init__(self, purged: int) -> None:
        self.purged = purged
        self.calls = 0

    async def purge_expired(self) -> int:
        self.calls += 1
        return self.purged


async def test_cleanup_purges_expired_rows_and_old_finished_jobs(clock: FakeClock) -> None:
    store = MemoryJobStore(clock)
    old = await store.enqueue("a")
    claim = await store.claim_next("w", 30)
    assert claim is not None
    await store.complete(old.id, claim.token)
    clock.advance(8 * 24 * 3600)
    recent = await store.enqueue("b")
    kv = CountingPurger(3)
    handler = cleanup_handler(store, {"kv": kv}, clock)
    context = JobContext("j", "maintenance.cleanup", 1, 3, None, clock.now())
    result = await handler(CleanupPayload(), context)
    assert result.purged == {"kv": 3, "jobs": 1}
    assert kv.calls == 1
    assert await store.get(old.id) is None
    assert await store.get(recent.id) is not None
