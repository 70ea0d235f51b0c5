"""Idempotency store port: claim a key once, remember the outcome, answer repeats from it.

The life of a key:

    (absent) ──try_claim──► in flight ──complete──► completed ──ttl lapses──► (absent)
                              │  ▲
                release / lease lapses  (then the next try_claim takes it over)

`try_claim` is atomic: however many callers race on one key, across processes, exactly one
gets `claimed` and a fresh `token`. The others learn the key is `in_flight` (with the time
left on the lease), `completed` (with the stored response), or that it was first used for
another request (`mismatch`: the fingerprints differ).

An in-flight claim holds a lease, longer than any request may run, so a holder that crashed
does not wedge its key: once the lease lapses the next `try_claim` takes the key over.
`complete` and `release` must present the claim's token; a holder whose lease lapsed and
whose key was taken over is fenced off (its late calls return False and change nothing).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Protocol

import msgspec

__all__ = ["Claim", "ClaimStatus", "IdempotencyRecord", "IdempotencyStore"]


class ClaimStatus(Enum):
    CLAIMED = "claimed"
    IN_FLIGHT = "in_flight"
    COMPLETED = "completed"
    MISMATCH = "mismatch"


class Claim(msgspec.Struct, frozen=True, kw_only=True):
    status: ClaimStatus
    token: str | None = None
    """Set when `claimed`: proves ownership to `complete` and `release`."""
    response: bytes | None = None
    """Set when `completed`: what the first caller stored."""
    retry_after: float | None = None
    """Set when `in_flight`: seconds until the holder's lease lapses."""


class IdempotencyRecord(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    fingerprint: str
    completed: bool
    response: bytes | None
    expires_at: datetime
    """When the lease lapses (in flight) or the stored response is forgotten (completed)."""


class IdempotencyStore(Protocol):
    @property
    def adapter(self) -> str: ...

    async def try_claim(self, key: str, fingerprint: str, ttl: float, lease: float) -> Claim:
        """Claim `key` for the request identified by `fingerprint`.

        `lease` bounds how long the claim stays in flight; `ttl` is how long the response
        given to `complete` is kept, counted from completion. Both are in seconds.
        """
        ...

    async def complete(self, key: str, response: bytes, *, token: str) -> bool:
        """Store `response` and end the claim; False when `token` no longer holds `key`."""
        ...

    async def release(self, key: str, *, token: str) -> bool:
        """Forget an in-flight claim so the key can be claimed again; False when not held."""
        ...

    async def get(self, key: str) -> IdempotencyRecord | None:
        """The live record under `key`, or None when absent or expired."""
        ...

    async def ping(self) -> None: ...
