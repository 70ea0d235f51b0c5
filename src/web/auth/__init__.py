"""Authentication at the edge: bearer tokens to `Principal`s, guards for routes, `/api/v1/auth`."""

from web.auth.controller import AuthController
from web.auth.guards import MFA_CODE_HEADER, require_mfa
from web.auth.principal import (
    ACCESS_TOKEN_TYPE,
    bearer_token,
    principal_from_token,
    provide_principal,
)

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "MFA_CODE_HEADER",
    "AuthController",
    "bearer_token",
    "principal_from_token",
    "provide_principal",
    "require_mfa",
]
