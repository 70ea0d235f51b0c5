"""`PlanLookup` from subscriptions: the plan other features (the AI budgets) see an account on."""

from __future__ import annotations

from core.ports.plans import AccountKind
from modules.billing._models import AccountRef
from modules.billing.ports import BillingStore
from modules.billing.service import current_subscription
from policies.plans import ENTITLED_STATUSES

__all__ = ["SubscriptionPlans"]


class SubscriptionPlans:
    """Only an entitled subscription (active, trialing, past due) puts an account on a plan."""

    def __init__(self, store: BillingStore) -> None:
        self._store = store

    async def entitled_plan(self, kind: AccountKind, account_id: str) -> str | None:
        account = AccountRef(type=kind, id=account_id)
        subscription = current_subscription(await self._store.subscriptions_of(account))
        if subscription is None or subscription.status not in ENTITLED_STATUSES:
            return None
        return subscription.plan
