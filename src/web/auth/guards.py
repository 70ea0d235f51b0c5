"""`require_mfa`: the guard sensitive routes declare (enforced here, never only in a client).

    @post("/password/change", guards=[require_mfa(SensitiveAction.PASSWORD_CHANGE)])

Users with MFA on pass only with an access token whose MFA proof is at most 5 minutes old
(`/auth/mfa/step-up`) or with a valid, unused TOTP code in `X-MFA-Code`; otherwise 403
`mfa-required`. Users without MFA pass.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from core.errors import AuthenticationError
from infra.container import Container
from modules.auth import require_second_factor
from policies.mfa import SensitiveAction
from web.auth.dependencies import auth_deps, request_meta
from web.auth.principal import bearer_token, principal_from_token

__all__ = ["MFA_CODE_HEADER", "require_mfa"]

MFA_CODE_HEADER = "x-mfa-code"


def require_mfa(action: SensitiveAction) -> Guard:
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        container: Container = connection.app.state.container
        token = bearer_token(connection)
        if token is None:
            raise AuthenticationError("A bearer access token is required")
        principal = principal_from_token(token, container.settings, container.clock.now())
        await require_second_factor(
            auth_deps(container),
            principal,
            action,
            code=connection.headers.get(MFA_CODE_HEADER),
            meta=request_meta(connection),
        )

    return guard
