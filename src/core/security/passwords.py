"""Argon2id password hashing, run in worker threads so it never blocks the event loop.

The threads are a pool of their own, no larger than the CPU count: a login flood then queues
for the hashers instead of taking every core from the event loop (and never holds more than
`max_concurrency` x `memory_kib` of hashing memory).

Legacy Django hashes (`pbkdf2_sha256$iterations$salt$hash`) still verify, and report
`needs_rehash`, so a login can upgrade them to Argon2id transparently.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import argon2

__all__ = ["PasswordHasher", "make_django_pbkdf2", "verify_django_pbkdf2"]

_T = TypeVar("_T")
_PBKDF2_PREFIX = "pbkdf2_sha256$"
# Hashes come from our own database, but a bound keeps a corrupted row from pinning a thread.
_PBKDF2_MAX_ITERATIONS = 10_000_000
_PBKDF2_FIELDS = 4


class PasswordHasher:
    """Hash and verify with Argon2id; OWASP parameters are the floor, settings the choice."""

    def __init__(
        self,
        *,
        memory_kib: int = 65536,
        time_cost: int = 3,
        parallelism: int = 1,
        max_concurrency: int | None = None,
    ) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        # Verified against when the account does not exist, so both paths cost the same.
        self._dummy_hash = self._hasher.hash("bulkhead-dummy-password")
        # Threads start on first use, so building a hasher costs no thread.
        self._pool = ThreadPoolExecutor(
            max_workers=max_concurrency or os.cpu_count() or 1, thread_name_prefix="argon2"
        )

    async def _in_pool(self, function: Callable[..., _T], *args: object) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    async def hash(self, password: str) -> str:
        return await self._in_pool(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches; a None hash still costs one verification."""
        return await self._in_pool(self._verify, password_hash, password)

    def close(self) -> None:
        """Let the hashing threads go (the container calls this when it closes)."""
        self._pool.shutdown(wait=False)

    def needs_rehash(self, password_hash: str) -> bool:
        """True for legacy formats and Argon2 hashes made with other parameters."""
        if password_hash.startswith(_PBKDF2_PREFIX):
            return True
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except argon2.exceptions.InvalidHashError:
            return True

    def _verify(self, password_hash: str | None, password: str) -> bool:
        if password_hash is not None and password_hash.startswith(_PBKDF2_PREFIX):
            return verify_django_pbkdf2(password_hash, password)
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and bool(
                password_hash
            )
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False


def verify_django_pbkdf2(encoded: str, password: str) -> bool:
    """Check `password` against Django's `pbkdf2_sha256$iterations$salt$b64hash` (blocking)."""
    parts = encoded.split("$")
    if len(parts) != _PBKDF2_FIELDS or not parts[1].isdigit():
        return False
    _, iterations_text, salt, expected = parts
    iterations = int(iterations_text)
    if not 0 < iterations <= _PBKDF2_MAX_ITERATIONS:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return hmac.compare_digest(base64.b64encode(digest).decode("ascii"), expected)


def make_django_pbkdf2(password: str, salt: str, iterations: int) -> str:
    """Django's encoding of a PBKDF2-SHA256 hash; used to import and to test legacy users."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode('ascii')}"
