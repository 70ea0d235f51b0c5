"""Authentication at the edge: bearer tokens to `Principal`s, guards for routes."""

from web.auth.principal import (
    ACCESS_TOKEN_TYPE,
    bearer_token,
    principal_from_token,
    provide_principal,
)

__all__ = ["ACCESS_TOKEN_TYPE", "bearer_token", "principal_from_token", "provide_principal"]
