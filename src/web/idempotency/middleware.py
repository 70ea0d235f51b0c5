"""`Idempotency-Key` on every mutation under `/api/`, configured once for the whole app.

The first request with a key (per caller) runs and its response is stored; a repeat with the
same fingerprint gets that response again with `Idempotent-Replayed: true` and causes nothing;
a repeat with another fingerprint gets 422, and one that arrives while the first still runs
gets 409 with `Retry-After`. A 5xx, a 429 or a crash releases the key so the client can retry.
"""

from __future__ import annotations

import hashlib
import math
import re
from typing import Any, cast

from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from core.errors import AuthenticationError, ServiceUnavailableError
from core.logging import get_logger
from core.ports.idempotency import Claim, ClaimStatus, IdempotencyStore
from core.security.encryption import DecryptionError, SecretBox
from infra.container import Container
from web.auth.principal import bearer_token, principal_from_token
from web.idempotency import stored
from web.idempotency.metrics import count
from web.opts import SECRET_RESPONSE_OPT
from web.problems import ProblemError

__all__ = ["IDEMPOTENCY_KEY_HEADER", "REQUIRED_OPT", "IdempotencyMiddleware"]

IDEMPOTENCY_KEY_HEADER = "idempotency-key"
REQUIRED_OPT = "idempotency_key_required"
"""Handler `opt` flag: `@post(..., opt={REQUIRED_OPT: True})` refuses requests without a key."""

_MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PREFIX = "/api/"
_VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")
_MAX_RETRY_AFTER = 5
_SEAL_PURPOSE = "idempotency-response"
_log = get_logger(__name__)


class IdempotencyMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        method = cast("HTTPScope", scope)["method"]
        if method not in _MUTATING or not scope["path"].startswith(_PREFIX):
            await next_app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = Request(scope, receive)
        keys = request.headers.getall(IDEMPOTENCY_KEY_HEADER, [])
        if not keys:
            if scope["route_handler"].opt.get(REQUIRED_OPT):
                raise ProblemError(
                    400,
                    "idempotency-key-required",
                    "This endpoint needs an Idempotency-Key header",
                    title="Idempotency key required",
                )
            await next_app(scope, receive, send)
            return
        if len(keys) > 1 or not _VALID_KEY.fullmatch(keys[0]) or not keys[0].strip():
            raise ProblemError(
                400,
                "idempotency-key-invalid",
                "Idempotency-Key must be one value of 1 to 255 printable ASCII characters",
                title="Invalid idempotency key",
            )
        container: Container = scope["litestar_app"].state.container
        body = await request.body()
        store_key = f"http:{_caller(request, container)}:{keys[0]}"
        claim = await _claim(container, store_key, _fingerprint(request, body))
        box = (
            SecretBox(container.settings.secret, _SEAL_PURPOSE)
            if scope["route_handler"].opt.get(SECRET_RESPONSE_OPT)
            else None
        )
        if claim.status is ClaimStatus.CLAIMED:
            assert claim.token is not None
            recorder = _Recorder(container.idempotency, store_key, claim.token, scope, box)
            await recorder.run(next_app, scope, _replayed(body, receive), send)
            return
        _answer_repeat(claim, request)
        response = stored.decode(_opened(claim.response or b"", box, store_key))
        count("replayed")
        _log.info(
            "idempotency.replay",
            original_request_id=response.request_id,
            status=response.status,
            path=scope["path"],
        )
        await stored.replay(send, response)


def _caller(request: Request[Any, Any, Any], container: Container) -> str:
    """Who the key belongs to: the user of a valid bearer token, else the client address."""
    token = bearer_token(request)
    if token is not None:
        try:
            principal = principal_from_token(token, container.settings, container.clock.now())
        except AuthenticationError:
            pass
        else:
            return f"user:{principal.user_id}"
    client = request.client
    return f"ip:{client.host if client else 'unknown'}"


def _fingerprint(request: Request[Any, Any, Any], body: bytes) -> str:
    query = request.scope.get("query_string", b"").decode("latin-1")
    target = f"{request.method} {request.scope['path']}" + (f"?{query}" if query else "")
    return f"{target} sha256={hashlib.sha256(body).hexdigest()}"


async def _claim(container: Container, key: str, fingerprint: str) -> Claim:
    settings = container.settings
    try:
        return await container.idempotency.try_claim(
            key,
            fingerprint,
            ttl=settings.idempotency_ttl_seconds,
            lease=settings.idempotency_lease_seconds,
        )
    except Exception as exc:
        # Fail closed: running the request unguarded could apply it twice.
        _log.error("idempotency.store_unavailable", error_type=type(exc).__name__)
        raise ServiceUnavailableError("The idempotency store is unavailable") from exc


def _answer_repeat(claim: Claim, request: Request[Any, Any, Any]) -> None:
    """Raise the problem for a repeat that cannot be replayed (mismatch or still running)."""
    if claim.status is ClaimStatus.MISMATCH:
        count("mismatch")
        raise ProblemError(
            422,
            "idempotency-key-reused",
            "This Idempotency-Key was used for a different request",
            title="Idempotency key reused",
        )
    if claim.status is ClaimStatus.IN_FLIGHT:
        count("in_flight")
        retry_after = min(_MAX_RETRY_AFTER, max(1, math.ceil(claim.retry_after or 1)))
        raise ProblemError(
            409,
            "idempotency-key-in-flight",
            "A request with this Idempotency-Key is still being processed",
            title="Request in flight",
            headers={"Retry-After": str(retry_after)},
        )


def _opened(raw: bytes, box: SecretBox | None, key: str) -> bytes:
    if box is None:
        return raw
    try:
        return stored.unseal(raw, box, key)
    except DecryptionError as exc:
        # The signing secret changed since: the response cannot be read back, only redone.
        raise ProblemError(
            422,
            "idempotency-key-reused",
            "The response stored under this Idempotency-Key can no longer be replayed",
            title="Idempotency key reused",
        ) from exc


def _replayed(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields the already-read body, then defers to the real one."""
    pending = True

    async def replayed() -> Any:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


class _Recorder:
    """Runs the claimed request, tees its response, then stores it or releases the key."""

    def __init__(
        self,
        store: IdempotencyStore,
        key: str,
        token: str,
        scope: Scope,
        box: SecretBox | None = None,
    ) -> None:
        self._store, self._key, self._token, self._box = store, key, token, box
        self._request_id: str | None = scope.get("state", {}).get("request_id")
        self._status = 0
        self._headers: list[tuple[str, str]] = []
        self._chunks: list[bytes] = []
        self._settled = False

    async def run(self, next_app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        count("claimed")

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._status = message["status"]
                self._headers = stored.kept_headers(message.get("headers", ()))
            elif message["type"] == "http.response.body":
                self._chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    # Settle before the last byte leaves, so a client that saw the whole
                    # response and repeats at once gets a replay, never a 409.
                    await self._settle(finished=True)
            await send(message)

        try:
            await next_app(scope, receive, recording_send)
        finally:
            await self._settle(finished=False)

    async def _settle(self, *, finished: bool) -> None:
        if self._settled:
            return
        self._settled = True
        try:
            if finished and self._status < 500 and self._status != 429:
                response = stored.StoredResponse(
                    status=self._status,
                    headers=self._headers,
                    body=b"".join(self._chunks),
                    request_id=self._request_id,
                )
                raw = stored.encode(response)
                if self._box is not None:
                    raw = stored.seal(raw, self._box, self._key)
                await self._store.complete(self._key, raw, token=self._token)
            else:
                count("released")
                await self._store.release(self._key, token=self._token)
        except Exception as exc:
            # The lease will lapse and free the key; the response itself still goes out.
            _log.error("idempotency.settle_failed", error_type=type(exc).__name__)
