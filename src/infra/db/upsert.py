"""`INSERT … ON CONFLICT` for whichever dialect serves: PostgreSQL and SQLite share the syntax."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["insert_for"]


def insert_for(dialect_name: str, table: Any) -> Any:
    """The dialect's `insert()` construct, which has `on_conflict_do_nothing/update`."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
