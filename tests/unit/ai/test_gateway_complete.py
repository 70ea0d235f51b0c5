"""LLMClient.complete: reserve, call, settle, record — and every way it can go wrong."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from ai import (
    BudgetExceededError,
    GatewayConfig,
    JobBudget,
    JobBudgetExceededError,
    LLMRejectedError,
    LLMUnavailableError,
    cost_micro_usd,
)
from ai._tokens import estimate_prompt_tokens
from core.errors import ConfigurationError, InputError, ServiceUnavailableError
from core.ports.budget import BudgetWindow, WindowUsage
from core.ports.llm import ChatMessage, LLMRequest, LLMRequestError
from infra.llm import FakeBehaviour, FakeLLMProvider
from policies.budgets import BudgetLimits
from tests.unit.ai.conftest import DEFAULT_LIMITS, PROMPT, MakeRig, Rig

WORST = estimate_prompt_tokens(PROMPT) + 64


async def complete(rig: Rig, **overrides: object) -> object:
    arguments: dict[str, object] = {
        "user_id": "u1",
        "feature": "chat",
        "messages": PROMPT,
        "max_tokens": 64,
        **overrides,
    }
    return await rig.client.complete(**arguments)  # type: ignore[arg-type]


async def test_a_call_is_charged_its_real_usage_and_recorded(rig: Rig) -> None:
    result = await rig.client.complete(
        user_id="u1", feature="chat", messages=PROMPT, max_tokens=64, request_id="req-1"
    )

    assert result.text
    assert result.model == "fake-1"
    assert result.usage.output_tokens == 48
    assert result.charged_tokens == result.usage.total_tokens
    assert result.reserved_tokens == WORST
    assert result.cost_micro_usd == cost_micro_usd("fake-1", result.usage) > 0
    assert await rig.used_and_reserved() == (result.usage.total_tokens, 0)
    (record,) = rig.ledger.records
    assert (record.user_id, record.feature, record.outcome, record.request_id) == (
        "u1",
        "chat",
        "ok",
        "req-1",
    )
    assert record.cost_micro_usd == result.cost_micro_usd


async def test_the_same_prompt_gets_the_same_answer(rig: Rig) -> None:
    first = await rig.client.complete(user_id="u1", feature="chat", messages=PROMPT, max_tokens=30)
    second = await rig.client.complete(user_id="u1", feature="chat", messages=PROMPT, max_tokens=30)

    assert first.text == second.text
    assert first.usage == second.usage


async def test_a_call_that_does_not_fit_is_refused_before_the_provider(
    make_rig: MakeRig,
) -> None:
    rig = make_rig(
        limits=BudgetLimits(
            user_hourly_tokens=WORST - 1, user_daily_tokens=10_000, org_daily_tokens=10_000
        )
    )
    rig.clock.advance(25 * 60)

    with pytest.raises(BudgetExceededError) as refused:
        await complete(rig)

    assert refused.value.slug == "budget-exceeded"
    assert refused.value.scope == "user"
    assert refused.value.retry_after == 35 * 60
    assert rig.provider.calls == 0
    assert rig.ledger.records == []


async def test_org_and_feature_windows_are_charged_too(make_rig: MakeRig) -> None:
    limits = BudgetLimits(
        user_hourly_tokens=10_000,
        user_daily_tokens=10_000,
        org_daily_tokens=WORST * 2,
        feature_daily_tokens={"report": WORST},
    )
    rig = make_rig(limits=limits)

    await complete(rig, org_id="o1", feature="report")
    with pytest.raises(BudgetExceededError) as feature_cap:
        await complete(rig, org_id="o1", feature="report")
    await complete(rig, org_id="o1", feature="chat", max_tokens=1)

    assert feature_cap.value.scope == "feature"
    report = await rig.client.usage("u1", "o1")
    assert [(w.scope, w.period) for w in report.windows] == [
        ("user", "hour"),
        ("user", "day"),
        ("org", "day"),
    ]
    assert report.windows[2].used_tokens == report.windows[0].used_tokens > 0
    assert set(report.by_feature) == {"report", "chat"}


async def test_retry_after_from_the_provider_is_honoured(rig: Rig) -> None:
    rig.provider.behaviour = FakeBehaviour(fail_next=2, failure="rate_limit", retry_after=5)

    result = await complete(rig)

    assert rig.provider.calls == 3
    assert rig.sleeps == [5, 5]
    assert result.usage.output_tokens == 48  # type: ignore[attr-defined]


async def test_server_errors_are_retried_with_jittered_backoff(rig: Rig) -> None:
    rig.provider.behaviour = FakeBehaviour(fail_next=2, failure="server_error")

    await complete(rig)

    assert rig.provider.calls == 3
    assert len(rig.sleeps) == 2
    assert 0 <= rig.sleeps[0] <= 0.5
    assert 0 <= rig.sleeps[1] <= 1.0


async def test_a_wait_beyond_the_deadline_gives_up_and_frees_the_hold(rig: Rig) -> None:
    rig.provider.behaviour = FakeBehaviour(fail_next=5, failure="rate_limit", retry_after=600)

    with pytest.raises(LLMUnavailableError) as failed:
        await complete(rig)

    assert failed.value.retry_after == 600
    assert rig.provider.calls == 1
    assert rig.sleeps == []
    assert await rig.used_and_reserved() == (0, 0)
    assert rig.ledger.records[0].outcome == "error"


async def test_a_provider_that_hangs_times_out_and_frees_the_hold(make_rig: MakeRig) -> None:
    rig = make_rig(config=GatewayConfig(call_timeout_seconds=0.05, max_attempts=2))
    rig.provider.behaviour = FakeBehaviour(fail_next=2, failure="hang")

    with pytest.raises(LLMUnavailableError) as failed:
        await complete(rig)

    assert failed.value.slug == "llm-timeout"
    assert rig.provider.calls == 2
    assert await rig.used_and_reserved() == (0, 0)
    assert rig.ledger.records[0].outcome == "timeout"


async def test_a_refused_request_is_not_retried(rig: Rig) -> None:
    async def refuse(request: LLMRequest) -> object:
        rig.provider.calls += 1
        raise LLMRequestError("too long", status=400)

    rig.provider.complete = refuse  # type: ignore[method-assign]

    with pytest.raises(LLMRejectedError):
        await complete(rig)
    assert rig.provider.calls == 1
    assert await rig.used_and_reserved() == (0, 0)


async def test_a_bad_api_key_is_our_problem_not_the_callers(rig: Rig) -> None:
    async def refuse(request: LLMRequest) -> object:
        raise LLMRequestError("bad key", status=401)

    rig.provider.complete = refuse  # type: ignore[method-assign]

    with pytest.raises(LLMUnavailableError):
        await complete(rig)


async def test_the_circuit_opens_fails_fast_then_half_opens(make_rig: MakeRig) -> None:
    rig = make_rig(
        config=GatewayConfig(max_attempts=1, breaker_failures=2, breaker_reset_seconds=30)
    )
    rig.provider.behaviour = FakeBehaviour(fail_next=2, failure="server_error")
    for _ in range(2):
        with pytest.raises(LLMUnavailableError):
            await complete(rig)

    with pytest.raises(LLMUnavailableError) as fast:
        await complete(rig)
    assert fast.value.retry_after == 30
    assert rig.provider.calls == 2

    rig.clock.advance(31)
    await complete(rig)
    assert rig.provider.calls == 3
    assert rig.client.attempts.breaker("fake-1").state == "closed"


async def test_a_failed_trial_reopens_the_circuit(make_rig: MakeRig) -> None:
    rig = make_rig(config=GatewayConfig(max_attempts=1, breaker_failures=1))
    rig.provider.behaviour = FakeBehaviour(fail_next=2, failure="timeout")
    with pytest.raises(LLMUnavailableError):
        await complete(rig)
    rig.clock.advance(31)

    with pytest.raises(LLMUnavailableError):
        await complete(rig)

    assert rig.client.attempts.breaker("fake-1").state == "open"
    assert rig.provider.calls == 2


async def test_the_fallback_model_answers_when_the_primary_keeps_failing(
    make_rig: MakeRig,
) -> None:
    rig = make_rig(config=GatewayConfig(fallback_model="fake-1-mini", max_attempts=2))
    rig.provider.behaviour = FakeBehaviour(fail_next=2, failure="server_error")

    result = await complete(rig)

    assert result.model == "fake-1-mini"  # type: ignore[attr-defined]
    assert [r.model for r in rig.provider.requests] == ["fake-1", "fake-1", "fake-1-mini"]
    assert rig.ledger.records[0].model == "fake-1-mini"


async def test_cancellation_frees_the_hold(rig: Rig) -> None:
    rig.provider.behaviour = FakeBehaviour(fail_next=1, failure="hang")
    task = asyncio.create_task(complete(rig))
    await rig.provider.called.wait()
    assert (await rig.used_and_reserved())[1] == WORST

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await rig.used_and_reserved() == (0, 0)
    assert rig.ledger.records[0].outcome == "cancelled"


class BrokenStore:
    adapter = "broken"

    async def reserve(self, *args: object, **kwargs: object) -> int:
        raise ConnectionError("budget store down")

    async def usage(self, *args: object, **kwargs: object) -> list[WindowUsage]:
        raise ConnectionError("budget store down")

    async def settle(self, reservation_id: str, used: int) -> int:
        raise ConnectionError("budget store down")

    async def release(self, reservation_id: str) -> bool:
        raise ConnectionError("budget store down")

    async def expire(self, limit: int = 500) -> int:
        raise ConnectionError("budget store down")

    async def ping(self) -> None:
        raise ConnectionError("budget store down")


async def test_an_unreadable_budget_fails_closed(make_rig: MakeRig) -> None:
    rig = make_rig(budgets=BrokenStore())  # type: ignore[arg-type]

    with pytest.raises(ServiceUnavailableError) as closed:
        await complete(rig)
    with pytest.raises(ServiceUnavailableError):
        await rig.client.usage("u1")
    with pytest.raises(ServiceUnavailableError):
        await rig.client.check_job_budget(
            JobBudget(job_id="j", limit_tokens=5, expires_at=rig.clock.now())
        )

    assert closed.value.slug == "budget-unavailable"
    assert rig.provider.calls == 0


async def test_a_failed_settle_does_not_lose_the_answer(rig: Rig) -> None:
    async def broken_settle(reservation_id: str, used: int) -> int:
        raise ConnectionError("gone")

    rig.budgets.settle = broken_settle  # type: ignore[method-assign]

    result = await complete(rig)

    assert result.charged_tokens == 0  # type: ignore[attr-defined]
    assert result.text  # type: ignore[attr-defined]


async def test_a_job_budget_caps_the_job(rig: Rig) -> None:
    job = JobBudget(
        job_id="job-1", limit_tokens=WORST + 10, expires_at=datetime(2026, 1, 2, tzinfo=UTC)
    )
    await complete(rig, job=job)
    remaining = await rig.client.check_job_budget(job)
    assert 0 < remaining < WORST

    with pytest.raises(JobBudgetExceededError) as refused:
        await complete(rig, job=job)

    assert refused.value.scope == "job"
    assert refused.value.reason == "budget_exceeded"
    assert rig.provider.calls == 1
    spent = JobBudget(job_id="job-1", limit_tokens=1, expires_at=job.expires_at)
    with pytest.raises(JobBudgetExceededError):
        await rig.client.check_job_budget(spent)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"feature": "Bad Feature!"}, "feature"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"max_tokens": 5000}, "max_tokens"),
        ({"model": "gpt-4o"}, "model"),
        ({"messages": []}, "messages"),
    ],
)
async def test_invalid_requests_are_input_errors(
    rig: Rig, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InputError) as invalid:
        await complete(rig, **overrides)

    assert [error.field for error in invalid.value.errors] == [field]
    assert rig.provider.calls == 0


def test_an_unpriced_default_model_is_a_configuration_error(make_rig: MakeRig) -> None:
    with pytest.raises(ConfigurationError, match="LLM_MODEL"):
        make_rig(config=GatewayConfig(default_model="gpt-4o"))
    with pytest.raises(ConfigurationError, match="LLM_FALLBACK_MODEL"):
        make_rig(config=GatewayConfig(fallback_model="nope"))


async def test_usage_reports_windows_and_spend_by_feature(rig: Rig) -> None:
    await complete(rig, feature="chat")
    await complete(rig, feature="report", messages=[ChatMessage(role="user", content="hi")])

    report = await rig.client.usage("u1")

    assert [(w.limit_tokens, w.reserved_tokens) for w in report.windows] == [
        (DEFAULT_LIMITS.user_hourly_tokens, 0),
        (DEFAULT_LIMITS.user_daily_tokens, 0),
    ]
    total = sum(spend.tokens for spend in report.by_feature.values())
    assert report.windows[0].used_tokens == total
    assert report.since == datetime(2026, 1, 1, tzinfo=UTC)
    assert report.windows[1].resets_at == datetime(2026, 1, 2, tzinfo=UTC)


async def test_a_budget_window_key_never_mixes_users(rig: Rig) -> None:
    await complete(rig, user_id="alice")

    assert (await rig.client.usage("bob")).windows[0].used_tokens == 0
    window = BudgetWindow(key="user:alice:hour:2026010100", limit=1, resets_at=rig.clock.now())
    (alice,) = await rig.budgets.usage([window])
    assert alice.used > 0


def test_the_fake_provider_is_the_zero_config_default() -> None:
    fake = FakeLLMProvider()
    assert (fake.adapter, fake.default_model) == ("fake", "fake-1")


async def test_unreadable_limits_fail_closed(rig: Rig) -> None:
    class NoLimits:
        async def limits_for(self, user_id: str, org_id: str | None) -> BudgetLimits:
            raise ConnectionError("billing database down")

    rig.client._limits = NoLimits()

    with pytest.raises(ServiceUnavailableError) as closed:
        await complete(rig)

    assert closed.value.slug == "budget-unavailable"
    assert rig.provider.calls == 0
    assert rig.client.provider_name == "fake"


async def test_bookkeeping_failures_never_hide_the_outcome(rig: Rig) -> None:
    async def broken_release(reservation_id: str) -> bool:
        raise ConnectionError("gone")

    async def broken_record(record: object) -> None:
        raise ConnectionError("gone")

    rig.budgets.release = broken_release  # type: ignore[method-assign]
    rig.ledger.record = broken_record  # type: ignore[method-assign]
    rig.provider.behaviour = FakeBehaviour(fail_next=3, failure="server_error")

    with pytest.raises(LLMUnavailableError):
        await complete(rig)
    assert (await complete(rig)).text  # type: ignore[attr-defined]


async def test_a_caller_gone_after_the_answer_still_pays_for_it(rig: Rig) -> None:
    settling, gate = asyncio.Event(), asyncio.Event()
    settle = rig.budgets.settle

    async def slow_settle(reservation_id: str, used: int) -> int:
        settling.set()
        await gate.wait()
        return await settle(reservation_id, used)

    rig.budgets.settle = slow_settle  # type: ignore[method-assign]
    task = asyncio.create_task(complete(rig))
    await settling.wait()

    task.cancel()
    gate.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.gather(*rig.client._cleanups)

    used, reserved = await rig.used_and_reserved()
    assert used > 0
    assert reserved == 0
    assert rig.ledger.records[0].outcome == "ok"
