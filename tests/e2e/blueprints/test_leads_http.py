"""`POST /api/v1/ai/leads` over HTTP: structured leads, or a clean 502 for malformed output."""

from __future__ import annotations

import pytest

from core.ports.llm import LLMCompletion, LLMRequest, LLMUsage
from infra.llm import FakeLLMProvider
from infra.llm.install import LLMAdapters
from tests.e2e.ai.conftest import AIHarness
from web.ai.dependencies import _clients


async def test_the_lead_finder_returns_structured_leads(harness: AIHarness) -> None:
    response = await harness.client.post(
        "/api/v1/ai/leads",
        json={"company_description": "We sell a durable SaaS backend template.", "count": 2},
        headers=harness.auth(),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["leads"]) == 2
    assert {"company", "industry", "reason", "website"} <= set(body["leads"][0])
    assert body["usage"]["output_tokens"] > 0


class Babbler(FakeLLMProvider):
    """A model that ignores the JSON instructions."""

    answer = ""

    async def complete(self, request: LLMRequest) -> LLMCompletion:
        self.calls += 1
        return LLMCompletion(
            text=self.answer, model=request.model, usage=LLMUsage(input_tokens=9, output_tokens=9)
        )


@pytest.mark.parametrize("answer", ["not json at all", '{"leads": [{"company": ""}]}', "{}"])
async def test_malformed_model_output_is_rejected_cleanly(harness: AIHarness, answer: str) -> None:
    babbler = Babbler()
    babbler.answer = answer
    harness.container.services.get(LLMAdapters).provider = babbler
    _clients.pop(harness.container, None)

    response = await harness.client.post(
        "/api/v1/ai/leads",
        json={"company_description": "We sell a durable SaaS backend template."},
        headers=harness.auth(),
    )

    assert response.status_code == 502
    assert response.json()["type"] == "/problems/invalid-model-output"
    assert babbler.calls == 1
