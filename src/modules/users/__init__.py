"""User profile and organisation use cases: the caller's account, orgs, members, invitations.

They depend only on `modules.users.ports` (and core ports); `web` builds `UsersDeps`.
"""

from modules.users.deps import UsersDeps
from modules.users.invitations import accept_invitation, invite
from modules.users.models import Invitation, Member, Membership, Org
from modules.users.orgs import change_role, create_org, list_members, list_orgs, remove_member
from modules.users.profile import delete_me, get_me, update_me

__all__ = [
    "Invitation",
    "Member",
    "Membership",
    "Org",
    "UsersDeps",
    "accept_invitation",
    "change_role",
    "create_org",
    "delete_me",
    "get_me",
    "invite",
    "list_members",
    "list_orgs",
    "remove_member",
    "update_me",
]
