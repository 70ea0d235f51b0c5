"""Organisation use-case dependencies assembled from the container."""

from __future__ import annotations

from infra.container import Container
from infra.orgs import OrgsAdapters
from modules.orgs import OrgsDeps

__all__ = ["orgs_deps", "provide_orgs_deps"]


def orgs_deps(container: Container) -> OrgsDeps:
    adapters = container.services.get(OrgsAdapters)
    return OrgsDeps(
        orgs=adapters.orgs,
        invitations=adapters.invitations,
        user_emails=container.users.directory,
        audit=container.audit,
        email=container.email,
        clock=container.clock,
        unit_of_work=container.unit_of_work,
        service_name=container.settings.app_name,
    )


def provide_orgs_deps(container: Container) -> OrgsDeps:
    return orgs_deps(container)
