"""One line per security event, with who, from where and in which request."""

from __future__ import annotations

from common.request_meta import RequestMeta
from core.ports.audit import AuditEvent
from core.ports.unit_of_work import UnitOfWork
from modules.auth.deps import AuthDeps

__all__ = ["audit"]


async def audit(
    deps: AuthDeps,
    event: str,
    meta: RequestMeta,
    *,
    actor_id: str | None = None,
    subject_id: str | None = None,
    uow: UnitOfWork | None = None,
    **detail: str,
) -> None:
    await deps.audit.record(
        AuditEvent(
            event=event,
            occurred_at=deps.clock.now(),
            actor_id=actor_id,
            subject_id=subject_id,
            ip=meta.ip,
            request_id=meta.request_id,
            user_agent=meta.user_agent,
            detail=detail,
        ),
        uow,
    )
