"""Organisation invitations on SQL; accepting one is a conditional UPDATE (single use)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from core.ports.unit_of_work import UnitOfWork
from infra.db.engine import Database
from infra.db.tables.orgs import OrgInvitationRow
from infra.db.unit_of_work import joined_session
from modules.orgs.models import Invitation, NewInvitation
from policies.roles import Role

__all__ = ["SqlInvitationStore"]


def _invitation(row: OrgInvitationRow) -> Invitation:
    return Invitation(
        id=row.id,
        org_id=row.org_id,
        email=row.email,
        role=Role(row.role),
        created_at=row.created_at,
        expires_at=row.expires_at,
        accepted_at=row.accepted_at,
    )


class SqlInvitationStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def create(self, invitation: NewInvitation) -> Invitation:
        row = OrgInvitationRow(
            id=invitation.id,
            org_id=invitation.org_id,
            email=invitation.email,
            role=invitation.role.value,
            token_hash=invitation.token_hash,
            invited_by=invitation.invited_by,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
        )
        async with self._database.session() as session, session.begin():
            session.add(row)
        return _invitation(row)

    async def pending(self, token_hash: str, now: datetime) -> Invitation | None:
        query = select(OrgInvitationRow).where(
            OrgInvitationRow.token_hash == token_hash,
            OrgInvitationRow.accepted_at.is_(None),
            OrgInvitationRow.expires_at > now,
        )
        async with self._database.session() as session:
            row = (await session.execute(query)).scalar_one_or_none()
            return None if row is None else _invitation(row)

    async def accept(
        self, token_hash: str, user_id: str, now: datetime, uow: UnitOfWork | None = None
    ) -> Invitation | None:
        statement = (
            update(OrgInvitationRow)
            .where(
                OrgInvitationRow.token_hash == token_hash,
                OrgInvitationRow.accepted_at.is_(None),
                OrgInvitationRow.expires_at > now,
            )
            .values(accepted_at=now, accepted_by=user_id)
            .returning(OrgInvitationRow)
        )
        async with joined_session(self._database, uow) as session:
            row = (await session.execute(statement)).scalar_one_or_none()
            return None if row is None else _invitation(row)
