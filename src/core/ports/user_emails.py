"""A user's email address, as other features see it (billing receipts, org invitations).

The users feature's directory implements it.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["UserEmails"]


class UserEmails(Protocol):
    async def email_of(self, user_id: str) -> str | None:
        """The account's address, or None when there is no such user."""
        ...
