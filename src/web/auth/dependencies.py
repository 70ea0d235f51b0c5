"""Auth use-case dependencies assembled from the container, and where a request came from."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from litestar.connection import ASGIConnection

from common.request_meta import RequestMeta
from core.security.encryption import SecretBox
from infra.container import Container
from modules.auth import AuthConfig, AuthDeps
from modules.auth.deps import TOTP_KEY_PURPOSE

__all__ = ["auth_deps", "provide_auth_deps", "request_meta"]

_MAX_USER_AGENT = 512
_built: WeakKeyDictionary[Container, AuthDeps] = WeakKeyDictionary()


def auth_deps(container: Container) -> AuthDeps:
    """One `AuthDeps` per container (the key derivation runs once, not per request)."""
    deps = _built.get(container)
    if deps is None:
        stores = container.auth
        deps = AuthDeps(
            config=AuthConfig.from_settings(container.settings),
            accounts=stores.accounts,
            recovery_codes=stores.recovery_codes,
            refresh_tokens=stores.refresh_tokens,
            one_time_tokens=stores.one_time_tokens,
            audit=container.audit,
            kv=container.kv,
            email=container.email,
            passwords=container.passwords,
            clock=container.clock,
            unit_of_work=container.unit_of_work,
            totp_box=SecretBox(container.settings.secret, TOTP_KEY_PURPOSE),
        )
        _built[container] = deps
    return deps


def provide_auth_deps(container: Container) -> AuthDeps:
    return auth_deps(container)


def request_meta(connection: ASGIConnection[Any, Any, Any, Any]) -> RequestMeta:
    """The peer address as the ASGI server reports it (put a trusted proxy's header
    rewriting in the server, e.g. uvicorn `--proxy-headers`, not here)."""
    client = connection.client
    user_agent = connection.headers.get("user-agent")
    request_id = connection.scope.get("state", {}).get("request_id")
    return RequestMeta(
        ip=client.host if client else None,
        user_agent=user_agent[:_MAX_USER_AGENT] if user_agent else None,
        request_id=str(request_id) if request_id else None,
    )
