"""Use cases against the real SQL stores (SQLite), called directly: the edge cases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from core.ports.email import EmailDeliveryError, EmailMessage
from core.settings import Settings
from infra.container import Container
from tests.conftest import FakeClock
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


@pytest.fixture
async def container(
    make_settings: Callable[..., Settings], sqlite_url: str, clock: FakeClock
) -> AsyncIterator[Container]:
    built = build_app_container(make_settings(DATABASE_URL=sqlite_url), clock=clock)
    yield built
    await built.aclose()
