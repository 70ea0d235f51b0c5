"""SQL adapters for the user and organisation ports, and the bundle the container holds."""

from __future__ import annotations

from dataclasses import dataclass

from infra.users.directory import SqlUserDirectory
from infra.users.invitations import SqlInvitationStore
from infra.users.orgs import SqlOrgStore
from modules.users.ports import InvitationStore, OrgStore, UserDirectory

__all__ = [
    "SqlInvitationStore",
    "SqlOrgStore",
    "SqlUserDirectory",
    "UserStores",
]


@dataclass(frozen=True, slots=True)
class UserStores:
    directory: UserDirectory
    orgs: OrgStore
    invitations: InvitationStore
