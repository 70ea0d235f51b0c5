"""The login and MFA throttles on the in-memory kv store, with a clock the test moves."""

from __future__ import annotations

import asyncio

import pytest

from core.errors import RateLimitedError
from infra.kv.memory import MemoryKeyValueStore
from modules.auth._throttle import LoginThrottle, MfaThrottle
from policies.lockout import ACCOUNT_FAILURE_CEILING, ACCOUNT_WINDOW_SECONDS
from tests.conftest import FakeClock


async def _refusal(throttle: LoginThrottle, email: str) -> int | None:
    """None when the attempt may proceed, else its Retry-After."""
    try:
        await throttle.begin(ip=None, email=email)
    except RateLimitedError as exc:
        return exc.retry_after or 0
    return None


@pytest.fixture
def throttle(clock: FakeClock) -> LoginThrottle:
    return LoginThrottle(MemoryKeyValueStore(clock), clock)


async def test_a_burst_of_concurrent_guesses_cannot_slip_past_the_delay(
    throttle: LoginThrottle,
) -> None:
    for _ in range(9):
        await throttle.begin(ip=None, email="ann@example.com")
    results = await asyncio.gather(
        *(throttle.begin(ip=None, email="ann@example.com") for _ in range(20)),
        return_exceptions=True,
    )
    assert sum(not isinstance(result, Exception) for result in results) == 1
    assert all(isinstance(r, RateLimitedError) for r in results if isinstance(r, Exception))


async def test_never_more_than_one_hundred_consecutive_failures(
    throttle: LoginThrottle, clock: FakeClock
) -> None:
    allowed = 0
    held: list[int] = []
    while len(held) < 400:
        refusal = await _refusal(throttle, "bob@example.com")
        if refusal is None:
            allowed += 1
            continue
        assert refusal > 0
        held.append(refusal)
        if allowed == ACCOUNT_FAILURE_CEILING:
            break
        clock.advance(refusal)
    assert held[-1] == ACCOUNT_WINDOW_SECONDS
    assert allowed == ACCOUNT_FAILURE_CEILING
    clock.advance(ACCOUNT_WINDOW_SECONDS)
    await throttle.begin(ip=None, email="bob@example.com")


async def test_success_resets_the_account_and_returns_the_ip_attempt(
    throttle: LoginThrottle,
) -> None:
    for _ in range(9):
        await throttle.begin(ip="203.0.113.1", email="cat@example.com")
    attempt = await throttle.begin(ip="203.0.113.1", email="cat@example.com")
    assert attempt.lock_seconds == 1
    await throttle.succeeded(attempt)
    fresh = await throttle.begin(ip="203.0.113.1", email="cat@example.com")
    assert (fresh.failures, fresh.lock_seconds) == (1, 0)


async def test_failed_codes_feed_the_account_lockout(throttle: LoginThrottle) -> None:
    for _ in range(10):
        await throttle.count_failure("dan@example.com")
    with pytest.raises(RateLimitedError):
        await throttle.begin(ip=None, email="dan@example.com")
    await throttle.clear_email("dan@example.com")
    await throttle.begin(ip=None, email="dan@example.com")


async def test_mfa_guesses_per_user_per_window(clock: FakeClock) -> None:
    mfa = MfaThrottle(MemoryKeyValueStore(clock), clock)
    keys = [await mfa.begin("u1") for _ in range(5)]
    with pytest.raises(RateLimitedError) as refused:
        await mfa.begin("u1")
    assert refused.value.slug == "too-many-attempts"
    await mfa.begin("u2")
    await mfa.succeeded(keys[0])
    await mfa.succeeded(keys[1])
    await mfa.begin("u1")
    clock.advance(300)
    for _ in range(5):
        await mfa.begin("u1")
