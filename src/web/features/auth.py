"""Accounts: registration, login, tokens and sessions, MFA, email flows, the caller's profile."""

from web.auth import AuthController
from web.features import Feature
from web.users import UsersController

FEATURE = Feature(
    name="auth",
    routes=(AuthController, UsersController),
    commands=("web.cli.users:users_group",),
    migrations="auth",
)
