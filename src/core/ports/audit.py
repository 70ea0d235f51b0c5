"""Audit log port: security events (logins, lockouts, MFA, role changes) kept for review."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import msgspec

from core.ports.unit_of_work import UnitOfWork

__all__ = ["AuditEvent", "AuditLog"]


class AuditEvent(msgspec.Struct, frozen=True, kw_only=True):
    event: str
    """Dotted name, such as `login.failed` or `org.role_changed`."""
    occurred_at: datetime
    actor_id: str | None = None
    """The user who acted, when known (None for a failed login on an unknown email)."""
    subject_id: str | None = None
    """What was acted on: a user, session or invitation id."""
    org_id: str | None = None
    ip: str | None = None
    request_id: str | None = None
    user_agent: str | None = None
    detail: dict[str, str] = msgspec.field(default_factory=dict)


class AuditLog(Protocol):
    async def record(self, event: AuditEvent, uow: UnitOfWork | None = None) -> None:
        """Append `event`; inside `uow` it commits (or not) with the change it describes."""
        ...

    async def events_for(self, actor_id: str, limit: int = 50) -> list[AuditEvent]:
        """The actor's most recent events, newest first."""
        ...
