"""`db`: each store test on SQLite and on PostgreSQL.

A sync fixture, so the session-scoped migrations (which run their own event loop) are set
up outside the test's loop.
"""

from __future__ import annotations

import pytest

from infra.db.engine import Database


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> Database:
    database: Database = request.getfixturevalue(f"{request.param}_database")
    return database
