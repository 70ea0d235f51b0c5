"""`db`: SQLite and PostgreSQL (a sync fixture: the SQLite template runs Alembic's own loop)."""

from __future__ import annotations

import pytest

from infra.db.engine import Database


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> Database:
    database: Database = request.getfixturevalue(f"{request.param}_database")
    return database
