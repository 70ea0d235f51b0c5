"""SQL-only: lapsed rows stay until the cleanup job purges them; live rows are never touched."""

from __future__ import annotations

import pytest

from infra.db.engine import Database
from infra.kv.sql import SqlKeyValueStore
from tests.conftest import FakeClock


@pytest.fixture(params=["sqlite", "postgres"])
def sql_store(request: pytest.FixtureRequest, clock: FakeClock) -> SqlKeyValueStore:
    database: Database = request.getfixturevalue(f"{request.param}_database")
    return SqlKeyValueStore(database, clock)


async def test_purge_expired_deletes_only_lapsed_entries(
    sql_store: SqlKeyValueStore, clock: FakeClock
) -> None:
    store = sql_store
    await store.set("lapsed", "v", ttl_seconds=5)
    await store.incr("lapsed-counter", ttl_seconds=5)
    await store.set("fresh", "v", ttl_seconds=50)
    await store.set("forever", "v")
    clock.advance(5)

    assert await store.purge_expired() == 2
    assert await store.purge_expired() == 0
    assert [await store.get(key) for key in ("fresh", "forever")] == ["v", "v"]
