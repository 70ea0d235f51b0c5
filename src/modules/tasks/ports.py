"""What the tasks use cases need beyond the job store."""

from __future__ import annotations

from typing import Protocol

__all__ = ["TaskKinds"]


class TaskKinds(Protocol):
    """The task kinds on offer and their payload schemas (the job registry implements it)."""

    def validate_task(self, kind: str, payload: bytes) -> bytes:
        """The payload in its kind's schema, re-encoded; `InputError` when it does not fit."""
        ...

    def max_attempts_for(self, kind: str) -> int: ...
