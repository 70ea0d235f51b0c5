"""Install the organisation adapters on a container (the orgs feature's `install`)."""

from __future__ import annotations

from dataclasses import dataclass

from core.ports.org_roles import OrgRoles
from infra.container import Container
from infra.orgs.invitations import SqlInvitationStore
from infra.orgs.store import SqlOrgStore
from modules.orgs import OrgsOnAccountDeletion
from modules.orgs.ports import InvitationStore, OrgStore
from modules.users import AccountDeletionHook

__all__ = ["OrgsAdapters", "install_orgs"]


@dataclass(frozen=True, slots=True)
class OrgsAdapters:
    orgs: OrgStore
    invitations: InvitationStore


def install_orgs(container: Container) -> None:
    """The stores; who is who in an org for billing and the AI budgets (`OrgRoles`); and the
    last-owner rule the users feature asks before deleting an account."""
    adapters = OrgsAdapters(
        orgs=SqlOrgStore(container.database),
        invitations=SqlInvitationStore(container.database),
    )
    container.services.provide(OrgsAdapters, adapters)
    container.services.provide(OrgRoles, adapters.orgs)
    container.services.provide(AccountDeletionHook, OrgsOnAccountDeletion(adapters.orgs))
