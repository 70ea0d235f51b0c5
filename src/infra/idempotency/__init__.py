"""Idempotency adapters: key stores (Redis, SQL, memory) and the processed guards."""

from infra.idempotency.guard import GuardContext, SqlProcessedGuard, StoreProcessedGuard
from infra.idempotency.memory import MemoryIdempotencyStore
from infra.idempotency.redis import RedisIdempotencyStore
from infra.idempotency.sql import SqlIdempotencyStore

__all__ = [
    "GuardContext",
    "MemoryIdempotencyStore",
    "RedisIdempotencyStore",
    "SqlIdempotencyStore",
    "SqlProcessedGuard",
    "StoreProcessedGuard",
]
