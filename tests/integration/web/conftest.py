"""An app on a migrated SQLite copy, with test-only routes, and its JSON log lines."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import shutil
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import structlog
from litestar import Litestar, get, post
from litestar.exceptions import ServiceUnavailableException
from litestar.testing import AsyncTestClient

from core.errors import (
    AuthenticationError,
    ConfigurationError,
    FieldError,
    InputError,
    NotFoundError,
    RateLimitedError,
)
from core.logging import get_logger
from core.settings import Settings
from web.app import create_app
from web.features import load_app_settings
from web.problems import ProblemError

_log = get_logger("tests.web")
LEAKED_SECRET = "db-password=hunter2"


class Gadget(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    count: int


class Order(msgspec.Struct, forbid_unknown_fields=True):
    gadget: Gadget
    quantities: list[int] = msgspec.field(default_factory=list)


@post("/test/orders")
async def create_order(data: Order) -> Order:
    return data


@get("/test/boom")
async def boom() -> None:
    raise RuntimeError(f"connection failed: {LEAKED_SECRET}")


@get("/test/log")
async def log_steps(marker: str) -> dict[str, str]:
    _log.info("test.step", step=1, marker=marker)
    await asyncio.sleep(0)  # let concurrent requests interleave between the two lines
    logging.getLogger("tests.stdlib").info("stdlib line %s", marker)
    _log.info("test.step", step=2, marker=marker)
    return {"marker": marker}


RAISABLE: dict[str, Exception] = {
    "input": InputError("Check the fields", errors=[FieldError("email", "not an address")]),
    "locked": RateLimitedError("Try later", slug="too-many-attempts", retry_after=7),
    "unauthenticated": AuthenticationError("A bearer access token is required"),
    "missing": NotFoundError("No such order"),
    "config": ConfigurationError(f"JWT_SECRET: {LEAKED_SECRET}"),
    "in-flight": ProblemError(
        409, "idempotency-key-in-flight", "Still running", headers={"Retry-After": "1"}
    ),
    "http-503": ServiceUnavailableException(f"upstream said {LEAKED_SECRET}"),
}


@get("/test/raise/{kind:str}")
async def raise_error(kind: str) -> None:
    raise RAISABLE[kind]


TEST_ROUTES = [create_order, boom, log_steps, raise_error]


@pytest.fixture
def make_app(make_settings: Callable[..., Settings]) -> Callable[..., Litestar]:
    def factory(**env: str) -> Litestar:
        return create_app(make_settings(**env), route_handlers=TEST_ROUTES)

    return factory


@pytest.fixture(scope="module")
def shared_app(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Litestar:
    """One app per test module on its own migrated SQLite copy: building an app is costly
    and these tests change no state another test reads."""
    root = tmp_path_factory.mktemp("web-app")
    database = root / "bulkhead.db"
    shutil.copyfile(sqlite_template, database)
    settings = load_app_settings(
        {
            "APP_ENV": "test",
            "DATA_DIR": str(root / "var"),
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "LOG_JSON": "true",
        },
        env_file=None,
    )
    return create_app(settings, route_handlers=TEST_ROUTES)


@pytest.fixture
async def client(shared_app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(shared_app) as test_client:
        yield test_client


@pytest.fixture
def json_logs() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Every line the app's logging writes from now on, parsed (use after building the app).

    The extra handler reuses the app's own formatter, so these are the exact JSON lines.
    """
    root = logging.getLogger()
    (formatter,) = {
        handler.formatter
        for handler in root.handlers
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter)
    }
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(formatter)
    # The test client's own httpx lines are client-side, not the app's.
    handler.addFilter(lambda record: not record.name.startswith("httpx"))
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
