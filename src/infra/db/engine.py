"""The async engine: PostgreSQL (asyncpg) when `DATABASE_URL` is set, else SQLite in WAL mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from core.settings import Settings

__all__ = ["Database", "create_database", "database_url_for"]

SQLITE_FILE = "bulkhead.db"
_SQLITE_BUSY_TIMEOUT_MS = 30_000
_READ_ONLY = "bulkhead_read_only"


def database_url_for(settings: Settings) -> str:
    """The SQLAlchemy async URL for `settings` (driver filled in)."""
    if not settings.database_url:
        path = (settings.data_path / SQLITE_FILE).resolve()
        return f"sqlite+aiosqlite:///{path}"
    url = make_url(settings.database_url)
    if url.get_backend_name() in ("postgres", "postgresql"):
        return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    return url.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)


class Database:
    """One engine and its session factory; `adapter` says which database serves."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.read_sessions = async_sessionmaker(
            engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False
        )

    @property
    def adapter(self) -> str:
        return "sqlite" if self.engine.dialect.name == "sqlite" else "postgres"

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self) -> AsyncSession:
        return self.sessions()

    def read_session(self) -> AsyncSession:
        """A session for reads that write nothing: on SQLite it does not take the write lock,
        so a burst of reads never queues behind writers (WAL readers see the last commit)."""
        return self.read_sessions()

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def create_database(url: str, **engine_options: Any) -> Database:
    """Create the engine for `url` (an async SQLAlchemy URL); nothing connects yet."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, connect_args={"timeout": _SQLITE_BUSY_TIMEOUT_MS / 1000}, **engine_options
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
    else:
        # No pre-ping (a round trip per checkout): a connection the server dropped fails its
        # request with a 503 and invalidates the pool, and the next request reconnects.
        engine_options.setdefault("pool_pre_ping", False)
        engine_options.setdefault("pool_recycle", 1800)
        engine_options.setdefault("pool_size", 10)
        engine_options.setdefault("max_overflow", 20)
        engine = create_async_engine(url, **engine_options)
    return Database(engine)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take control of transactions so that BEGIN IMMEDIATE (below) is ours to emit.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # Every transaction takes the write lock up front: a read-then-write (claim a job,
    # reserve a budget) can then never interleave with another writer, across processes.
    # Only sessions from `Database.read_session` (pure reads) begin without it.
    if connection.get_execution_options().get(_READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
