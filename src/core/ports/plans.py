"""Which plan an account is entitled to, as other features see it (the AI budgets do).

The billing feature implements it from subscriptions; without billing nothing provides it
and everyone is on the default allowances.
"""

from __future__ import annotations

from typing import Literal, Protocol

__all__ = ["AccountKind", "PlanLookup"]

AccountKind = Literal["user", "org"]


class PlanLookup(Protocol):
    async def entitled_plan(self, kind: AccountKind, account_id: str) -> str | None:
        """The plan id of the account's entitled subscription, or None (the default plan)."""
        ...
