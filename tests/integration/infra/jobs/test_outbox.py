"""Transactional enqueue: a SQL job store joins the caller's unit of work."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from infra.db.engine import Database
from infra.db.unit_of_work import sql_unit_of_work
from infra.jobs import SqlJobStore
from tests.conftest import FakeClock


class BoomError(Exception):
    pass


async def _write_enqueue_then_fail(database: Database, store: SqlJobStore) -> None:
    async with sql_unit_of_work(database) as uow:
        await uow.session.execute(
            text("INSERT INTO kv_entries (key, value) VALUES ('business', 'row')")
        )
        await store.enqueue("follow.up", uow=uow)
        raise BoomError


async def test_a_rolled_back_write_enqueues_nothing(
    sql_database: Database, clock: FakeClock
) -> None:
    store = SqlJobStore(sql_database, clock)
    with pytest.raises(BoomError):
        await _write_enqueue_then_fail(sql_database, store)
    assert await store.list() == []
    async with sql_database.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT count(*) FROM kv_entries"))).scalar_one()
    assert rows == 0


async def test_a_committed_write_always_has_its_job(
    sql_database: Database, clock: FakeClock
) -> None:
    store = SqlJobStore(sql_database, clock)
    async with sql_unit_of_work(sql_database) as uow:
        await uow.session.execute(
            text("INSERT INTO kv_entries (key, value) VALUES ('business', 'row')")
        )
        job = await store.enqueue("follow.up", dedup_key="once", uow=uow)
        again = await store.enqueue("follow.up", dedup_key="once", uow=uow)
        assert again.id == job.id
    assert [stored.id for stored in await store.list()] == [job.id]
    async with sql_database.engine.connect() as connection:
        value = (await connection.execute(text("SELECT value FROM kv_entries"))).scalar_one()
    assert value == "row"
