"""SQL adapters for the organisation ports, and the feature's `install`."""

from __future__ import annotations

from infra.orgs.install import OrgsAdapters, install_orgs
from infra.orgs.invitations import SqlInvitationStore
from infra.orgs.store import SqlOrgStore

__all__ = ["OrgsAdapters", "SqlInvitationStore", "SqlOrgStore", "install_orgs"]
