"""`db`: each billing store test runs on SQLite and on PostgreSQL.

A sync fixture on purpose: the shared async `database` fixture would build the migrated
SQLite template (Alembic's own `asyncio.run`) inside the running test loop.
"""

from __future__ import annotations

import pytest

from infra.db.engine import Database


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> Database:
    database: Database = request.getfixturevalue(f"{request.param}_database")
    return database
