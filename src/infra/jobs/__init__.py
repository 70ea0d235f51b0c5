"""Job store adapters: PostgreSQL/SQLite, Redis (Lua) and memory (tests)."""

from infra.jobs.memory import MemoryJobStore
from infra.jobs.redis import RedisJobStore
from infra.jobs.sql import SqlJobStore

__all__ = ["MemoryJobStore", "RedisJobStore", "SqlJobStore"]
