"""`POST /api/v1/ai/leads`: the Lead Finder blueprint, paid from the caller's AI budget."""

from __future__ import annotations

from litestar import Controller, post

from ai import ModelOutputError
from ai.blueprints.leads import LeadSearch, find_leads
from common.principal import Principal
from infra.container import Container
from web.ai.dependencies import llm_client, require_org_member
from web.ai.schemas import UsageTokens
from web.blueprints.schemas import LeadSearchCreate, LeadsOut
from web.problems import ProblemError

__all__ = ["LeadFinderController"]


class LeadFinderController(Controller):
    path = "/api/v1/ai"
    tags = ["ai"]

    @post("/leads", status_code=200, summary="Lead Finder: structured leads for a company")
    async def leads(
        self, data: LeadSearchCreate, principal: Principal, container: Container
    ) -> LeadsOut:
        await require_org_member(container, principal.user_id, data.org_id)
        search = LeadSearch(
            description=data.company_description, count=data.count, org_id=data.org_id
        )
        try:
            found = await find_leads(llm_client(container), search, user_id=principal.user_id)
        except ModelOutputError as exc:
            raise ProblemError(502, exc.slug, exc.detail, title=exc.title) from exc
        result = found.completion
        return LeadsOut(
            leads=found.leads,
            model=result.model,
            usage=UsageTokens(
                input_tokens=result.usage.input_tokens, output_tokens=result.usage.output_tokens
            ),
            cost_usd=result.cost_usd,
        )
