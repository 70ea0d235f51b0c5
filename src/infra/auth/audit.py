"""The audit log on SQL: one row per security event, written in the caller's transaction
when it has one (so an event is recorded exactly when its change commits)."""

from __future__ import annotations

import msgspec
from sqlalchemy import select

from common.ids import new_id
from core.ports.audit import AuditEvent
from core.ports.unit_of_work import UnitOfWork
from infra.db.engine import Database
from infra.db.tables.auth import AuditEventRow
from infra.db.unit_of_work import joined_session

__all__ = ["SqlAuditLog"]

_MAX_USER_AGENT = 512
_MAX_REQUEST_ID = 128
_MAX_IP = 64


def _clip(value: str | None, limit: int) -> str | None:
    return None if value is None else value[:limit]


class SqlAuditLog:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def record(self, event: AuditEvent, uow: UnitOfWork | None = None) -> None:
        row = AuditEventRow(
            id=new_id(),
            occurred_at=event.occurred_at,
            event=event.event,
            actor_id=event.actor_id,
            subject_id=event.subject_id,
            org_id=event.org_id,
            ip=_clip(event.ip, _MAX_IP),
            request_id=_clip(event.request_id, _MAX_REQUEST_ID),
            user_agent=_clip(event.user_agent, _MAX_USER_AGENT),
            detail=msgspec.json.encode(event.detail).decode(),
        )
        async with joined_session(self._database, uow) as session:
            session.add(row)
            await session.flush()

    async def events_for(self, actor_id: str, limit: int = 50) -> list[AuditEvent]:
        query = (
            select(AuditEventRow)
            .where(AuditEventRow.actor_id == actor_id)
            .order_by(AuditEventRow.occurred_at.desc(), AuditEventRow.id.desc())
            .limit(limit)
        )
        async with self._database.session() as session:
            rows = (await session.execute(query)).scalars().all()
        return [
            AuditEvent(
                event=row.event,
                occurred_at=row.occurred_at,
                actor_id=row.actor_id,
                subject_id=row.subject_id,
                org_id=row.org_id,
                ip=row.ip,
                request_id=row.request_id,
                user_agent=row.user_agent,
                detail=msgspec.json.decode(row.detail, type=dict[str, str]),
            )
            for row in rows
        ]
