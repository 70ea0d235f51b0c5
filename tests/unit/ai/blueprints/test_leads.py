"""The Lead Finder blueprint: the model's JSON becomes Structs, or a clean refusal."""

from __future__ import annotations

import pytest

from ai import ModelOutputError
from ai.blueprints.leads import LeadSearch, find_leads
from core.ports.llm import LLMCompletion, LLMRequest, LLMUsage
from tests.unit.ai.conftest import Rig

SEARCH = LeadSearch(description="We make a budget-safe LLM gateway.", count=2)


async def test_leads_are_parsed_from_the_models_json(rig: Rig) -> None:
    found = await find_leads(rig.client, SEARCH, user_id="u1")

    assert [lead.company for lead in found.leads] == ["Northwind Logistics", "Fabrikam Health"]
    assert found.leads[1].website is None
    assert rig.provider.requests[0].response_format == "json"
    assert rig.ledger.records[0].feature == "lead-finder"


@pytest.mark.parametrize(
    "answer",
    [
        "Sure! Here are some leads:",
        '{"leads": []}',
        '{"leads": [{"company": "A", "industry": "B"}]}',
        '{"leads": [{"company": "", "industry": "B", "reason": "C"}]}',
        '{"leads": "many"}',
    ],
)
async def test_malformed_output_is_refused(rig: Rig, answer: str) -> None:
    async def reply(request: LLMRequest) -> LLMCompletion:
        return LLMCompletion(
            text=answer, model=request.model, usage=LLMUsage(input_tokens=5, output_tokens=5)
        )

    rig.provider.complete = reply  # type: ignore[method-assign]

    with pytest.raises(ModelOutputError) as refused:
        await find_leads(rig.client, SEARCH, user_id="u1")

    assert refused.value.slug == "invalid-model-output"
