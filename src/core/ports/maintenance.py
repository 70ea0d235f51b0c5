"""Maintenance port: a store that can delete its own expired entries (nightly cleanup)."""

from __future__ import annotations

from typing import Protocol

__all__ = ["ExpiredPurger"]


class ExpiredPurger(Protocol):
    async def purge_expired(self) -> int:
        """Delete entries whose expiry has passed; return how many."""
        ...
