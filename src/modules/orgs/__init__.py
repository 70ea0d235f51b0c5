"""Organisations, their members with roles, and invitations by email.

The use cases depend only on `modules.orgs.ports` (and core ports); `web` builds `OrgsDeps`.
"""

from modules.orgs.account_deletion import OrgsOnAccountDeletion
from modules.orgs.deps import OrgsDeps
from modules.orgs.invitations import accept_invitation, invite
from modules.orgs.models import Invitation, Member, Membership, Org
from modules.orgs.orgs import change_role, create_org, list_members, list_orgs, remove_member

__all__ = [
    "Invitation",
    "Member",
    "Membership",
    "Org",
    "OrgsDeps",
    "OrgsOnAccountDeletion",
    "accept_invitation",
    "change_role",
    "create_org",
    "invite",
    "list_members",
    "list_orgs",
    "remove_member",
]
