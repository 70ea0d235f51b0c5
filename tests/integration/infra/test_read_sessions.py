"""Read sessions see the last commit and, on SQLite, never queue behind a writer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, insert, select

from infra.db.engine import Database
from infra.db.tables.kv import KvEntry

READ_DEADLINE_SECONDS = 5.0
"""Far below SQLite's 30 s busy timeout: a read that waited for the write lock misses it."""


async def _count(database: Database) -> int:
    async with database.read_session() as session:
        return int((await session.execute(select(func.count()).select_from(KvEntry))).scalar_one())


async def test_a_read_runs_while_a_writer_holds_its_transaction_open(database: Database) -> None:
    before = await _count(database)
    row = {
        "key": "read-session-probe",
        "value": "x",
        "expires_at": datetime(2099, 1, 1, tzinfo=UTC),
    }
    async with database.session() as writer, writer.begin():
        await writer.execute(insert(KvEntry).values(**row))

        during = await asyncio.wait_for(_count(database), READ_DEADLINE_SECONDS)

        assert during == before  # the uncommitted row is not seen
    assert await _count(database) == before + 1


async def test_many_reads_at_once_all_complete(database: Database) -> None:
    counts = await asyncio.wait_for(
        asyncio.gather(*(_count(database) for _ in range(32))), READ_DEADLINE_SECONDS
    )
    assert len(set(counts)) == 1
