"""SQL adapters for the user ports, and the bundle the container holds."""

from __future__ import annotations

from dataclasses import dataclass

from infra.users.directory import SqlUserDirectory
from modules.users.ports import UserDirectory

__all__ = ["SqlUserDirectory", "UserStores"]


@dataclass(frozen=True, slots=True)
class UserStores:
    directory: UserDirectory
