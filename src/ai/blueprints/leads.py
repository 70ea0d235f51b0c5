"""Blueprint: the Lead Finder. A company description in, structured leads out.

The model is asked for JSON shaped like an example in the prompt; its answer is parsed into
msgspec Structs with constraints, so anything malformed (broken JSON, missing or oversized
fields, no leads) is rejected as `ModelOutputError` rather than passed on or crashing.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from ai.errors import ModelOutputError
from ai.gateway import LLMClient
from ai.types import LLMResult
from core.logging import get_logger
from core.ports.llm import ChatMessage

__all__ = ["FEATURE", "Lead", "LeadSearch", "LeadsFound", "find_leads"]

FEATURE = "lead-finder"
_TOKENS_PER_LEAD = 120
_log = get_logger(__name__)

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]


class Lead(msgspec.Struct, frozen=True, kw_only=True):
    company: Text
    industry: Text
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    website: Annotated[str, msgspec.Meta(max_length=300)] | None = None


class _ModelAnswer(msgspec.Struct, frozen=True):
    leads: Annotated[list[Lead], msgspec.Meta(min_length=1, max_length=50)]


class LeadSearch(msgspec.Struct, frozen=True, kw_only=True):
    description: str
    count: int = 5
    org_id: str | None = None


class LeadsFound(msgspec.Struct, frozen=True, kw_only=True):
    leads: list[Lead]
    completion: LLMResult


_EXAMPLE = """{"leads": [
  {"company": "Northwind Logistics", "industry": "Freight forwarding",
   "reason": "Scaling a customer portal and short on backend engineers",
   "website": "https://northwind.example"},
  {"company": "Fabrikam Health", "industry": "Clinic software",
   "reason": "Needs audited, budget-capped AI summaries for patient notes", "website": null},
  {"company": "Tailspin Studios", "industry": "Game development",
   "reason": "Runs nightly batch jobs that must never run twice", "website": null}
]}"""

_SYSTEM = (
    "You find sales leads: companies likely to buy from the company described by the user. "
    "Answer with JSON only, no prose, shaped exactly like this example:\n"
    f"```json\n{_EXAMPLE}\n```"
)


async def find_leads(
    client: LLMClient, search: LeadSearch, *, user_id: str, request_id: str | None = None
) -> LeadsFound:
    messages = [
        ChatMessage(role="system", content=_SYSTEM),
        ChatMessage(
            role="user",
            content=f"Find {search.count} leads for this company:\n{search.description}",
        ),
    ]
    result = await client.complete(
        user_id=user_id,
        org_id=search.org_id,
        feature=FEATURE,
        messages=messages,
        max_tokens=_TOKENS_PER_LEAD * search.count + 40,
        request_id=request_id,
        response_format="json",
        temperature=0.2,
    )
    try:
        answer = msgspec.json.decode(result.text, type=_ModelAnswer)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        _log.warning("ai.leads.malformed_output", error=str(exc)[:200], model=result.model)
        raise ModelOutputError(
            "The model's answer was not a valid list of leads; nothing was returned"
        ) from exc
    return LeadsFound(leads=answer.leads[: search.count], completion=result)
