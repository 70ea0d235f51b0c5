"""A billing harness: the real app on a chosen store, a clock we control, signed deliveries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from litestar import Litestar
from sqlalchemy import func, select

from core.settings import Settings
from infra.container import Container
from infra.db.tables.billing import (
    BillingCustomer,
    BillingPayment,
    BillingSubscription,
    BillingWebhookReview,
)
from infra.db.tables.idempotency import IdempotencyKey
from tests.conftest import FakeClock, issue_access_token
from tests.e2e.billing._events import WEBHOOK_SECRET, sign
from web.app import create_app
from web.features import build_app_container

WEBHOOK_PATH = "/webhooks/stripe"
RECEIPT_JOB = "event.payment.received.billing_receipt"
STORES = ["sqlite", "postgres", "redis"]
"""Where the dedup guard keeps its markers: SQLite/PostgreSQL rows, or Redis keys (on PG)."""


def store_environment(request: pytest.FixtureRequest, kind: str) -> dict[str, str]:
    if kind == "sqlite":
        return {"DATABASE_URL": request.getfixturevalue("sqlite_url")}
    request.getfixturevalue("postgres_database")  # emptied for this test
    environment = {"DATABASE_URL": request.getfixturevalue("postgres_server").url}
    if kind == "redis":
        request.getfixturevalue("redis_client")
        environment["REDIS_URL"] = request.getfixturevalue("redis_url")
        environment["REDIS_KEY_PREFIX"] = request.getfixturevalue("redis_prefix")
    return environment


@asynccontextmanager
async def live_server(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """Serve `app` with uvicorn on a loopback port, in this event loop, and a client for it.

    A real server (not the test client, which runs each request to completion in turn) so
    that concurrent requests are really concurrent.
    """
    # A keep-alive longer than any test: the client may reuse a connection after a slow
    # phase, and the server closing it at that very moment would read as a failure.
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_config=None, access_log=False, timeout_keep_alive=120
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        if task.done() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    client = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=50),
        timeout=60.0,
    )
    try:
        yield client
    finally:
        await client.aclose()
        server.should_exit = True
        await task


@dataclass
class BillingHarness:
    client: httpx.AsyncClient
    container: Container
    settings: Settings
    clock: FakeClock

    def auth(self, user_id: str = "user-1", **headers: str) -> dict[str, str]:
        token = issue_access_token(self.settings, user_id, now=self.clock.now())
        return {"Authorization": f"Bearer {token}", **headers}

    @property
    def now(self) -> int:
        return int(self.clock.now().timestamp())

    async def deliver(
        self, payload: bytes, *, offset: int = 0, secret: str = WEBHOOK_SECRET
    ) -> httpx.Response:
        signature = sign(payload, self.now + offset, secret)
        return await self.client.post(
            WEBHOOK_PATH,
            content=payload,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )

    async def forget_markers(self) -> None:
        """Let the dedup markers lapse, as hours or days would (Redis keys expire on their own)."""
        self.clock.advance(self.settings.processed_retention_seconds + 1)
        redis = self.container.redis
        if redis is not None:
            markers = f"{self.settings.redis_key_prefix}idem:guard:*"
            async for key in redis.scan_iter(match=markers):
                await redis.delete(key)

    async def receipt_jobs(self) -> int:
        """Receipt jobs enqueued for `PaymentReceived` (whatever the job store)."""
        jobs = await self.container.jobs.list(limit=1000)
        return sum(1 for job in jobs if job.name == RECEIPT_JOB)

    async def rows(self, table: Any) -> int:
        async with self.container.database.session() as session:
            count = await session.execute(select(func.count()).select_from(table))
            return int(count.scalar_one())

    async def stored(self) -> dict[str, int]:
        """Row counts of everything a delivery could write."""
        return {
            "customers": await self.rows(BillingCustomer),
            "subscriptions": await self.rows(BillingSubscription),
            "payments": await self.rows(BillingPayment),
            "reviews": await self.rows(BillingWebhookReview),
            "markers": await self.rows(IdempotencyKey),
        }


async def open_harness(settings: Settings, clock: FakeClock) -> AsyncIterator[BillingHarness]:
    container = build_app_container(settings, clock=clock)
    try:
        async with live_server(create_app(settings, container=container)) as client:
            yield BillingHarness(client, container, settings, clock)
    finally:
        await container.aclose()


@pytest.fixture
def billing_settings(make_settings: Callable[..., Settings]) -> Callable[..., Settings]:
    def factory(**env: str) -> Settings:
        return make_settings(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, **env)

    return factory


@pytest.fixture
def sqlite_environment(request: pytest.FixtureRequest) -> dict[str, str]:
    return store_environment(request, "sqlite")


@pytest.fixture(params=STORES)
def any_environment(request: pytest.FixtureRequest) -> dict[str, str]:
    # A sync fixture: the migrated SQLite template runs Alembic's own event loop.
    return store_environment(request, request.param)


@pytest.fixture
async def harness(
    sqlite_environment: dict[str, str],
    billing_settings: Callable[..., Settings],
    clock: FakeClock,
) -> AsyncIterator[BillingHarness]:
    """The app on SQLite, zero-config style (fake gateway, SQL guard)."""
    async for opened in open_harness(billing_settings(**sqlite_environment), clock):
        yield opened


@pytest.fixture
async def any_store(
    any_environment: dict[str, str],
    billing_settings: Callable[..., Settings],
    clock: FakeClock,
) -> AsyncIterator[BillingHarness]:
    """The app with its dedup markers on SQLite, PostgreSQL, or Redis."""
    async for opened in open_harness(billing_settings(**any_environment), clock):
        yield opened
