"""Feature adapters in the container, by the type they are looked up with.

The container's own fields are the services every project has. A feature (billing, the LLM
gateway, organisations) adds its adapters here when it is installed, so removing the feature
removes them without touching the container; other features look them up with `find` and
degrade when they are absent.
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["Services"]

T = TypeVar("T")


class Services:
    def __init__(self) -> None:
        self._by_kind: dict[type[Any], Any] = {}

    def provide(self, kind: type[T], service: T) -> None:
        if kind in self._by_kind:
            raise ValueError(f"{kind.__name__} is already provided")
        self._by_kind[kind] = service

    def replace(self, kind: type[T], service: T) -> None:
        """Swap the service for `kind` (tests put fakes in)."""
        self._by_kind[kind] = service

    def get(self, kind: type[T]) -> T:
        """The service for `kind`; `LookupError` when no installed feature provides it."""
        try:
            service: T = self._by_kind[kind]
        except KeyError:
            message = f"no {kind.__name__}: is the feature that provides it installed?"
            raise LookupError(message) from None
        return service

    def find(self, kind: type[T]) -> T | None:
        """The service for `kind`, or None when no installed feature provides it."""
        found: T | None = self._by_kind.get(kind)
        return found
