"""Refresh-token families on SQL: rotation is one conditional UPDATE, never read-then-write.

`rotate` marks the presented token spent with `UPDATE … WHERE spent_at IS NULL RETURNING`.
On PostgreSQL a concurrent rotation of the same token waits on the row lock, re-checks the
WHERE once the first commits, finds the token spent and takes the reuse branch; on SQLite
every transaction is `BEGIN IMMEDIATE`, so the two run one after the other. Either way
exactly one caller rotates.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ports.unit_of_work import UnitOfWork
from infra.db.engine import Database
from infra.db.tables.auth import RefreshFamilyRow, RefreshTokenRow
from infra.db.unit_of_work import joined_session
from modules.auth.models import (
    NewFamily,
    NewRefreshToken,
    Rotation,
    RotationOutcome,
    Session,
)

__all__ = ["SqlRefreshTokenStore"]

_REASON_REUSED = "reused"


def _session(row: RefreshFamilyRow) -> Session:
    return Session(
        id=row.id,
        user_id=row.user_id,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        ip=row.ip,
        user_agent=row.user_agent,
        amr=tuple(row.amr.split()),
        mfa_at=row.mfa_at,
        revoked_at=row.revoked_at,
    )


def _token_row(family_id: str, token: NewRefreshToken) -> RefreshTokenRow:
    return RefreshTokenRow(
        token_hash=token.token_hash,
        family_id=family_id,
        issued_at=token.issued_at,
        expires_at=token.expires_at,
    )


class SqlRefreshTokenStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def start(
        self, family: NewFamily, token: NewRefreshToken, uow: UnitOfWork | None = None
    ) -> Session:
        row = RefreshFamilyRow(
            id=family.id,
            user_id=family.user_id,
            created_at=family.created_at,
            last_used_at=family.created_at,
            ip=family.ip,
            user_agent=family.user_agent,
            amr=" ".join(family.amr),
            mfa_at=family.mfa_at,
        )
        async with joined_session(self._database, uow) as session:
            session.add(row)
            await session.flush()
            session.add(_token_row(family.id, token))
            await session.flush()
            return _session(row)

    async def rotate(
        self,
        token_hash: str,
        replacement: NewRefreshToken,
        *,
        now: datetime,
        ip: str | None,
        user_agent: str | None,
    ) -> Rotation:
        live_families = select(RefreshFamilyRow.id).where(RefreshFamilyRow.revoked_at.is_(None))
        spend = (
            update(RefreshTokenRow)
            .where(
                RefreshTokenRow.token_hash == token_hash,
                RefreshTokenRow.spent_at.is_(None),
                RefreshTokenRow.expires_at > now,
                RefreshTokenRow.family_id.in_(live_families),
            )
            .values(spent_at=now)
            .returning(RefreshTokenRow.family_id)
            .execution_options(synchronize_session=False)
        )
        async with self._database.session() as session, session.begin():
            family_id = (await session.execute(spend)).scalar_one_or_none()
            if family_id is not None:
                session.add(_token_row(family_id, replacement))
                touched = await self._touch(session, family_id, now, ip, user_agent)
                return Rotation(outcome=RotationOutcome.ROTATED, session=touched)
            presented = (
                await session.execute(
                    select(RefreshTokenRow.family_id, RefreshTokenRow.spent_at).where(
                        RefreshTokenRow.token_hash == token_hash
                    )
                )
            ).first()
            if presented is None or presented.spent_at is None:
                return Rotation(outcome=RotationOutcome.INVALID)
            revoked = await self._revoke(session, presented.family_id, _REASON_REUSED, now)
            family = revoked or await session.get(RefreshFamilyRow, presented.family_id)
            return Rotation(
                outcome=RotationOutcome.REUSED,
                session=None if family is None else _session(family),
            )

    async def _touch(
        self,
        session: AsyncSession,
        family_id: str,
        now: datetime,
        ip: str | None,
        user_agent: str | None,
    ) -> Session:
        row = (
            await session.execute(
                update(RefreshFamilyRow)
                .where(RefreshFamilyRow.id == family_id)
                .values(last_used_at=now, ip=ip, user_agent=user_agent)
                .returning(RefreshFamilyRow)
            )
        ).scalar_one()
        return _session(row)

    async def _revoke(
        self,
        session: AsyncSession,
        family_id: str,
        reason: str,
        at: datetime,
        user_id: str | None = None,
    ) -> RefreshFamilyRow | None:
        statement = update(RefreshFamilyRow).where(
            RefreshFamilyRow.id == family_id, RefreshFamilyRow.revoked_at.is_(None)
        )
        if user_id is not None:
            statement = statement.where(RefreshFamilyRow.user_id == user_id)
        result = await session.execute(
            statement.values(revoked_at=at, revoked_reason=reason).returning(RefreshFamilyRow)
        )
        return result.scalar_one_or_none()

    async def step_up(
        self,
        session_id: str,
        user_id: str,
        replacement: NewRefreshToken,
        *,
        amr: tuple[str, ...],
        mfa_at: datetime,
    ) -> Session | None:
        async with self._database.session() as session, session.begin():
            row = (
                await session.execute(
                    update(RefreshFamilyRow)
                    .where(
                        RefreshFamilyRow.id == session_id,
                        RefreshFamilyRow.user_id == user_id,
                        RefreshFamilyRow.revoked_at.is_(None),
                    )
                    .values(amr=" ".join(amr), mfa_at=mfa_at, last_used_at=mfa_at)
                    .returning(RefreshFamilyRow)
                )
            ).scalar_one_or_none()
            if row is None:
                return None
            await session.execute(
                update(RefreshTokenRow)
                .where(RefreshTokenRow.family_id == session_id, RefreshTokenRow.spent_at.is_(None))
                .values(spent_at=mfa_at)
            )
            session.add(_token_row(session_id, replacement))
            return _session(row)

    async def get(self, session_id: str) -> Session | None:
        async with self._database.session() as session:
            row = await session.get(RefreshFamilyRow, session_id)
            return None if row is None else _session(row)

    async def revoke(
        self, session_id: str, *, reason: str, at: datetime, user_id: str | None = None
    ) -> Session | None:
        async with self._database.session() as session, session.begin():
            row = await self._revoke(session, session_id, reason, at, user_id)
            return None if row is None else _session(row)

    async def revoke_by_token(
        self, token_hash: str, *, reason: str, at: datetime
    ) -> Session | None:
        async with self._database.session() as session, session.begin():
            family_id = (
                await session.execute(
                    select(RefreshTokenRow.family_id).where(
                        RefreshTokenRow.token_hash == token_hash
                    )
                )
            ).scalar_one_or_none()
            if family_id is None:
                return None
            row = await self._revoke(session, family_id, reason, at)
            return None if row is None else _session(row)

    async def revoke_all(
        self, user_id: str, *, reason: str, at: datetime, uow: UnitOfWork | None = None
    ) -> int:
        async with joined_session(self._database, uow) as session:
            result = await session.execute(
                update(RefreshFamilyRow)
                .where(RefreshFamilyRow.user_id == user_id, RefreshFamilyRow.revoked_at.is_(None))
                .values(revoked_at=at, revoked_reason=reason)
                .returning(RefreshFamilyRow.id)
            )
            return len(result.all())

    async def active(self, user_id: str, now: datetime) -> list[Session]:
        live_token = exists().where(
            RefreshTokenRow.family_id == RefreshFamilyRow.id,
            RefreshTokenRow.spent_at.is_(None),
            RefreshTokenRow.expires_at > now,
        )
        query = (
            select(RefreshFamilyRow)
            .where(
                RefreshFamilyRow.user_id == user_id,
                RefreshFamilyRow.revoked_at.is_(None),
                live_token,
            )
            .order_by(RefreshFamilyRow.created_at.desc(), RefreshFamilyRow.id.desc())
        )
        async with self._database.session() as session:
            return [_session(row) for row in (await session.execute(query)).scalars()]
