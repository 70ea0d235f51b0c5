"""`/api/v1/users/me`: the caller's own account."""

from web.users.controller import UsersController

__all__ = ["UsersController"]
