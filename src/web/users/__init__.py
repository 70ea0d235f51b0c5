"""`/api/v1/users/me`, `/api/v1/orgs` and `/api/v1/invitations`."""

from web.users.controller import InvitationsController, OrgsController, UsersController

__all__ = ["InvitationsController", "OrgsController", "UsersController"]
