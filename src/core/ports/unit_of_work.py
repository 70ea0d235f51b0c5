"""Unit of work: one database transaction that several adapters can join.

A use case opens one (`async with container.unit_of_work() as uow:`) and hands `uow` to every
store call that must commit or roll back together: the webhook dedup claim and its effects,
a business write and the job it enqueues (transactional outbox). Leaving the block commits;
an exception rolls everything back.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

__all__ = ["UnitOfWork", "UnitOfWorkFactory"]


class UnitOfWork(Protocol):
    """An open transaction; adapters of the same database recognise and join it."""

    @property
    def database_id(self) -> str:
        """Which database the transaction belongs to (an adapter joins only its own)."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[UnitOfWork]: ...
