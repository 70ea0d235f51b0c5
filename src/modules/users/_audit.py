"""Security events of this module (role changes, invitations, account deletion)."""

from __future__ import annotations

from common.request_meta import RequestMeta
from core.ports.audit import AuditEvent
from core.ports.unit_of_work import UnitOfWork
from modules.users.deps import UsersDeps

__all__ = ["audit"]


async def audit(
    deps: UsersDeps,
    event: str,
    meta: RequestMeta,
    *,
    actor_id: str,
    subject_id: str | None = None,
    org_id: str | None = None,
    uow: UnitOfWork | None = None,
    **detail: str,
) -> None:
    await deps.audit.record(
        AuditEvent(
            event=event,
            occurred_at=deps.clock.now(),
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
