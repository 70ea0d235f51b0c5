"""Shared fixtures: settings, a clock we control, and every backing service an adapter needs.

PostgreSQL and Redis come from `TEST_DATABASE_URL` / `TEST_REDIS_URL`. Without them their
cases skip with a reason; with `BULKHEAD_REQUIRE_SERVICES=1` a skip is a failure. Each test
session gets its own PostgreSQL database (created, migrated, dropped) and its own Redis key
prefix, so parallel sessions on one server never see each other.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.settings import Settings
from infra.db.engine import Database, create_database
from infra.db.migrate import upgrade
from infra.db.tables import Base
from web.features import FEATURES, load_app_settings

REQUIRE_SERVICES = os.environ.get("BULKHEAD_REQUIRE_SERVICES") == "1"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")


def service_unavailable(reason: str) -> None:
    """Skip, or fail when the run requires every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"BULKHEAD_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect tests marked `features(...)` whose features this project does not register.

    A test that crosses two features (billing for an org) belongs to neither alone; in a
    project generated without one of them it does not apply, which is not a skip.
    """
    registered = {feature.name for feature in FEATURES}
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        needed = {name for mark in item.iter_markers("features") for name in mark.args}
        (kept if needed <= registered else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._monotonic = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._monotonic += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Build Settings as the app would, isolated in `tmp_path`, with cheap Argon2 costs."""

    def factory(**overrides: str) -> Settings:
        environ = {
            "APP_ENV": "test",
            "DATA_DIR": str(tmp_path / "var"),
            "ARGON2_MEMORY_KIB": "19456",
            "ARGON2_TIME_COST": "1",
            "LOG_JSON": "true",
            **overrides,
        }
        return load_app_settings(environ, env_file=None)

    return factory


# --- PostgreSQL -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PostgresServer:
    url: str
    """asyncpg URL of this session's own database, migrated to head."""


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=parsed.database or "postgres",
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _in_thread(function: Callable[[str], None], argument: str) -> None:
    """Run `function` in a fresh thread: Alembic calls `asyncio.run`, which cannot run inside
    the event loop of an async test that happens to be the first to need this fixture."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(function, argument).result()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if not TEST_DATABASE_URL:
        service_unavailable("TEST_DATABASE_URL is not set (PostgreSQL cases need it)")
    assert TEST_DATABASE_URL is not None
    name = f"bulkhead_test_{uuid.uuid4().hex[:12]}"
    try:
        _in_thread(
            lambda statement: asyncio.run(_admin(TEST_DATABASE_URL, statement)),
            f'CREATE DATABASE "{name}"',
        )
    except OSError as exc:
        service_unavailable(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}")
    url = (
        make_url(TEST_DATABASE_URL)
        .set(drivername="postgresql+asyncpg", database=name)
        .render_as_string(hide_password=False)
    )
    _in_thread(upgrade, url)
    yield PostgresServer(url=url)
    _in_thread(
        lambda statement: asyncio.run(_admin(TEST_DATABASE_URL, statement)),
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
    )


async def _truncate_all(database: Database) -> None:
    names = ", ".join(f'"{table.name}"' for table in reversed(Base.metadata.sorted_tables))
    async with database.engine.begin() as connection:
        if database.is_sqlite:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(text(f'DELETE FROM "{table.name}"'))
        else:
            await connection.execute(text(f"TRUNCATE {names} CASCADE"))


@pytest.fixture
async def postgres_database(postgres_server: PostgresServer) -> AsyncIterator[Database]:
    """A Database on this session's PostgreSQL, emptied before each test."""
    database = create_database(postgres_server.url, pool_size=20, max_overflow=20)
    await _truncate_all(database)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "bulkhead.db"
    _in_thread(upgrade, f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "bulkhead.db"
    path.write_bytes(sqlite_template.read_bytes())
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def sqlite_database(sqlite_url: str) -> AsyncIterator[Database]:
    database = create_database(sqlite_url)
    yield database
    await database.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest) -> Database:
    """Each SQL adapter test runs once on SQLite and once on PostgreSQL.

    A sync fixture: the session-scoped PostgreSQL setup runs its own event loop, which it
    cannot do from inside a test's running loop.
    """
    name = "sqlite_database" if request.param == "sqlite" else "postgres_database"
    db: Database = request.getfixturevalue(name)
    return db


# --- Redis ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url() -> str:
    if not TEST_REDIS_URL:
        service_unavailable("TEST_REDIS_URL is not set (Redis cases need it)")
    assert TEST_REDIS_URL is not None
    return TEST_REDIS_URL


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    try:
        await client.ping()
    except OSError as exc:
        await client.aclose()
        service_unavailable(f"Redis at TEST_REDIS_URL is unreachable: {exc}")
    yield client
    await client.aclose()


@pytest.fixture
async def redis_prefix(redis_client: Redis) -> AsyncIterator[str]:
    """A key prefix owned by this test; its keys are deleted afterwards."""
    prefix = f"bulkhead-test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    async for key in redis_client.scan_iter(match=f"{prefix}*", count=500):
        await redis_client.delete(key)


# --- Auth -----------------------------------------------------------------------------------


def issue_access_token(
    settings: Settings,
    user_id: str,
    *,
    now: datetime | None = None,
    ttl_seconds: int = 900,
    extra: dict[str, object] | None = None,
) -> str:
    """An access token as the auth module issues it, for tests of other features."""
    from core.security.jwt import encode_token
    from web.auth.principal import ACCESS_TOKEN_TYPE

    return encode_token(
        secret=settings.secret,
        subject=user_id,
        token_type=ACCESS_TOKEN_TYPE,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        now=now or datetime.now(UTC),
        ttl=timedelta(seconds=ttl_seconds),
        extra={"sid": "test-session", "amr": ["pwd"], **(extra or {})},
    )
