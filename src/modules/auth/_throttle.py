"""Brute-force counters in the kv store (Redis or SQL), so limits hold across processes.

Attempts are counted *before* the password is checked and given back on success: counting
after the check would let a burst of concurrent guesses all pass the limit together.
The account counter is keyed by a hash of the normalised email, for unknown emails too, so
throttling behaves the same whether or not the account exists.
"""

from __future__ import annotations

import math

from core.errors import RateLimitedError
from core.ports.clock import Clock
from core.ports.kv import KeyValueStore
from core.security.secrets import hash_token
from policies.lockout import (
    ACCOUNT_WINDOW_SECONDS,
    IP_WINDOW_SECONDS,
    MFA_WINDOW_SECONDS,
    account_attempt_allowed,
    account_delay_seconds,
    ip_attempt_allowed,
    mfa_attempt_allowed,
    window_remaining_seconds,
    window_start,
)

__all__ = ["LoginAttempt", "LoginThrottle", "MfaThrottle", "too_many_attempts"]

_TTL_SLACK = 300


def too_many_attempts(retry_after: int) -> RateLimitedError:
    return RateLimitedError(
        "Too many failed attempts; try again later",
        slug="too-many-attempts",
        title="Too many attempts",
        retry_after=max(1, retry_after),
    )


class LoginAttempt:
    __slots__ = ("account_key", "failures", "ip_key", "lock_seconds")

    def __init__(self, ip_key: str | None, account_key: str, failures: int, lock_seconds: int):
        self.ip_key = ip_key
        self.account_key = account_key
        self.failures = failures
        self.lock_seconds = lock_seconds
        """The delay this attempt imposes if it fails (0: none)."""


def _account_key(email: str) -> str:
    return f"auth:login-account:{hash_token(email)[:32]}"


class LoginThrottle:
    def __init__(self, kv: KeyValueStore, clock: Clock) -> None:
        self._kv = kv
        self._clock = clock

    def _now(self) -> float:
        return self._clock.now().timestamp()

    async def begin(self, *, ip: str | None, email: str) -> LoginAttempt:
        """Count one attempt; raise `too-many-attempts` when the IP or the account is held."""
        now = self._now()
        ip_key = None
        if ip:
            ip_key = f"auth:login-ip:{ip}:{window_start(now, IP_WINDOW_SECONDS)}"
            attempt = await self._kv.incr(ip_key, 1, ttl_seconds=IP_WINDOW_SECONDS)
            if not ip_attempt_allowed(attempt):
                raise too_many_attempts(window_remaining_seconds(now, IP_WINDOW_SECONDS))
        account_key = _account_key(email)
        locked_until = await self._kv.get(f"{account_key}:locked-until")
        if locked_until is not None and float(locked_until) > now:
            raise too_many_attempts(math.ceil(float(locked_until) - now))
        failures = await self._kv.incr(
            f"{account_key}:failures", 1, ttl_seconds=ACCOUNT_WINDOW_SECONDS
        )
        delay = account_delay_seconds(failures)
        if delay:
            # Held before the check: concurrent guesses behind this one are refused at once.
            await self._hold(account_key, now, delay)
        if not account_attempt_allowed(failures):
            raise too_many_attempts(delay)
        return LoginAttempt(ip_key, account_key, failures, delay)

    async def _hold(self, account_key: str, now: float, delay: int) -> None:
        # The stored deadline decides, read against our clock; the TTL only clears the key
        # later, with slack so a store whose clock runs ahead (Redis) cannot end a hold early.
        await self._kv.set(
            f"{account_key}:locked-until", str(now + delay), ttl_seconds=delay + _TTL_SLACK
        )

    async def succeeded(self, attempt: LoginAttempt) -> None:
        await self.clear_account(attempt.account_key)
        if attempt.ip_key is not None:
            await self._kv.incr(attempt.ip_key, -1, ttl_seconds=IP_WINDOW_SECONDS)

    async def clear_account(self, account_key: str) -> None:
        await self._kv.delete(f"{account_key}:failures")
        await self._kv.delete(f"{account_key}:locked-until")

    async def clear_email(self, email: str) -> None:
        """Forget the account's failures (the owner proved control of the mailbox)."""
        await self.clear_account(_account_key(email))

    async def count_failure(self, email: str) -> int:
        """A failure outside the password check (a wrong MFA code) also feeds the lockout."""
        now = self._now()
        account_key = _account_key(email)
        failures = await self._kv.incr(
            f"{account_key}:failures", 1, ttl_seconds=ACCOUNT_WINDOW_SECONDS
        )
        delay = account_delay_seconds(failures)
        if delay:
            await self._hold(account_key, now, delay)
        return failures


class MfaThrottle:
    """Second-factor guesses per user: a few per window, then `too-many-attempts`."""

    def __init__(self, kv: KeyValueStore, clock: Clock) -> None:
        self._kv = kv
        self._clock = clock

    async def begin(self, user_id: str) -> str:
        now = self._clock.now().timestamp()
        key = f"auth:mfa:{user_id}:{window_start(now, MFA_WINDOW_SECONDS)}"
        attempt = await self._kv.incr(key, 1, ttl_seconds=MFA_WINDOW_SECONDS)
        if not mfa_attempt_allowed(attempt):
            raise too_many_attempts(window_remaining_seconds(now, MFA_WINDOW_SECONDS))
        return key

    async def succeeded(self, key: str) -> None:
        await self._kv.incr(key, -1, ttl_seconds=MFA_WINDOW_SECONDS)
