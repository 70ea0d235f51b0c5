"""Use cases against the real SQL stores (SQLite and PostgreSQL), called directly."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from core.ports.email import EmailDeliveryError, EmailMessage
from core.settings import Settings
from infra.container import Container
from modules.auth.deps import AuthDeps
from tests.conftest import FakeClock, PostgresServer
from web.auth.dependencies import auth_deps
from web.features import build_app_container


class BrokenEmail:
    adapter = "broken"

    def __init__(self) -> None:
        self.attempts: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> str:
        self.attempts.append(message)
        raise EmailDeliveryError("provider down")

    async def ping(self) -> None:
        raise EmailDeliveryError("provider down")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each use-case test runs on both databases; the PostgreSQL one is emptied first."""
    if request.param == "sqlite":
        url: str = request.getfixturevalue("sqlite_url")
        return url
    request.getfixturevalue("postgres_database")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.url


@pytest.fixture
async def container(
    make_settings: Callable[..., Settings], database_url: str, clock: FakeClock
) -> AsyncIterator[Container]:
    built = build_app_container(make_settings(DATABASE_URL=database_url), clock=clock)
    yield built
    await built.aclose()


@pytest.fixture
def deps(container: Container) -> AuthDeps:
    return auth_deps(container)
