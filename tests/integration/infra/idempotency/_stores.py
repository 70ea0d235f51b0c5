"""How to open an idempotency store from any process (no pytest import: subprocesses use it)."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from core.ports.clock import Clock
from core.ports.idempotency import IdempotencyStore
from infra.db.engine import Database, create_database
from infra.idempotency import RedisIdempotencyStore, SqlIdempotencyStore

__all__ = ["StoreSpec", "close_resource", "open_store"]


@dataclass(frozen=True)
class StoreSpec:
    """Enough to open the same store from another process."""

    kind: str
    url: str
    prefix: str = ""


def open_store(spec: StoreSpec, clock: Clock) -> tuple[IdempotencyStore, Database | Redis]:
    if spec.kind == "redis":
        client = Redis.from_url(spec.url, max_connections=1000)
        return RedisIdempotencyStore(client, clock, spec.prefix), client
    database = create_database(spec.url)
    return SqlIdempotencyStore(database, clock), database


async def close_resource(resource: Database | Redis) -> None:
    if isinstance(resource, Redis):
        await resource.aclose()
    else:
        await resource.dispose()
