"""Budget store adapters: Redis (Lua), PostgreSQL/SQLite (row locks) and memory (tests)."""

from infra.budget.memory import MemoryBudgetStore
from infra.budget.redis import RedisBudgetStore
from infra.budget.sql import SqlBudgetStore

__all__ = ["MemoryBudgetStore", "RedisBudgetStore", "SqlBudgetStore"]
