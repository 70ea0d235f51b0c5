"""LLM gateway tables: budget windows, reservations and holds, and the per-call usage ledger.

A window row carries only what was charged (`used`); what is held is the sum of the live
`llm_budget_holds` rows on it, so a hold left by a dead process stops counting the moment it
lapses, with no sweeper needed for correctness.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from infra.db.tables._base import Base, UtcDateTime

__all__ = ["LlmBudgetHold", "LlmBudgetReservation", "LlmBudgetWindow", "LlmUsageRow"]


class LlmBudgetWindow(Base):
    __tablename__ = "llm_budget_windows"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    used: Mapped[int] = mapped_column(BigInteger)
    limit_tokens: Mapped[int] = mapped_column(BigInteger)
    """The limit of the last reservation; informational."""
    resets_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class LlmBudgetReservation(Base):
    __tablename__ = "llm_budget_reservations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16))
    charged: Mapped[int] = mapped_column(BigInteger)
    windows: Mapped[str] = mapped_column(Text)
    """JSON `[[key, limit, resets_at], ...]`: what to charge and free on settle."""
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)

    __table_args__ = (Index("ix_llm_budget_reservations_state", "state", "expires_at"),)


class LlmBudgetHold(Base):
    __tablename__ = "llm_budget_holds"

    window_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    reservation_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LlmUsageRow(Base):
    __tablename__ = "llm_usage"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    org_id: Mapped[str | None] = mapped_column(String(64))
    feature: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(100))
    input_tokens: Mapped[int] = mapped_column(Integer)
    output_tokens: Mapped[int] = mapped_column(Integer)
    reserved_tokens: Mapped[int] = mapped_column(Integer)
    charged_tokens: Mapped[int] = mapped_column(Integer)
    cost_micro_usd: Mapped[int] = mapped_column(BigInteger)
    latency_ms: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str | None] = mapped_column(String(128))
    job_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_llm_usage_user", "user_id", "created_at"),
        Index("ix_llm_usage_org", "org_id", "created_at"),
    )
