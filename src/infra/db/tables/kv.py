"""Key-value entries: the SQL fallback for Redis counters, flags and rate limits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from infra.db.tables._base import Base, UtcDateTime

__all__ = ["KvEntry"]


class KvEntry(Base):
    __tablename__ = "kv_entries"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
