"""Record a security event with where the request came from (audit log, `RequestMeta`)."""

from __future__ import annotations

from common.request_meta import RequestMeta
from core.ports.audit import AuditEvent, AuditLog
from core.ports.clock import Clock
from core.ports.unit_of_work import UnitOfWork

__all__ = ["record_audit"]


async def record_audit(
    log: AuditLog,
    clock: Clock,
    event: str,
    meta: RequestMeta,
    *,
    actor_id: str | None = None,
    subject_id: str | None = None,
    org_id: str | None = None,
    uow: UnitOfWork | None = None,
    **detail: str,
) -> None:
    """Append `event` now; inside `uow` it commits (or not) with the change it describes."""
    await log.record(
        AuditEvent(
            event=event,
            occurred_at=clock.now(),
            actor_id=actor_id,
            subject_id=subject_id,
            org_id=org_id,
            ip=meta.ip,
            request_id=meta.request_id,
            user_agent=meta.user_agent,
            detail=detail,
        ),
        uow,
    )
