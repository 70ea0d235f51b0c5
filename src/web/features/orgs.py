"""Organisations: members with roles (owner, admin, member) and invitations by email."""

from core.ports.org_roles import OrgRoles
from infra.container import Container
from web.features import Feature
from web.users import InvitationsController, OrgsController


def install_orgs(container: Container) -> None:
    """Billing (org accounts) and the AI budgets (org pools) ask the org store who is who."""
    container.services.provide(OrgRoles, container.users.orgs)


FEATURE = Feature(
    name="orgs",
    summary=__doc__ or "",
    routes=(OrgsController, InvitationsController),
    install=install_orgs,
    migrations="orgs",
)
