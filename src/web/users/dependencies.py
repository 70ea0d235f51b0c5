"""User and organisation use-case dependencies assembled from the container."""

from __future__ import annotations

from infra.container import Container
from modules.users import UsersDeps

__all__ = ["provide_users_deps", "users_deps"]


def users_deps(container: Container) -> UsersDeps:
    stores = container.users
    return UsersDeps(
        users=stores.directory,
        orgs=stores.orgs,
        invitations=stores.invitations,
        audit=container.audit,
        email=container.email,
        clock=container.clock,
        unit_of_work=container.unit_of_work,
        service_name=container.settings.app_name,
    )


def provide_users_deps(container: Container) -> UsersDeps:
    return users_deps(container)
