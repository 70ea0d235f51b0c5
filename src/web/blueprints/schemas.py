"""Request and response bodies of the Lead Finder (field names fixed by api.md)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from ai.blueprints.leads import Lead
from web.ai.schemas import OrgId, UsageTokens

__all__ = ["LeadSearchCreate", "LeadsOut"]


class LeadSearchCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    company_description: Annotated[str, msgspec.Meta(min_length=10, max_length=5000)]
    count: Annotated[int, msgspec.Meta(ge=1, le=10)] = 5
    org_id: OrgId | None = None


class LeadsOut(msgspec.Struct, frozen=True, kw_only=True):
    leads: list[Lead]
    model: str
    usage: UsageTokens
    cost_usd: float
