"""Health-check port: every adapter that talks to a service can be probed."""

from __future__ import annotations

from typing import Protocol

__all__ = ["HealthProbe"]


class HealthProbe(Protocol):
    """Answers whether the service behind an adapter is reachable.

    `ping` returns normally when it is, and raises when it is not.
    """

    @property
    def adapter(self) -> str:
        """The adapter's short name as `/health/ready` reports it (`postgres`, `redis`...)."""
        ...

    async def ping(self) -> None: ...
