"""Organisations: members with roles (owner, admin, member) and invitations by email."""

from infra.orgs.install import install_orgs
from web.features import Feature
from web.orgs import InvitationsController, OrgsController

FEATURE = Feature(
    name="orgs",
    routes=(OrgsController, InvitationsController),
    install=install_orgs,
    migrations="orgs",
)
