"""Random tokens and their hashes; constant-time comparison for every secret."""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["constant_time_equals", "generate_token", "hash_token"]


def generate_token(nbytes: int = 32) -> str:
    """A URL-safe random token with `nbytes` bytes of entropy."""
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """SHA-256 hex digest: tokens are high-entropy, so a fast hash is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equals(left: str | bytes, right: str | bytes) -> bool:
    a = left.encode() if isinstance(left, str) else left
    b = right.encode() if isinstance(right, str) else right
    return hmac.compare_digest(a, b)
