"""Open a job store from a plain description, in this process or another one."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from core.ports.clock import Clock
from core.ports.jobs import JobStore
from infra.db.engine import Database, create_database
from infra.jobs import RedisJobStore, SqlJobStore


@dataclass(frozen=True)
class StoreSpec:
    """Enough to open the same store from another process."""

    kind: str
    url: str
    prefix: str = ""


def open_store(spec: StoreSpec, clock: Clock) -> tuple[JobStore, Database | Redis]:
    if spec.kind == "redis":
        client = Redis.from_url(spec.url)
        return RedisJobStore(client, clock, spec.prefix), client
    database = create_database(spec.url)
    return SqlJobStore(database, clock), database


async def close_resource(resource: Database | Redis) -> None:
    if isinstance(resource, Redis):
        await resource.aclose()
    else:
        await resource.dispose()
