"""Budget stores per adapter (memory, SQLite, PostgreSQL, Redis), all on the test's clock.

`open_budget_store()` opens a *new* connection to the same backing service each call, so a
test can "restart" the process and check what survived.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from redis.asyncio import Redis

from core.ports.budget import BudgetStore
from infra.budget import MemoryBudgetStore, RedisBudgetStore, SqlBudgetStore
from infra.db.engine import Database, create_database
from tests.conftest import FakeClock

OpenStore = Callable[[], BudgetStore]


@pytest.fixture(params=["memory", "sqlite", "postgres", "redis"])
def budget_backend(request: pytest.FixtureRequest) -> tuple[str, str, str]:
    """(adapter, url, redis prefix); resolved synchronously (the SQLite template runs Alembic)."""
    adapter: str = request.param
    if adapter == "redis":
        request.getfixturevalue("redis_client")
        return (
            adapter,
            request.getfixturevalue("redis_url"),
            request.getfixturevalue("redis_prefix"),
        )
    if adapter == "sqlite":
        return adapter, request.getfixturevalue("sqlite_url"), ""
    if adapter == "postgres":
        request.getfixturevalue("postgres_database")  # empties the tables
        return adapter, request.getfixturevalue("postgres_server").url, ""
    return adapter, "", ""


@pytest.fixture
async def open_budget_store(
    budget_backend: tuple[str, str, str], clock: FakeClock
) -> AsyncIterator[OpenStore]:
    adapter, url, prefix = budget_backend
    closers: list[Database | Redis] = []
    memory = MemoryBudgetStore(clock)

    def open_store() -> BudgetStore:
        if adapter == "memory":
            return memory
        if adapter == "redis":
            client = Redis.from_url(url)
            closers.append(client)
            return RedisBudgetStore(client, clock, prefix)
        database = create_database(url)
        closers.append(database)
        return SqlBudgetStore(database, clock)

    yield open_store
    for closer in closers:
        if isinstance(closer, Redis):
            await closer.aclose()
        else:
            await closer.dispose()


@pytest.fixture
def budget_store(open_budget_store: OpenStore) -> BudgetStore:
    return open_budget_store()
