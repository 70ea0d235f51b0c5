"""An AI harness: the real app (fake model) on a chosen budget store, served for real.

A live uvicorn server rather than the test client, so concurrent requests really overlap.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from litestar import Litestar

from ai._tokens import estimate_prompt_tokens
from core.ports.llm import ChatMessage
from core.settings import Settings
from infra.container import Container
from infra.llm import FakeLLMProvider
from infra.llm.install import LLMAdapters
from tests.conftest import issue_access_token
from tests.e2e.ai._app import build_app
from web.features import build_app_container

STORES = ["sqlite", "postgres", "redis"]
JWT_SECRET = "e2e-ai-secret-that-is-long-enough-0123456789"
PROMPT = "." * 20
"""One fake token per byte: the fake model's count is the gateway's estimate minus one."""
MAX_TOKENS = 20
WORST_CASE = estimate_prompt_tokens([ChatMessage(role="user", content=PROMPT)]) + MAX_TOKENS


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


@pytest.fixture(params=STORES)
def store_env(request: pytest.FixtureRequest) -> dict[str, str]:
    # A sync fixture: the migrated SQLite template runs Alembic's own event loop.
    env = store_environment(request, request.param)
    return {**env, "STORE": request.param}


@pytest.fixture
def sqlite_env(request: pytest.FixtureRequest) -> dict[str, str]:
    return {**store_environment(request, "sqlite"), "STORE": "sqlite"}


@pytest.fixture
def ai_settings(make_settings: Callable[..., Settings]) -> Callable[..., Settings]:
    def factory(env: dict[str, str], **overrides: str) -> Settings:
        values = {k: v for k, v in env.items() if k != "STORE"}
        return make_settings(JWT_SECRET=JWT_SECRET, **values, **overrides)

    return factory


@asynccontextmanager
async def live_server(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False)
    )
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
class AIHarness:
    client: httpx.AsyncClient
    container: Container
    settings: Settings

    def auth(self, user_id: str = "user-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_access_token(self.settings, user_id)}"}

    @property
    def provider(self) -> FakeLLMProvider:
        provider = self.container.services.get(LLMAdapters).provider
        assert isinstance(provider, FakeLLMProvider)
        return provider

    async def complete(self, user_id: str = "user-1", **body: object) -> httpx.Response:
        payload = {"feature": "chat", "prompt": PROMPT, "max_tokens": MAX_TOKENS, **body}
        return await self.client.post(
            "/api/v1/ai/complete", json=payload, headers=self.auth(user_id)
        )


@asynccontextmanager
async def open_harness(settings: Settings) -> AsyncIterator[AIHarness]:
    container = build_app_container(settings)
    try:
        async with live_server(build_app(settings, container)) as client:
            yield AIHarness(client, container, settings)
    finally:
        await container.aclose()


@pytest.fixture
async def harness(
    sqlite_env: dict[str, str], ai_settings: Callable[..., Settings]
) -> AsyncIterator[AIHarness]:
    async with open_harness(ai_settings(sqlite_env)) as opened:
        yield opened
