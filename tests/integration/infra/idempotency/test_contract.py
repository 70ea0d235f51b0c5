"""The IdempotencyStore contract, run against every adapter on the injected clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.ports.idempotency import ClaimStatus, IdempotencyStore
from tests.conftest import FakeClock

TTL = 3600.0
LEASE = 60.0


async def _claim(store: IdempotencyStore, key: str = "k", fingerprint: str = "fp") -> str:
    claim = await store.try_claim(key, fingerprint, TTL, LEASE)
    assert claim.status is ClaimStatus.CLAIMED
    assert claim.token
    return claim.token


async def test_first_claim_wins_and_a_repeat_is_in_flight(
    store: IdempotencyStore, clock: FakeClock
) -> None:
    await _claim(store)
    clock.advance(15)
    repeat = await store.try_claim("k", "fp", TTL, LEASE)
    assert repeat.status is ClaimStatus.IN_FLIGHT
    assert repeat.token is None
    assert repeat.retry_after == pytest.approx(LEASE - 15, abs=0.01)


async def test_a_different_fingerprint_is_a_mismatch(store: IdempotencyStore) -> None:
    await _claim(store)
    assert (await store.try_claim("k", "other", TTL, LEASE)).status is ClaimStatus.MISMATCH
    token = await _claim(store, "k2")
    assert await store.complete("k2", b"done", token=token)
    assert (await store.try_claim("k2", "other", TTL, LEASE)).status is ClaimStatus.MISMATCH


async def test_keys_are_independent(store: IdempotencyStore) -> None:
    await _claim(store, "a")
    await _claim(store, "b")


async def test_completed_key_answers_with_the_stored_response(
    store: IdempotencyStore, clock: FakeClock
) -> None:
    token = await _claim(store)
    response = bytes(range(256)) + b"|p|x|1|2|3|"
    assert await store.complete("k", response, token=token)
    clock.advance(TTL - 1)
    repeat = await store.try_claim("k", "fp", TTL, LEASE)
    assert repeat.status is ClaimStatus.COMPLETED
    assert repeat.response == response


async def test_completed_key_expires_ttl_after_completion(
    store: IdempotencyStore, clock: FakeClock
) -> None:
    token = await _claim(store)
    clock.advance(LEASE - 1)
    assert await store.complete("k", b"r", token=token)
    clock.advance(TTL - 1)
    assert (await store.try_claim("k", "fp", TTL, LEASE)).status is ClaimStatus.COMPLETED
    clock.advance(1)
    assert await store.get("k") is None
    assert (await store.try_claim("k", "different", TTL, LEASE)).status is ClaimStatus.CLAIMED


async def test_completing_twice_or_with_a_wrong_token_fails(store: IdempotencyStore) -> None:
    token = await _claim(store)
    assert not await store.complete("k", b"r", token="not-the-token")
    assert not await store.complete("missing", b"r", token=token)
    assert await store.complete("k", b"first", token=token)
    assert not await store.complete("k", b"second", token=token)
    repeat = await store.try_claim("k", "fp", TTL, LEASE)
    assert repeat.response == b"first"


async def test_release_frees_the_key(store: IdempotencyStore) -> None:
    token = await _claim(store)
    assert not await store.release("k", token="not-the-token")
    assert await store.release("k", token=token)
    assert not await store.release("k", token=token)
    assert await store.get("k") is None
    await _claim(store, "k", "another request")


async def test_a_completed_key_cannot_be_released(store: IdempotencyStore) -> None:
    token = await _claim(store)
    assert await store.complete("k", b"r", token=token)
    assert not await store.release("k", token=token)
    assert (await store.try_claim("k", "fp", TTL, LEASE)).status is ClaimStatus.COMPLETED


async def test_a_lapsed_lease_is_taken_over_and_the_old_holder_is_fenced(
    store: IdempotencyStore, clock: FakeClock
) -> None:
    crashed = await _claim(store)
    clock.advance(LEASE - 1)
    assert (await store.try_claim("k", "fp", TTL, LEASE)).status is ClaimStatus.IN_FLIGHT
    clock.advance(1)
    successor = await _claim(store)
    assert successor != crashed
    assert not await store.complete("k", b"late", token=crashed)
    assert not await store.release("k", token=crashed)
    assert (await store.try_claim("k", "fp", TTL, LEASE)).status is ClaimStatus.IN_FLIGHT
    assert await store.complete("k", b"fresh", token=successor)
    assert (await store.try_claim("k", "fp", TTL, LEASE)).response == b"fresh"


async def test_get_describes_the_live_record(store: IdempotencyStore, clock: FakeClock) -> None:
    assert await store.get("k") is None
    token = await _claim(store)
    record = await store.get("k")
    assert record is not None
    assert (record.key, record.fingerprint, record.completed, record.response) == (
        "k",
        "fp",
        False,
        None,
    )
    assert abs(record.expires_at - (clock.now() + timedelta(seconds=LEASE))) < timedelta(
        milliseconds=2
    )
    assert await store.complete("k", b"body", token=token)
    done = await store.get("k")
    assert done is not None
    assert (done.completed, done.response) == (True, b"body")
    assert abs(done.expires_at - (clock.now() + timedelta(seconds=TTL))) < timedelta(milliseconds=2)


async def test_unicode_fingerprints_compare_exactly(store: IdempotencyStore) -> None:
    await _claim(store, "k", "POST /api/é?q=ü")
    assert (await store.try_claim("k", "POST /api/é?q=ü", TTL, LEASE)).status is (
        ClaimStatus.IN_FLIGHT
    )
    assert (await store.try_claim("k", "POST /api/e?q=u", TTL, LEASE)).status is (
        ClaimStatus.MISMATCH
    )


async def test_ping_answers(store: IdempotencyStore) -> None:
    await store.ping()
    assert store.adapter in {"memory", "sqlite", "postgres", "redis"}
