"""Plans as the payment provider knows them: Stripe price ids (from settings) and lookup keys.

A provider price maps back to a plan by, in order: its `bulkhead_plan` metadata, its id being
a configured price, its lookup key. `sync-plans` creates prices carrying both the metadata and
the lookup key, so prices it made are recognised even before their ids are configured.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.settings import Settings
from modules.billing.ports import PlanPriceSpec
from modules.billing.settings import BillingSettings
from policies.plans import Plan, get_plan, paid_plans

__all__ = ["PLAN_METADATA_KEY", "PlanPrices", "lookup_key_for"]

PLAN_METADATA_KEY = "bulkhead_plan"


def lookup_key_for(plan: Plan) -> str:
    return f"bulkhead_{plan.id}_{plan.interval}"


class PlanPrices:
    def __init__(self, configured: Mapping[str, str | None]) -> None:
        self._configured = {plan: price for plan, price in configured.items() if price}
        self._by_price = {price: plan for plan, price in self._configured.items()}
        self._by_lookup_key = {lookup_key_for(plan): plan.id for plan in paid_plans()}

    @classmethod
    def from_settings(cls, settings: Settings) -> PlanPrices:
        billing = settings.section(BillingSettings)
        return cls({"pro": billing.stripe_price_pro, "team": billing.stripe_price_team})

    def price_id(self, plan_id: str) -> str | None:
        return self._configured.get(plan_id)

    def plan_for_price(
        self,
        price_id: str | None,
        *,
        lookup_key: str | None = None,
        metadata_plan: str | None = None,
    ) -> str | None:
        for candidate in (
            metadata_plan,
            self._by_price.get(price_id or ""),
            self._by_lookup_key.get(lookup_key or ""),
        ):
            if candidate and get_plan(candidate) is not None:
                return candidate
        return None

    def specs(self) -> list[PlanPriceSpec]:
        return [
            PlanPriceSpec(
                plan_id=plan.id,
                name=plan.name,
                price_cents=plan.price_cents,
                currency=plan.currency,
                interval=plan.interval,
                lookup_key=lookup_key_for(plan),
                price_id=self.price_id(plan.id),
            )
            for plan in paid_plans()
        ]
