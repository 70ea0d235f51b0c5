"""The JobStore contract, run on every adapter (memory, SQLite, PostgreSQL, Redis)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.ports.jobs import Claim, JobStore
from tests.conftest import FakeClock

LEASE = 30.0


async def _claim(store: JobStore, worker: str = "w1", lease: float = LEASE) -> Claim:
    claim = await store.claim_next(worker, lease)
    assert claim is not None
    return claim


async def test_enqueue_persists_a_pending_job(store: JobStore, clock: FakeClock) -> None:
    job = await store.enqueue("email.send", b'{"to":"a@b.c"}', owner_id="u1")
    stored = await store.get(job.id)
    assert stored is not None
    assert (stored.name, stored.payload, stored.state) == (
        "email.send",
        b'{"to":"a@b.c"}',
        "pending",
    )
    assert (stored.attempts, stored.owner_id, stored.created_at) == (0, "u1", clock.now())
    assert await store.get("missing") is None


async def test_enqueue_refuses_bad_arguments(store: JobStore) -> None:
    with pytest.raises(ValueError, match="priority"):
        await store.enqueue("x", priority=101)
    with pytest.raises(ValueError, match="max_attempts"):
        await store.enqueue("x", max_attempts=0)
    with pytest.raises(ValueError, match="name"):
        await store.enqueue("")


async def test_claim_hands_out_a_lease_and_a_token(store: JobStore, clock: FakeClock) -> None:
    job = await store.enqueue("a")
    claim = await _claim(store, "worker-7")
    assert claim.job.id == job.id
    assert claim.attempt == 1
    assert claim.job.state == "running"
    assert claim.job.worker_id == "worker-7"
    assert claim.job.lease_expires_at == clock.now() + timedelta(seconds=LEASE)
    assert await store.claim_next("w2", LEASE) is None
    assert await store.claim(job.id, "w2", LEASE) is None


async def test_claim_by_id_only_when_pending_and_due(store: JobStore, clock: FakeClock) -> None:
    later = await store.enqueue("a", run_at=clock.now() + timedelta(seconds=10))
    assert await store.claim(later.id, "w", LEASE) is None
    assert await store.claim("missing", "w", LEASE) is None
    clock.advance(10)
    claim = await store.claim(later.id, "w", LEASE)
    assert claim is not None
    assert claim.job.id == later.id
    assert await store.claim_next("w", LEASE) is None


async def test_priority_then_run_at_ordering(store: JobStore, clock: FakeClock) -> None:
    now = clock.now()
    low = await store.enqueue("low")
    older = await store.enqueue("older", run_at=now - timedelta(seconds=5))
    high = await store.enqueue("high", priority=10)
    future = await store.enqueue("future", priority=50, run_at=now + timedelta(seconds=60))
    order = [(await _claim(store)).job.id for _ in range(3)]
    assert order == [high.id, older.id, low.id]
    assert await store.claim_next("w", LEASE) is None
    clock.advance(60)
    assert (await _claim(store)).job.id == future.id


async def test_complete_stores_the_result(store: JobStore) -> None:
    job = await store.enqueue("a")
    claim = await _claim(store)
    assert await store.complete(job.id, claim.token, b'{"ok":true}')
    done = await store.get(job.id)
    assert done is not None
    assert (done.state, done.result, done.worker_id, done.lease_expires_at) == (
        "done",
        b'{"ok":true}',
        None,
        None,
    )
    assert not await store.complete(job.id, claim.token)


async def test_fail_retries_after_the_delay(store: JobStore, clock: FakeClock) -> None:
    job = await store.enqueue("a", max_attempts=3)
    claim = await _claim(store)
    assert await store.fail(job.id, claim.token, "boom", retry_delay=5) == "pending"
    failed = await store.get(job.id)
    assert failed is not None
    assert (failed.state, failed.attempts, failed.last_error) == ("pending", 1, "boom")
    assert await store.claim_next("w", LEASE) is None
    clock.advance(5)
    again = await _claim(store)
    assert (again.job.id, again.attempt) == (job.id, 2)


async def test_fail_dead_letters_when_told_or_when_spent(store: JobStore) -> None:
    told = await store.enqueue("told", max_attempts=5)
    claim = await _claim(store)
    assert await store.fail(told.id, claim.token, "fatal", retry_delay=None) == "dead"
    spent = await store.enqueue("spent", max_attempts=1)
    claim = await _claim(store)
    assert await store.fail(spent.id, claim.token, "x" * 5000, retry_delay=1) == "dead"
    dead = await store.get(spent.id)
    assert dead is not None
    assert dead.state == "dead"
    assert dead.last_error is not None
    assert len(dead.last_error) == 2000
    assert {job.id for job in await store.list(state="dead")} == {told.id, spent.id}


async def test_heartbeat_extends_the_lease(store: JobStore, clock: FakeClock) -> None:
    job = await store.enqueue("a")
    claim = await _claim(store, lease=10)
    clock.advance(8)
    assert await store.heartbeat(job.id, claim.token, 10)
    clock.advance(8)
    assert (await store.recover_expired()).requeued == ()
    clock.advance(3)
    recovered = await store.recover_expired()
    assert recovered.requeued == (job.id,)
    assert not await store.heartbeat(job.id, claim.token, 10)


async def test_recover_expired_keeps_the_attempt_count(store: JobStore, clock: FakeClock) -> None:
    job = await store.enqueue("a", max_attempts=3)
    await _claim(store, lease=30)
    clock.advance(29)
    assert (await store.recover_expired()).requeued == ()
    clock.advance(1)
    recovered = await store.recover_expired()
    assert (recovered.requeued, recovered.dead) == ((job.id,), ())
    back = await store.get(job.id)
    assert back is not None
    assert (back.state, back.attempts, back.worker_id) == ("pending", 1, None)
    assert (await _claim(store)).attempt == 2


async def test_orphan_at_max_attempts_goes_dead_not_pending(
    store: JobStore, clock: FakeClock
) -> None:
    job = await store.enqueue("a", max_attempts=2)
    await _claim(store, lease=5)
    clock.advance(6)
    await store.recover_expired()
    await _claim(store, lease=5)
    clock.advance(6)
    recovered = await store.recover_expired()
    assert (recovered.requeued, recovered.dead) == ((), (job.id,))
    dead = await store.get(job.id)
    assert dead is not None
    assert (dead.state, dead.attempts) == ("dead", 2)
    assert dead.last_error == "lease expired: worker lost"
    assert await store.claim_next("w", 5) is None


async def test_zombie_is_fenced_after_recovery_and_reclaim(
    store: JobStore, clock: FakeClock
) -> None:
    job = await store.enqueue("a")
    zombie = await _claim(store, "zombie", lease=5)
    clock.advance(6)
    await store.recover_expired()
    live = await _claim(store, "live", lease=5)
    assert live.token != zombie.token
    assert not await store.heartbeat(job.id, zombie.token, 5)
    assert not await store.complete(job.id, zombie.token, b'"late"')
    assert await store.fail(job.id, zombie.token, "late", retry_delay=1) is None
    assert not await store.release(job.id, zombie.token)
    running = await store.get(job.id)
    assert running is not None
    assert (running.state, running.worker_id) == ("running", "live")
    assert await store.complete(job.id, live.token, b'"ok"')
    done = await store.get(job.id)
    assert done is not None
    assert (done.state, done.attempts, done.result) == ("done", 2, b'"ok"')


async def test_release_returns_the_job_without_counting_the_attempt(store: JobStore) -> None:
    job = await store.enqueue("a")
    claim = await _claim(store)
    assert await store.release(job.id, claim.token)
    back = await store.get(job.id)
    assert back is not None
    assert (back.state, back.attempts) == ("pending", 0)
    assert (await _claim(store)).attempt == 1


async def test_dedup_key_is_a_no_op_while_the_first_is_live(store: JobStore) -> None:
    first = await store.enqueue("a", dedup_key="k")
    for _ in range(8):  # past PostgreSQL's switch to generic plans for prepared statements
        assert (await store.enqueue("a", dedup_key="k")).id == first.id
    claim = await _claim(store)
    assert (await store.enqueue("a", dedup_key="k")).id == first.id
    assert await store.complete(first.id, claim.token)
    second = await store.enqueue("a", dedup_key="k")
    assert second.id != first.id
    other = await store.enqueue("a", dedup_key="other")
    assert other.id not in (first.id, second.id)


async def test_retry_dead_puts_a_dead_letter_back(store: JobStore) -> None:
    job = await store.enqueue("a", max_attempts=1)
    claim = await _claim(store)
    assert await store.fail(job.id, claim.token, "boom", retry_delay=1) == "dead"
    assert await store.retry_dead(job.id)
    back = await store.get(job.id)
    assert back is not None
    assert (back.state, back.attempts) == ("pending", 0)
    assert not await store.retry_dead(job.id)
    assert not await store.retry_dead("missing")
    assert (await _claim(store)).job.id == job.id


async def test_retry_dead_refuses_when_a_live_job_holds_the_dedup_key(store: JobStore) -> None:
    job = await store.enqueue("a", max_attempts=1, dedup_key="k")
    claim = await _claim(store)
    await store.fail(job.id, claim.token, "boom", retry_delay=None)
    holder = await store.enqueue("a", dedup_key="k")
    assert holder.id != job.id
    assert not await store.retry_dead(job.id)
    dead = await store.get(job.id)
    assert dead is not None
    assert dead.state == "dead"


async def test_list_by_state_and_owner(store: JobStore, clock: FakeClock) -> None:
    mine = [await store.enqueue("a", owner_id="me") for _ in range(3)]
    theirs = await store.enqueue("a", owner_id="them")
    claim = await store.claim(mine[0].id, "w", LEASE)
    assert claim is not None
    assert {job.id for job in await store.list(owner_id="me")} == {job.id for job in mine}
    assert [job.id for job in await store.list(state="running")] == [mine[0].id]
    assert {job.id for job in await store.list(state="pending", owner_id="me")} == {
        mine[1].id,
        mine[2].id,
    }
    assert len(await store.list()) == 4
    assert len(await store.list(limit=2)) == 2
    assert [job.id for job in await store.list(owner_id="them")] == [theirs.id]


async def test_purge_finished_keeps_dead_letters(store: JobStore, clock: FakeClock) -> None:
    done = await store.enqueue("a")
    claim = await _claim(store)
    await store.complete(done.id, claim.token)
    dead = await store.enqueue("b", max_attempts=1)
    claim = await _claim(store)
    await store.fail(dead.id, claim.token, "x", retry_delay=None)
    assert await store.purge_finished(clock.now()) == 0
    clock.advance(10)
    assert await store.purge_finished(clock.now()) == 1
    assert await store.get(done.id) is None
    assert await store.get(dead.id) is not None


async def test_ping(store: JobStore) -> None:
    await store.ping()
    assert store.adapter in ("memory", "sqlite", "postgres", "redis")
