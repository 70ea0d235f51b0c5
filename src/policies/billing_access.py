"""Who may see or manage an organisation's billing: a pure decision on the caller's role."""

from __future__ import annotations

__all__ = ["BILLING_MANAGER_ROLES", "can_manage_billing", "can_view_billing"]

BILLING_MANAGER_ROLES = frozenset({"owner", "admin"})


def can_manage_billing(role: str | None) -> bool:
    """Checkout, portal, payments and billing email of an org: owners and admins."""
    return role in BILLING_MANAGER_ROLES


def can_view_billing(role: str | None) -> bool:
    """The org's subscription (which plan the team is on): any member."""
    return role is not None
