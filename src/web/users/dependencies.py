"""Profile use-case dependencies assembled from the container."""

from __future__ import annotations

from infra.container import Container
from modules.users import AccountDeletionHook, UsersDeps

__all__ = ["provide_users_deps", "users_deps"]


def users_deps(container: Container) -> UsersDeps:
    return UsersDeps(
        users=container.users.directory,
        audit=container.audit,
        clock=container.clock,
        unit_of_work=container.unit_of_work,
        account_deletion=container.services.find(AccountDeletionHook),
    )


def provide_users_deps(container: Container) -> UsersDeps:
    return users_deps(container)
