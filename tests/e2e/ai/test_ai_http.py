"""`/api/v1/ai` over HTTP: the contract of api.md, streaming and failure answers."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any

import msgspec
import pytest

from ai._tokens import estimate_prompt_tokens
from core.llm_settings import LLMSettings
from core.ports.llm import ChatMessage, LLMChunk, LLMRequest
from core.settings import Settings
from infra.llm import FakeBehaviour
from infra.llm.install import LLMAdapters
from tests.e2e.ai.conftest import MAX_TOKENS, PROMPT, WORST_CASE, AIHarness, open_harness
from tests.unit.ai.test_gateway_complete import BrokenStore
from web.ai.dependencies import _clients


def events(body: str) -> list[tuple[str, Any]]:
    """(event, decoded data) pairs of an SSE body."""
    parsed = []
    for block in body.strip().split("\r\n\r\n" if "\r\n" in body else "\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        parsed.append((fields.get("event", "message"), msgspec.json.decode(fields["data"])))
    return parsed


async def test_complete_answers_with_text_usage_and_cost(harness: AIHarness) -> None:
    response = await harness.complete(system="Be brief.")

    assert response.status_code == 200
    body = response.json()
    assert body["text"]
    assert body["model"] == "fake-1"
    assert body["usage"]["output_tokens"] == MAX_TOKENS
    assert body["usage"]["input_tokens"] > 0
    assert body["cost_usd"] > 0
    assert "X-Request-ID" in response.headers or "x-request-id" in response.headers


async def test_usage_reports_windows_and_spend_by_feature(harness: AIHarness) -> None:
    await harness.complete(feature="chat")
    await harness.complete(feature="report.draft")

    usage = (await harness.client.get("/api/v1/ai/usage", headers=harness.auth())).json()

    assert [(w["scope"], w["period"]) for w in usage["windows"]] == [
        ("user", "hour"),
        ("user", "day"),
    ]
    window = usage["windows"][0]
    assert set(window) >= {"limit_tokens", "used_tokens", "reserved_tokens", "resets_at"}
    assert (
        window["limit_tokens"]
        == harness.settings.section(LLMSettings).llm_budget_user_hourly_tokens
    )
    assert set(usage["by_feature"]) == {"chat", "report.draft"}
    assert sum(f["tokens"] for f in usage["by_feature"].values()) == window["used_tokens"]
    assert all(f["cost_usd"] > 0 for f in usage["by_feature"].values())


async def test_a_request_without_a_token_is_401(harness: AIHarness) -> None:
    response = await harness.client.post(
        "/api/v1/ai/complete", json={"feature": "chat", "prompt": "hi"}
    )
    assert response.status_code == 401
    assert (await harness.client.get("/api/v1/ai/usage")).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"feature": "chat", "prompt": "hi", "surprise": 1},
        {"feature": "Not A Slug", "prompt": "hi"},
        {"feature": "chat", "prompt": ""},
        {"feature": "chat", "prompt": "hi", "max_tokens": 0},
        {"feature": "chat", "prompt": "hi", "max_tokens": 10**6},
        {"feature": "chat", "prompt": "hi", "model": "gpt-4o"},
    ],
)
async def test_bad_input_is_400_and_costs_nothing(
    harness: AIHarness, body: dict[str, object]
) -> None:
    response = await harness.client.post("/api/v1/ai/complete", json=body, headers=harness.auth())

    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert harness.provider.calls == 0


async def test_another_orgs_budget_is_not_yours(harness: AIHarness) -> None:
    response = await harness.complete(org_id="someone-elses-org")
    usage = await harness.client.get(
        "/api/v1/ai/usage", params={"org_id": "someone-elses-org"}, headers=harness.auth()
    )

    assert response.status_code == 404
    assert usage.status_code == 404
    assert harness.provider.calls == 0


@pytest.mark.features("orgs")
async def test_an_org_member_spends_the_org_pool(
    sqlite_env: dict[str, str], ai_settings: Callable[..., Settings]
) -> None:
    async with open_harness(ai_settings(sqlite_env, LLM_BUDGET_ORG_DAILY_TOKENS="5000")) as h:
        registered = await h.client.post(
            "/api/v1/auth/register",
            json={"email": "owner@example.com", "password": "a long enough passphrase"},
        )
        assert registered.status_code == 201, registered.text
        user_id = registered.json()["id"]
        created = await h.client.post(
            "/api/v1/orgs", json={"name": "Acme"}, headers=h.auth(user_id)
        )
        assert created.status_code == 201, created.text
        org_id = created.json()["id"]
        assert (await h.complete(user_id, org_id=org_id)).status_code == 200
        usage = await h.client.get(
            "/api/v1/ai/usage", params={"org_id": org_id}, headers=h.auth(user_id)
        )

    org_day = usage.json()["windows"][-1]
    assert (org_day["scope"], org_day["period"], org_day["limit_tokens"]) == ("org", "day", 5000)
    assert org_day["used_tokens"] > 0


async def test_a_stream_sends_deltas_then_done(harness: AIHarness) -> None:
    response = await harness.client.post(
        "/api/v1/ai/stream",
        json={"feature": "chat", "prompt": PROMPT, "max_tokens": 12},
        headers=harness.auth(),
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    parsed = events(response.text)
    deltas = [data["text"] for event, data in parsed if event == "delta"]
    assert len(deltas) == 12
    assert parsed[-1][0] == "done"
    assert parsed[-1][1]["text"] == "".join(deltas)
    assert parsed[-1][1]["usage"]["output_tokens"] == 12


async def test_a_stream_ends_with_budget_exceeded_when_the_budget_runs_out(
    sqlite_env: dict[str, str], ai_settings: Callable[..., Settings]
) -> None:
    prompt_estimate = estimate_prompt_tokens([ChatMessage(role="user", content=PROMPT)])
    hourly = str(prompt_estimate + 30)
    async with open_harness(ai_settings(sqlite_env, LLM_BUDGET_USER_HOURLY_TOKENS=hourly)) as h:
        response = await h.client.post(
            "/api/v1/ai/stream",
            json={"feature": "chat", "prompt": PROMPT, "max_tokens": 200},
            headers=h.auth(),
        )
        refused = await h.client.post(
            "/api/v1/ai/stream",
            json={"feature": "chat", "prompt": PROMPT, "max_tokens": 200},
            headers=h.auth(),
        )

    parsed = events(response.text)
    assert [e for e, _ in parsed].count("delta") == 30
    event, problem = parsed[-1]
    assert event == "error"
    assert problem["type"] == "/problems/budget-exceeded"
    assert problem["status"] == 429
    assert 1 <= problem["retry_after"] <= 3600
    assert refused.status_code == 429
    assert refused.json()["type"] == "/problems/budget-exceeded"
    assert "Retry-After" in refused.headers


async def test_a_failing_stream_ends_with_an_error_event(harness: AIHarness) -> None:
    harness.provider.behaviour = FakeBehaviour(break_stream_after=2)

    response = await harness.client.post(
        "/api/v1/ai/stream",
        json={"feature": "chat", "prompt": PROMPT, "max_tokens": 12},
        headers=harness.auth(),
    )

    event, problem = events(response.text)[-1]
    assert event == "error"
    assert problem["type"] == "/problems/llm-unavailable"
    assert problem["status"] == 503


async def test_the_provider_failing_is_a_503_with_retry_after(harness: AIHarness) -> None:
    harness.provider.behaviour = FakeBehaviour(fail_next=10, failure="rate_limit", retry_after=600)

    response = await harness.complete()

    assert response.status_code == 503
    assert response.json()["type"] == "/problems/llm-unavailable"
    assert response.headers["Retry-After"] == "600"


async def test_an_unreadable_budget_store_fails_closed(harness: AIHarness) -> None:
    harness.container.services.get(LLMAdapters).budgets = BrokenStore()  # type: ignore[assignment]
    _clients.pop(harness.container, None)

    response = await harness.complete()

    assert response.status_code == 503
    assert response.json()["type"] == "/problems/budget-unavailable"
    assert harness.provider.calls == 0


async def test_a_retried_request_with_an_idempotency_key_costs_one_call(
    harness: AIHarness,
) -> None:
    headers = {**harness.auth(), "Idempotency-Key": "complete-once"}
    body = {"feature": "chat", "prompt": PROMPT, "max_tokens": MAX_TOKENS}

    first = await harness.client.post("/api/v1/ai/complete", json=body, headers=headers)
    again = await harness.client.post("/api/v1/ai/complete", json=body, headers=headers)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert harness.provider.calls == 1


async def test_health_reports_the_llm_adapter(harness: AIHarness) -> None:
    ready = (await harness.client.get("/health/ready")).json()
    assert ready["services"]["llm"]["adapter"] == "fake"
    assert ready["services"]["llm"]["status"] == "ok"


def test_the_worst_case_of_the_shared_prompt() -> None:
    assert len(PROMPT) + 7 + MAX_TOKENS == WORST_CASE


async def test_an_unexpected_failure_mid_stream_ends_with_an_internal_error_event(
    harness: AIHarness,
) -> None:
    async def explode(request: LLMRequest) -> AsyncGenerator[LLMChunk, None]:
        yield LLMChunk(text="one", output_tokens=1)
        raise RuntimeError("bug in an adapter")

    harness.provider.stream = explode  # type: ignore[method-assign]

    response = await harness.client.post(
        "/api/v1/ai/stream",
        json={"feature": "chat", "prompt": PROMPT, "max_tokens": 12},
        headers=harness.auth(),
    )

    parsed = events(response.text)
    assert parsed[0] == ("delta", {"text": "one"})
    assert parsed[-1][0] == "error"
    assert parsed[-1][1]["type"] == "/problems/internal-error"
    assert "bug" not in response.text
