"""The composition root's factory: one typed container of adapters, chosen from settings."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from redis.asyncio import Redis

from common.clock import SystemClock
from core.ports.clock import Clock
from core.ports.email import EmailSender
from core.ports.health import HealthProbe
from core.ports.kv import KeyValueStore
from core.ports.unit_of_work import UnitOfWork
from core.security.passwords import PasswordHasher
from core.settings import Settings
from infra.db.engine import Database, create_database, database_url_for
from infra.db.unit_of_work import sql_unit_of_work
from infra.email.console import ConsoleEmailSender
from infra.kv.redis import RedisKeyValueStore
from infra.kv.sql import SqlKeyValueStore

__all__ = ["Container", "build_container"]


@dataclass(eq=False)
class Container:
    """Everything the app and the worker need, one adapter per port."""

    settings: Settings
    clock: Clock
    database: Database
    redis: Redis | None
    kv: KeyValueStore
    email: EmailSender
    passwords: PasswordHasher
    probes: dict[str, HealthProbe | None] = field(default_factory=dict)
    """Readiness probes by service name; None marks a service that is not configured."""

    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A transaction on the main database that SQL adapters join (see core.ports)."""
        return sql_unit_of_work(self.database)

    async def aclose(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
        await self.database.dispose()


def build_container(settings: Settings, *, clock: Clock | None = None) -> Container:
    """Build every adapter from `settings`; nothing connects until first use."""
    clock = clock or SystemClock()
    database = create_database(database_url_for(settings))
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    kv: KeyValueStore = (
        RedisKeyValueStore(redis, settings.redis_key_prefix)
        if redis is not None
        else SqlKeyValueStore(database, clock)
    )
    email = build_email_sender(settings)
    container = Container(
        settings=settings,
        clock=clock,
        database=database,
        redis=redis,
        kv=kv,
        email=email,
        passwords=PasswordHasher(
            memory_kib=settings.argon2_memory_kib,
            time_cost=settings.argon2_time_cost,
            parallelism=settings.argon2_parallelism,
        ),
    )
    container.probes.update(
        database=database,
        cache=kv,
        jobs=None,
        billing=None,
        email=email,
        llm=None,
    )
    return container


def build_email_sender(settings: Settings) -> EmailSender:
    return ConsoleEmailSender(settings.email_from)
