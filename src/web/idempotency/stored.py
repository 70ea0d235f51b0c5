"""The response kept under an idempotency key, and how it is written back on a replay."""

from __future__ import annotations

import base64
from collections.abc import Iterable

import msgspec
from litestar.types import Send

from core.security.encryption import SecretBox

__all__ = [
    "REPLAYED_HEADER",
    "StoredResponse",
    "decode",
    "encode",
    "kept_headers",
    "replay",
    "seal",
    "unseal",
]

REPLAYED_HEADER = "idempotent-replayed"

# What a replay must repeat to be the same response. Hop-by-hop and per-request headers
# (date, content-length, x-request-id...) are produced afresh; cookies are never replayed.
_KEPT = frozenset(
    {
        "content-type",
        "content-language",
        "content-location",
        "location",
        "retry-after",
        "etag",
        "last-modified",
        "link",
        "cache-control",
        "www-authenticate",
    }
)
_NO_BODY_STATUSES = frozenset({204, 304})


class StoredResponse(msgspec.Struct, frozen=True, array_like=True):
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    request_id: str | None
    """The id of the request that produced this response, logged with each replay."""


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(StoredResponse)


def encode(response: StoredResponse) -> bytes:
    return _encoder.encode(response)


def decode(raw: bytes) -> StoredResponse:
    return _decoder.decode(raw)


def seal(raw: bytes, box: SecretBox, key: str) -> bytes:
    """Encrypt a stored response that carries credentials, bound to its idempotency key."""
    return box.encrypt(base64.b64encode(raw).decode("ascii"), associated=key).encode("ascii")


def unseal(raw: bytes, box: SecretBox, key: str) -> bytes:
    """Open what `seal` made; `DecryptionError` when the key or the secret differs."""
    return base64.b64decode(box.decrypt(raw.decode("ascii"), associated=key))


def kept_headers(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    kept: list[tuple[str, str]] = []
    for name, value in raw:
        lowered = name.decode("latin-1").lower()
        if lowered in _KEPT:
            kept.append((lowered, value.decode("latin-1")))
    return kept


async def replay(send: Send, response: StoredResponse) -> None:
    headers = [
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in response.headers
    ]
    if response.status not in _NO_BODY_STATUSES:
        headers.append((b"content-length", str(len(response.body)).encode()))
    headers.append((REPLAYED_HEADER.encode(), b"true"))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body, "more_body": False})
