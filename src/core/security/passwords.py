"""Argon2id password hashing, run in a worker thread so it never blocks the event loop."""

from __future__ import annotations

import asyncio

import argon2

__all__ = ["PasswordHasher"]


class PasswordHasher:
    """Hash and verify with Argon2id; OWASP parameters are the floor, settings the choice."""

    def __init__(
        self, *, memory_kib: int = 65536, time_cost: int = 3, parallelism: int = 1
    ) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        # Verified against when the account does not exist, so both paths cost the same.
        self._dummy_hash = self._hasher.hash("bulkhead-dummy-password")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches; a None hash still costs one verification."""
        return await asyncio.to_thread(self._verify, password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except argon2.exceptions.InvalidHashError:
            return True

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and bool(
                password_hash
            )
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False
