"""`Stripe-Signature` signing and verification, with `stripe.Webhook.construct_event` semantics.

Header `t=<unix seconds>,v1=<hex hmac>[,v1=...]`; the HMAC-SHA256 is over `"{t}.{raw body}"`
with the endpoint secret; any v1 may match (secret rotation). Unlike the SDK, a timestamp too
far in the future is refused as well as a stale one, and "now" comes from the injected clock.
"""

from __future__ import annotations

import hashlib
import hmac

from core.errors import InputError

__all__ = ["DEFAULT_TOLERANCE_SECONDS", "InvalidSignatureError", "sign_payload", "verify_signature"]

DEFAULT_TOLERANCE_SECONDS = 300
_SCHEME = "v1"


class InvalidSignatureError(InputError):
    slug = "invalid-signature"
    title = "Invalid signature"


def _digest(payload: bytes, secret: str, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign_payload(payload: bytes, secret: str, timestamp: int) -> str:
    """The `Stripe-Signature` header Stripe would send for `payload` at `timestamp`."""
    return f"t={timestamp},{_SCHEME}={_digest(payload, secret, timestamp)}"


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            timestamp = int(value)
        elif key == _SCHEME:
            signatures.append(value)
    if timestamp is None:
        raise ValueError("no timestamp")
    return timestamp, signatures


def verify_signature(
    payload: bytes,
    header: str | None,
    secret: str,
    *,
    now: float,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> int:
    """Return the signed timestamp, or raise `InvalidSignatureError` (HTTP 400)."""
    if not secret.strip():
        raise InvalidSignatureError("No webhook secret is configured")
    if not header:
        raise InvalidSignatureError("The Stripe-Signature header is missing")
    try:
        timestamp, signatures = _parse(header)
    except ValueError as exc:
        raise InvalidSignatureError("The Stripe-Signature header is malformed") from exc
    if not signatures:
        raise InvalidSignatureError("No v1 signature in the Stripe-Signature header")
    expected = _digest(payload, secret, timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise InvalidSignatureError("No signature matches the payload")
    if abs(now - timestamp) > tolerance:
        raise InvalidSignatureError("The signature timestamp is outside the tolerance window")
    return timestamp
