"""Auth over HTTP: the real app on SQLite and on PostgreSQL, with a clock the test moves."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import pyotp
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from core.settings import Settings
from infra.container import Container
from infra.email.console import ConsoleEmailSender
from tests.conftest import FakeClock
from web.app import create_app
from web.features import build_app_container

PASSWORD = "tangerine orbit cactus 47"
NEW_PASSWORD = "lantern meadow quartz 1988"

Client = AsyncTestClient[Litestar]
T = TypeVar("T")


@pytest.fixture(params=["sqlite", "postgres"])
def database_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """DATABASE_URL for each backend; the PostgreSQL one is emptied first."""
    if request.param == "sqlite":
        return {"DATABASE_URL": request.getfixturevalue("sqlite_url")}
    request.getfixturevalue("postgres_database")
    return {"DATABASE_URL": request.getfixturevalue("postgres_server").url}


class AppFactory:
    """Builds apps, each with its own container, sharing the test's clock.

    The test client serves the app from its own event loop (a portal thread), so the app's
    container is used and closed there; `in_app` runs a coroutine on that loop.
    """

    def __init__(self, make_settings: Callable[..., Settings], clock: FakeClock) -> None:
        self._make_settings = make_settings
        self.clock = clock

    @asynccontextmanager
    async def client(
        self, *, base_url: str = "http://testserver.local", **env: str
    ) -> AsyncIterator[tuple[Client, Container]]:
        container = build_app_container(self._make_settings(**env), clock=self.clock)
        app = create_app(container.settings, container=container)
        async with AsyncTestClient(app, base_url=base_url) as client:
            try:
                yield client, container
            finally:
                client.blocking_portal.call(container.aclose)


@pytest.fixture
async def apps(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> AsyncIterator[AppFactory]:
    return AppFactory(make_settings, clock)


@pytest.fixture
async def app(
    apps: AppFactory, database_env: dict[str, str]
) -> AsyncIterator[tuple[Client, Container]]:
    async with apps.client(**database_env) as pair:
        yield pair


def in_app(client: Client, function: Callable[..., Awaitable[T]], *args: Any) -> T:
    """Run `function(*args)` on the app's event loop (where its connections live)."""
    return client.blocking_portal.call(function, *args)


def mailed_token(container: Container, to: str, subject_part: str) -> str:
    """The token in the newest console-outbox message to `to` whose subject matches."""
    sender = container.email
    assert isinstance(sender, ConsoleEmailSender)
    for _, message in reversed(sender.outbox):
        if message.to == to and subject_part in message.subject:
            match = re.search(r"Token: (\S+)", message.text)
            assert match, message.text
            return match.group(1)
    raise AssertionError(f"no mail to {to} about {subject_part!r}")


async def register(
    client: Client, email: str, password: str = PASSWORD, **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": password, **extra}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def login(client: Client, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def code_at(secret: str, clock: FakeClock) -> str:
    return pyotp.TOTP(secret).at(clock.now())


async def enable_mfa(
    client: Client, tokens: dict[str, Any], clock: FakeClock
) -> tuple[str, list[str]]:
    """Turn MFA on for the token's user; returns the secret and the recovery codes."""
    setup = await client.post("/api/v1/auth/mfa/setup", headers=bearer(tokens))
    assert setup.status_code == 200, setup.text
    secret = setup.json()["secret"]
    enabled = await client.post(
        "/api/v1/auth/mfa/enable", json={"code": code_at(secret, clock)}, headers=bearer(tokens)
    )
    assert enabled.status_code == 200, enabled.text
    return secret, enabled.json()["recovery_codes"]


Login = Callable[..., Awaitable[dict[str, Any]]]
