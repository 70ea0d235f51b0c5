"""Org membership as other features see it: billing and the AI budgets ask who may act for an org.

The organisations feature implements it; without that feature nothing provides it, and
features treat every org id as unknown (404).
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["OrgRoles"]


class OrgRoles(Protocol):
    """Is this user a member of org X, and with which role?"""

    async def role_of(self, org_id: str, user_id: str) -> str | None:
        """`owner`, `admin`, `member`, or None when not a member (or no such org)."""
        ...
