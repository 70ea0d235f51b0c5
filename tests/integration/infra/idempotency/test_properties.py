"""Property: for any interleaving of claim/complete/release/expiry, at most one holder exists.

A model of the key (who holds it, until when, with which response) runs beside the real
store; every answer of the store must agree with the model. Callers are abstract actors; time
moves only by the injected clock, so a lapsed lease is a rule like any other.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from redis.asyncio import Redis

from core.ports.idempotency import ClaimStatus, IdempotencyStore
from infra.db.engine import create_database
from infra.idempotency import MemoryIdempotencyStore, RedisIdempotencyStore, SqlIdempotencyStore
from tests.conftest import FakeClock
from tests.integration.infra.idempotency.conftest import ADAPTERS

T = TypeVar("T")
TTL = 100.0
LEASE = 10.0
ACTORS = range(4)
FINGERPRINTS = ("fp-a", "fp-b")


@dataclass
class _Record:
    fingerprint: str
    token: str
    completed: bool
    response: bytes | None
    expires_at: float


class _Harness:
    """One event loop, one clock and one store shared by every generated example."""

    def __init__(self, store: IdempotencyStore, clock: FakeClock, loop: asyncio.AbstractEventLoop):
        self.store, self.clock, self.loop = store, clock, loop

    def run(self, awaitable: Awaitable[T]) -> T:
        return self.loop.run_until_complete(awaitable)


class IdempotencyMachine(RuleBasedStateMachine):
    harness: _Harness

    def __init__(self) -> None:
        super().__init__()
        self.key = uuid.uuid4().hex
        self.record: _Record | None = None
        self.tokens: dict[int, str] = {}
        self.responses = 0

    @property
    def now(self) -> float:
        return self.harness.clock.monotonic()

    def _live(self) -> _Record | None:
        if self.record is not None and self.record.expires_at <= self.now:
            return None
        return self.record

    @rule(actor=st.sampled_from(ACTORS), fingerprint=st.sampled_from(FINGERPRINTS))
    def claim(self, actor: int, fingerprint: str) -> None:
        claim = self.harness.run(self.harness.store.try_claim(self.key, fingerprint, TTL, LEASE))
        live = self._live()
        if live is None:
            assert claim.status is ClaimStatus.CLAIMED
            assert claim.token is not None
            self.record = _Record(fingerprint, claim.token, False, None, self.now + LEASE)
            self.tokens[actor] = claim.token
        elif live.fingerprint != fingerprint:
            assert claim.status is ClaimStatus.MISMATCH
        elif live.completed:
            assert claim.status is ClaimStatus.COMPLETED
            assert claim.response == live.response
        else:
            assert claim.status is ClaimStatus.IN_FLIGHT
            assert claim.retry_after == pytest.approx(live.expires_at - self.now, abs=0.01)

    def _holds(self, actor: int) -> bool | None:
        """True/False when the model is sure whether `actor` holds the key, None when either
        answer is allowed (its lease lapsed but nobody took the key over yet)."""
        token = self.tokens.get(actor)
        if token is None or self.record is None or self.record.token != token:
            return False
        if self.record.completed:
            return False
        return True if self._live() is not None else None

    @rule(actor=st.sampled_from(ACTORS))
    def complete(self, actor: int) -> None:
        token = self.tokens.get(actor, "never-claimed")
        self.responses += 1
        response = f"response-{self.responses}".encode()
        expected = self._holds(actor)
        done = self.harness.run(self.harness.store.complete(self.key, response, token=token))
        assert expected is None or done is expected
        if done:
            assert self.record is not None
            self.record.completed, self.record.response = True, response
            self.record.expires_at = self.now + TTL

    @rule(actor=st.sampled_from(ACTORS))
    def release(self, actor: int) -> None:
        token = self.tokens.get(actor, "never-claimed")
        expected = self._holds(actor)
        released = self.harness.run(self.harness.store.release(self.key, token=token))
        assert expected is None or released is expected
        if released:
            self.record = None

    @rule(seconds=st.sampled_from([1.0, LEASE - 1, LEASE, TTL]))
    def advance(self, seconds: float) -> None:
        self.harness.clock.advance(seconds)

    @rule()
    def read(self) -> None:
        record = self.harness.run(self.harness.store.get(self.key))
        live = self._live()
        if live is None:
            assert record is None
            return
        assert record is not None
        assert (record.fingerprint, record.completed, record.response) == (
            live.fingerprint,
            live.completed,
            live.response,
        )

    @invariant()
    def at_most_one_holder(self) -> None:
        holders = [actor for actor in ACTORS if self._holds(actor)]
        assert len(holders) <= 1


@pytest.fixture
def harness(request: pytest.FixtureRequest) -> Iterator[_Harness]:
    kind: str = request.param
    loop = asyncio.new_event_loop()
    clock = FakeClock()
    store: IdempotencyStore
    close: Callable[[], Awaitable[Any]] | None = None
    if kind == "memory":
        store = MemoryIdempotencyStore(clock)
    elif kind == "redis":
        client = Redis.from_url(request.getfixturevalue("redis_url"))
        prefix = f"bulkhead-test:{uuid.uuid4().hex[:12]}:"
        store = RedisIdempotencyStore(client, clock, prefix)
        close = client.aclose
    else:
        url = (
            request.getfixturevalue("sqlite_url")
            if kind == "sqlite"
            else request.getfixturevalue("postgres_server").url
        )
        database = create_database(url)
        store = SqlIdempotencyStore(database, clock)
        close = database.dispose
    try:
        yield _Harness(store, clock, loop)
    finally:
        if kind == "redis":
            loop.run_until_complete(_drop_redis_keys(client, prefix))
        if close is not None:
            loop.run_until_complete(close())
        loop.close()


async def _drop_redis_keys(client: Redis, prefix: str) -> None:
    async for key in client.scan_iter(match=f"{prefix}*", count=500):
        await client.delete(key)


@pytest.mark.parametrize("harness", ADAPTERS, indirect=True)
def test_any_interleaving_keeps_at_most_one_holder(harness: _Harness) -> None:
    machine = type("Machine", (IdempotencyMachine,), {"harness": harness})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
