"""An app with counting test routes, over each store the container can pick."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest

from core.settings import Settings
from infra.container import Container
from tests.conftest import FakeClock
from tests.e2e.idempotency._app import EFFECTS, build_app
from web.features import build_app_container

KEY = "idempotency-key"


CLIENT_IP = "203.0.113.7"


@dataclass
class Harness:
    client: httpx.AsyncClient
    """Drives the app in this test's own loop, so requests really run concurrently
    (Litestar's AsyncTestClient runs each request to completion in a portal thread)."""
    container: Container
    settings: Settings
    clock: FakeClock

    async def effects(self) -> int:
        return int(await self.container.kv.get(EFFECTS) or 0)


def store_environment(request: pytest.FixtureRequest, kind: str) -> dict[str, str]:
    """Settings that make the container pick `kind` for its idempotency store."""
    if kind == "postgres":
        request.getfixturevalue("postgres_database")  # emptied for this test
        return {"DATABASE_URL": request.getfixturevalue("postgres_server").url}
    environment = {"DATABASE_URL": request.getfixturevalue("sqlite_url")}
    if kind == "redis":
        request.getfixturevalue("redis_client")
        environment["REDIS_URL"] = request.getfixturevalue("redis_url")
        environment["REDIS_KEY_PREFIX"] = request.getfixturevalue("redis_prefix")
    return environment


@pytest.fixture
def sqlite_environment(request: pytest.FixtureRequest) -> dict[str, str]:
    return store_environment(request, "sqlite")


@pytest.fixture(params=["sqlite", "postgres", "redis"])
def any_environment(request: pytest.FixtureRequest) -> dict[str, str]:
    # A sync fixture: the session fixtures it may start (migrations) run their own loops.
    return store_environment(request, request.param)


async def _open(
    environment: dict[str, str], make_settings: Callable[..., Settings], clock: FakeClock
) -> AsyncIterator[Harness]:
    settings = make_settings(**environment, IDEMPOTENCY_TTL_SECONDS="3600")
    container = build_app_container(settings, clock=clock)
    app = build_app(settings, container)
    transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Harness(client, container, settings, clock)
    finally:
        await container.aclose()


@pytest.fixture
async def harness(
    sqlite_environment: dict[str, str], make_settings: Callable[..., Settings], clock: FakeClock
) -> AsyncIterator[Harness]:
    """The app on SQLite (the zero-config store)."""
    async for opened in _open(sqlite_environment, make_settings, clock):
        yield opened


@pytest.fixture
async def any_harness(
    any_environment: dict[str, str], make_settings: Callable[..., Settings], clock: FakeClock
) -> AsyncIterator[Harness]:
    """The app on each store the container can pick."""
    async for opened in _open(any_environment, make_settings, clock):
        yield opened
