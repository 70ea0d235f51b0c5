"""The composition root's factory: one typed container of adapters, chosen from settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from functools import partial

from redis.asyncio import BlockingConnectionPool, Redis

from common.clock import SystemClock
from core.ports.audit import AuditLog
from core.ports.clock import Clock
from core.ports.email import EmailSender
from core.ports.health import HealthProbe
from core.ports.idempotency import IdempotencyStore
from core.ports.jobs import JobStore
from core.ports.kv import KeyValueStore
from core.ports.maintenance import ExpiredPurger
from core.ports.processed_guard import ProcessedGuard
from core.ports.unit_of_work import UnitOfWork
from core.security.passwords import PasswordHasher
from core.settings import Settings
from infra.auth import AuthStores, SqlAuditLog, build_auth_stores
from infra.db.engine import Database, create_database, database_url_for
from infra.db.unit_of_work import sql_unit_of_work
from infra.email.console import ConsoleEmailSender
from infra.email.resend import ResendEmailSender
from infra.email.smtp import SmtpEmailSender
from infra.idempotency import (
    RedisIdempotencyStore,
    SqlIdempotencyStore,
    SqlProcessedGuard,
    StoreProcessedGuard,
)
from infra.jobs import RedisJobStore, SqlJobStore
from infra.kv.redis import RedisKeyValueStore
from infra.kv.sql import SqlKeyValueStore
from infra.services import Services
from infra.users import SqlUserDirectory, UserStores

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
    idempotency: IdempotencyStore
    processed_guard: ProcessedGuard
    audit: AuditLog
    auth: AuthStores
    users: UserStores
    jobs: JobStore
    services: Services = field(default_factory=Services)
    """What installed features add (billing, the LLM gateway, orgs), by port type."""
    features: set[str] = field(default_factory=set)
    """Names of the features installed on this container."""
    probes: dict[str, HealthProbe | None] = field(default_factory=dict)
    """Readiness probes by service name; None marks a service that is not configured."""
    purgers: dict[str, ExpiredPurger] = field(default_factory=dict)
    """SQL stores whose expired rows the nightly cleanup job deletes (Redis expires its own)."""
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """What features opened and `aclose` must close (HTTP clients of provider SDKs)."""

    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A transaction on the main database that SQL adapters join (see core.ports)."""
        return sql_unit_of_work(self.database)

    async def aclose(self) -> None:
        for close in reversed(self.closers):
            await close()
        if self.redis is not None:
            await self.redis.aclose()
        await self.database.dispose()
        self.passwords.close()


def build_container(settings: Settings, *, clock: Clock | None = None) -> Container:
    """Build every adapter from `settings`; nothing connects until first use."""
    clock = clock or SystemClock()
    database = create_database(database_url_for(settings))
    redis = connect_redis(settings)
    kv: KeyValueStore = (
        RedisKeyValueStore(redis, settings.redis_key_prefix)
        if redis is not None
        else SqlKeyValueStore(database, clock)
    )
    email = build_email_sender(settings, clock)
    idempotency, processed_guard = build_idempotency(settings, database, redis, clock)
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
        idempotency=idempotency,
        processed_guard=processed_guard,
        audit=SqlAuditLog(database),
        auth=build_auth_stores(database),
        users=UserStores(directory=SqlUserDirectory(database)),
        jobs=build_job_store(settings, database, redis, clock),
    )
    container.purgers.update(sql_purgers(kv, idempotency))
    container.probes.update(
        database=database,
        cache=kv,
        jobs=container.jobs,
        email=email,
    )
    return container


def connect_redis(settings: Settings) -> Redis | None:
    """A client over a bounded pool: past `REDIS_MAX_CONNECTIONS` in use, callers wait up to
    `REDIS_POOL_TIMEOUT_SECONDS` for a free connection instead of failing at once."""
    if not settings.redis_url:
        return None
    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=settings.redis_max_connections,
        timeout=settings.redis_pool_timeout_seconds,
    )
    return Redis(connection_pool=pool)


def build_email_sender(settings: Settings, clock: Clock) -> EmailSender:
    """SMTP when `SMTP_URL` is set, else Resend when `RESEND_API_KEY` is, else the console."""
    if settings.smtp_url:
        return SmtpEmailSender(
            settings.smtp_url,
            default_sender=settings.email_from,
            clock=clock,
            timeout_seconds=settings.email_timeout_seconds,
        )
    if settings.resend_api_key:
        return ResendEmailSender(
            settings.resend_api_key,
            default_sender=settings.email_from,
            base_url=settings.resend_api_url,
            timeout_seconds=settings.email_timeout_seconds,
        )
    return ConsoleEmailSender(settings.email_from)


def build_idempotency(
    settings: Settings, database: Database, redis: Redis | None, clock: Clock
) -> tuple[IdempotencyStore, ProcessedGuard]:
    """Redis claims when `REDIS_URL` is set; else a table whose guard rows join transactions."""
    if redis is None:
        return SqlIdempotencyStore(database, clock), SqlProcessedGuard(
            database, clock, retention=settings.processed_retention_seconds
        )
    store = RedisIdempotencyStore(redis, clock, settings.redis_key_prefix)
    guard = StoreProcessedGuard(
        store,
        partial(sql_unit_of_work, database),
        retention=settings.processed_retention_seconds,
        lease=settings.idempotency_lease_seconds,
    )
    return store, guard


def build_job_store(
    settings: Settings, database: Database, redis: Redis | None, clock: Clock
) -> JobStore:
    """Redis when `REDIS_URL` is set, else the durable SQL queue on the main database."""
    if redis is not None:
        return RedisJobStore(redis, clock, settings.redis_key_prefix)
    return SqlJobStore(database, clock)


def sql_purgers(*stores: object) -> dict[str, ExpiredPurger]:
    """The SQL stores among `stores`, by name, for the nightly cleanup job."""
    purgers: dict[str, ExpiredPurger] = {}
    for store in stores:
        if isinstance(store, SqlKeyValueStore):
            purgers["kv"] = store
        elif isinstance(store, SqlIdempotencyStore):
            purgers["idempotency"] = store
    return purgers
