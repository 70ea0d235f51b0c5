"""Who may see and manage an organisation's billing, by role."""

from __future__ import annotations

from policies.billing_access import can_manage_billing, can_view_billing


def test_org_billing_roles() -> None:
    assert can_manage_billing("owner")
    assert can_manage_billing("admin")
    assert not can_manage_billing("member")
    assert not can_manage_billing(None)
    assert can_view_billing("member")
    assert not can_view_billing(None)
