"""Idempotency keys: HTTP `Idempotency-Key` claims with their stored responses, and the
processed markers of the webhook/job guard (long-lived, response-less)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from infra.db.tables._base import Base, UtcDateTime

__all__ = ["MAX_IDEMPOTENCY_KEY_LENGTH", "IdempotencyKey"]

MAX_IDEMPOTENCY_KEY_LENGTH = 512


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(MAX_IDEMPOTENCY_KEY_LENGTH), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(Text)
    token: Mapped[str] = mapped_column(String(64))
    completed: Mapped[bool] = mapped_column(Boolean)
    response: Mapped[bytes | None] = mapped_column(LargeBinary)
    ttl_seconds: Mapped[float] = mapped_column(Float)
    """How long the response is kept once completed (the lease governs until then)."""
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
