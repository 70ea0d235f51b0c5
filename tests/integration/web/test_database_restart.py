"""PostgreSQL drops every connection (a restart, a failover): the request that meets a dead
pooled connection gets a retryable 503, the pool is invalidated, the next request reconnects;
never a 500. (There is no pre-ping, which would cost a round trip on every checkout.)"""

from __future__ import annotations

from collections.abc import Callable

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from infra.db.engine import create_database
from tests.conftest import PostgresServer, issue_access_token

TERMINATE_OTHERS = text(
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


async def _drop_every_other_connection(url: str) -> int:
    admin = create_database(url)
    try:
        async with admin.engine.connect() as connection:
            return int((await connection.execute(TERMINATE_OTHERS)).scalar_one())
    finally:
        await admin.dispose()


async def test_dropped_connections_cost_one_503_then_the_app_reconnects(
    make_app: Callable[..., Litestar], postgres_server: PostgresServer
) -> None:
    app = make_app(DATABASE_URL=postgres_server.url)
    token = issue_access_token(app.state.container.settings, "user-restart")
    headers = {"Authorization": f"Bearer {token}"}
    async with AsyncTestClient(app) as client:
        assert (await client.get("/api/v1/tasks/nope", headers=headers)).status_code == 404

        assert await _drop_every_other_connection(postgres_server.url) >= 1
        during = await client.get("/api/v1/tasks/nope", headers=headers)
        after = await client.get("/api/v1/tasks/nope", headers=headers)

    assert during.status_code == 503, during.text
    assert during.json()["type"].endswith("/service-unavailable")
    assert during.headers["retry-after"]
    assert after.status_code == 404, after.text
