"""Everything the profile use cases need, handed in by `web`."""

from __future__ import annotations

from dataclasses import dataclass

from core.ports.audit import AuditLog
from core.ports.clock import Clock
from core.ports.unit_of_work import UnitOfWorkFactory
from modules.users.ports import AccountDeletionHook, UserDirectory

__all__ = ["UsersDeps"]


@dataclass(frozen=True, slots=True)
class UsersDeps:
    users: UserDirectory
    audit: AuditLog
    clock: Clock
    unit_of_work: UnitOfWorkFactory
    account_deletion: AccountDeletionHook | None = None
    """What another installed feature settles before an account goes (None: nothing)."""
