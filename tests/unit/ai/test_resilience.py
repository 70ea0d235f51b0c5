"""Breakers and the attempt loop, on their own."""

from __future__ import annotations

import asyncio

import pytest

from ai import GatewayConfig, LLMUnavailableError
from ai._breaker import CircuitBreaker
from ai._resilience import Attempts, ProviderGaveUpError
from core.ports.llm import LLMServerError
from tests.conftest import FakeClock


def test_half_open_lets_exactly_one_trial_through(clock: FakeClock) -> None:
    breaker = CircuitBreaker(clock, failure_threshold=1, reset_seconds=10)
    breaker.failure()
    assert not breaker.allow()
    assert breaker.retry_in() == 10

    clock.advance(10)
    assert breaker.allow()
    assert breaker.state == "half_open"
    assert not breaker.allow()

    breaker.abandon()
    assert breaker.allow()
    breaker.success()
    assert breaker.state == "closed"
    assert breaker.retry_in() == 0


async def test_the_fallback_takes_over_when_the_primary_circuit_opens_mid_call(
    clock: FakeClock,
) -> None:
    attempts = Attempts(
        GatewayConfig(max_attempts=3, breaker_failures=2), clock, sleep=lambda s: asyncio.sleep(0)
    )
    tried: list[str] = []

    async def call(model: str, seconds: float) -> str:
        tried.append(model)
        if model == "primary":
            raise LLMServerError("down", status=503)
        return "answer"

    result = await attempts.run(["primary", "fallback"], call, started=clock.monotonic())

    assert result == ("answer", "fallback")
    assert tried == ["primary", "primary", "fallback"]
    assert attempts.any_open(["primary"]) is not None
    assert attempts.any_open(["primary", "fallback"]) is None


async def test_a_call_that_eats_the_deadline_is_not_retried(clock: FakeClock) -> None:
    attempts = Attempts(GatewayConfig(deadline_seconds=5, max_attempts=5), clock)
    calls = 0

    async def slow_failure(model: str, seconds: float) -> str:
        nonlocal calls
        calls += 1
        clock.advance(6)
        raise LLMServerError("slow and broken", status=502)

    with pytest.raises(ProviderGaveUpError) as gave_up:
        await attempts.run(["m"], slow_failure, started=clock.monotonic())

    assert calls == 1
    assert gave_up.value.outcome == "error"
    assert attempts.breaker("m").state == "closed"


async def test_a_busy_half_open_circuit_refuses_without_calling(clock: FakeClock) -> None:
    attempts = Attempts(GatewayConfig(breaker_failures=1), clock)
    breaker = attempts.breaker("m")
    breaker.failure()
    clock.advance(60)
    assert breaker.allow()  # someone else's trial is running

    async def never(model: str, seconds: float) -> str:
        raise AssertionError("must not be called")

    with pytest.raises(ProviderGaveUpError) as gave_up:
        await attempts.run(["m"], never, started=clock.monotonic())

    assert isinstance(gave_up.value.error, LLMUnavailableError)
    assert gave_up.value.outcome == "unavailable"
