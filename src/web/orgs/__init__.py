"""`/api/v1/orgs` and `/api/v1/invitations`."""

from web.orgs.controller import InvitationsController, OrgsController

__all__ = ["InvitationsController", "OrgsController"]
