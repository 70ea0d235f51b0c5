"""Business-level idempotency for webhooks and jobs: do an effect once per (scope, key).

    async with guard.guard("stripe", f"{event.id}:{event.type}") as ctx:
        if ctx.already_processed:
            return
        await payments.record(..., uow=ctx.unit_of_work)

When the guard's store is SQL, the claim row is written inside `ctx.unit_of_work`, so it
commits with the effects or not at all: a crash between claim and effect leaves no false
"processed". With a Redis store the claim is `SET NX` and is released if the block raises.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from core.ports.unit_of_work import UnitOfWork

__all__ = ["GuardContext", "ProcessedGuard"]


class GuardContext(Protocol):
    @property
    def already_processed(self) -> bool: ...

    @property
    def unit_of_work(self) -> UnitOfWork:
        """The transaction to do the effects in; it commits when the block exits cleanly."""
        ...


class ProcessedGuard(Protocol):
    def guard(self, scope: str, key: str) -> AbstractAsyncContextManager[GuardContext]: ...
