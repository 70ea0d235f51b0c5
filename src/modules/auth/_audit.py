"""One line per security event, with who, from where and in which request."""

from __future__ import annotations

from common.audit import record_audit
from common.request_meta import RequestMeta
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
    """`record_audit` with the auth use cases' log and clock."""
    await record_audit(
        deps.audit,
        deps.clock,
        event,
        meta,
        actor_id=actor_id,
        subject_id=subject_id,
        uow=uow,
        **detail,
    )
