"""Organisations and memberships on SQL.

`lock_members` and `sole_owned` take `SELECT … FOR UPDATE` on the organisation rows on
PostgreSQL (SQLite's `BEGIN IMMEDIATE` already serialises writers), so decisions about the
last owner are made on a list nobody else can change before the transaction ends.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ports.unit_of_work import UnitOfWork
from infra.db.engine import Database
from infra.db.tables.auth import UserRow
from infra.db.tables.orgs import OrgMemberRow, OrgRow
from infra.db.unit_of_work import joined_session
from infra.db.upsert import insert_for
from modules.orgs.models import Member, Membership, NewOrg, Org, SoleOwnedOrg
from policies.roles import Role

__all__ = ["SqlOrgStore"]


class SqlOrgStore:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._dialect = database.engine.dialect.name

    async def create(self, org: NewOrg) -> Org:
        async with self._database.session() as session, session.begin():
            session.add(
                OrgRow(
                    id=org.id, name=org.name, created_by=org.created_by, created_at=org.created_at
                )
            )
            await session.flush()
            session.add(
                OrgMemberRow(
                    org_id=org.id,
                    user_id=org.created_by,
                    role=Role.OWNER.value,
                    created_at=org.created_at,
                )
            )
        return Org(id=org.id, name=org.name, role=Role.OWNER, created_at=org.created_at)

    async def _orgs(self, *criteria: ColumnElement[bool]) -> list[Org]:
        query = (
            select(OrgRow.id, OrgRow.name, OrgRow.created_at, OrgMemberRow.role)
            .join(OrgMemberRow, OrgMemberRow.org_id == OrgRow.id)
            .where(*criteria)
            .order_by(OrgRow.created_at, OrgRow.id)
        )
        async with self._database.session() as session:
            rows = (await session.execute(query)).all()
        return [
            Org(id=row.id, name=row.name, role=Role(row.role), created_at=row.created_at)
            for row in rows
        ]

    async def for_user(self, user_id: str) -> list[Org]:
        return await self._orgs(OrgMemberRow.user_id == user_id)

    async def get(self, org_id: str, user_id: str) -> Org | None:
        found = await self._orgs(OrgRow.id == org_id, OrgMemberRow.user_id == user_id)
        return found[0] if found else None

    async def role_of(self, org_id: str, user_id: str) -> str | None:
        """`owner`, `admin`, `member` or None: the `OrgRoles` port other features ask."""
        query = select(OrgMemberRow.role).where(
            OrgMemberRow.org_id == org_id, OrgMemberRow.user_id == user_id
        )
        async with self._database.session() as session:
            return (await session.execute(query)).scalar_one_or_none()

    @staticmethod
    async def _members(session: AsyncSession, org_id: str) -> list[Member]:
        query = (
            select(
                OrgMemberRow.user_id,
                OrgMemberRow.role,
                OrgMemberRow.created_at,
                UserRow.email,
                UserRow.name,
            )
            .join(UserRow, UserRow.id == OrgMemberRow.user_id)
            .where(OrgMemberRow.org_id == org_id)
            .order_by(OrgMemberRow.created_at, OrgMemberRow.user_id)
        )
        return [
            Member(
                user_id=row.user_id,
                email=row.email,
                name=row.name,
                role=Role(row.role),
                joined_at=row.created_at,
            )
            for row in (await session.execute(query)).all()
        ]

    async def members(self, org_id: str) -> list[Member]:
        async with self._database.session() as session:
            return await self._members(session, org_id)

    async def lock_members(self, org_id: str, uow: UnitOfWork) -> list[Member]:
        async with joined_session(self._database, uow) as session:
            locked = await session.execute(
                select(OrgRow.id).where(OrgRow.id == org_id).with_for_update()
            )
            if locked.first() is None:
                return []
            return await self._members(session, org_id)

    async def set_role(self, org_id: str, user_id: str, role: Role, uow: UnitOfWork) -> None:
        async with joined_session(self._database, uow) as session:
            await session.execute(
                update(OrgMemberRow)
                .where(OrgMemberRow.org_id == org_id, OrgMemberRow.user_id == user_id)
                .values(role=role.value)
            )

    async def remove_member(self, org_id: str, user_id: str, uow: UnitOfWork) -> None:
        async with joined_session(self._database, uow) as session:
            await session.execute(
                delete(OrgMemberRow).where(
                    OrgMemberRow.org_id == org_id, OrgMemberRow.user_id == user_id
                )
            )

    async def add_member(
        self, org_id: str, user_id: str, role: Role, at: datetime, uow: UnitOfWork | None = None
    ) -> Membership:
        insert = (
            insert_for(self._dialect, OrgMemberRow)
            .values(org_id=org_id, user_id=user_id, role=role.value, created_at=at)
            .on_conflict_do_nothing(index_elements=[OrgMemberRow.org_id, OrgMemberRow.user_id])
        )
        async with joined_session(self._database, uow) as session:
            await session.execute(insert)
            row = (
                await session.execute(
                    select(OrgMemberRow.role, OrgMemberRow.created_at).where(
                        OrgMemberRow.org_id == org_id, OrgMemberRow.user_id == user_id
                    )
                )
            ).one()
        return Membership(
            org_id=org_id, user_id=user_id, role=Role(row.role), joined_at=row.created_at
        )

    async def sole_owned(self, user_id: str, uow: UnitOfWork) -> list[SoleOwnedOrg]:
        owned = select(OrgMemberRow.org_id).where(
            OrgMemberRow.user_id == user_id, OrgMemberRow.role == Role.OWNER.value
        )
        async with joined_session(self._database, uow) as session:
            org_ids = [
                row.id
                for row in await session.execute(
                    select(OrgRow.id)
                    .where(OrgRow.id.in_(owned))
                    .order_by(OrgRow.id)
                    .with_for_update()
                )
            ]
            if not org_ids:
                return []
            counts = (
                select(
                    OrgMemberRow.org_id,
                    func.count().label("members"),
                    func.count().filter(OrgMemberRow.role == Role.OWNER.value).label("owners"),
                )
                .where(OrgMemberRow.org_id.in_(org_ids))
                .group_by(OrgMemberRow.org_id)
            )
            rows = (await session.execute(counts)).all()
        return [
            SoleOwnedOrg(org_id=row.org_id, member_count=int(row.members))
            for row in rows
            if int(row.owners) == 1
        ]

    async def delete(self, org_id: str, uow: UnitOfWork | None = None) -> None:
        async with joined_session(self._database, uow) as session:
            await session.execute(delete(OrgRow).where(OrgRow.id == org_id))
