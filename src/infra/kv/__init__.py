"""Key-value store adapters: Redis, SQL (the durable zero-config fallback) and memory."""

from infra.kv.memory import MemoryKeyValueStore
from infra.kv.redis import RedisKeyValueStore
from infra.kv.sql import SqlKeyValueStore

__all__ = ["MemoryKeyValueStore", "RedisKeyValueStore", "SqlKeyValueStore"]
