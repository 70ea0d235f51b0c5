"""`X-Request-ID`: accepted (or generated), echoed on every response, bound into every log line."""

from __future__ import annotations

import re
import time

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from common.ids import new_id
from core.logging import get_logger

__all__ = ["REQUEST_ID_HEADER", "RequestIdMiddleware", "echo_request_id"]

REQUEST_ID_HEADER = "x-request-id"
# A caller's id is kept only when it is short and plain, so it cannot forge log fields.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_log = get_logger("http")


class RequestIdMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request_id = _request_id(scope)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await next_app(scope, receive, send_with_id)
            finally:
                _log.info(
                    "http.request",
                    method=scope.get("method"),
                    path=scope["path"],
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )


def _request_id(scope: Scope) -> str:
    state = scope.setdefault("state", {})
    if "request_id" not in state:
        incoming = MutableScopeHeaders(scope).get(REQUEST_ID_HEADER)
        state["request_id"] = incoming if incoming and _ACCEPTABLE.match(incoming) else new_id()
    return str(state["request_id"])


async def echo_request_id(message: Message, scope: Scope) -> None:
    """`before_send` hook: runs for every response, routed or not (404, 405 included)."""
    if message["type"] == "http.response.start":
        MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = _request_id(scope)
