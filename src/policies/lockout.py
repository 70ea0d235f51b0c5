"""Brute-force thresholds: per-IP refusal, per-account delays that grow and stay bounded.

Throttling must not hand an attacker a way to lock a victim out for good (OWASP): the
per-IP limit refuses outright, while the per-account part grows a delay (capped) after
`ACCOUNT_FREE_FAILURES` and never lets `ACCOUNT_FAILURE_CEILING` consecutive failures
through within its window (NIST 800-63B §5.2.2). Counts include the attempt being judged.
"""

from __future__ import annotations

import math

__all__ = [
    "ACCOUNT_FAILURE_CEILING",
    "ACCOUNT_FREE_FAILURES",
    "ACCOUNT_MAX_DELAY_SECONDS",
    "ACCOUNT_WINDOW_SECONDS",
    "IP_FAILURE_LIMIT",
    "IP_WINDOW_SECONDS",
    "MFA_FAILURE_LIMIT",
    "MFA_WINDOW_SECONDS",
    "account_attempt_allowed",
    "account_delay_seconds",
    "ip_attempt_allowed",
    "mfa_attempt_allowed",
    "window_remaining_seconds",
    "window_start",
]

IP_FAILURE_LIMIT = 30
IP_WINDOW_SECONDS = 600

ACCOUNT_FREE_FAILURES = 10
ACCOUNT_BASE_DELAY_SECONDS = 1
ACCOUNT_MAX_DELAY_SECONDS = 900
ACCOUNT_FAILURE_CEILING = 100
ACCOUNT_WINDOW_SECONDS = 24 * 3600
"""The account counter starts at the first failure and resets a day later (or on success)."""

MFA_FAILURE_LIMIT = 5
MFA_WINDOW_SECONDS = 300


def ip_attempt_allowed(attempt: int) -> bool:
    """`attempt` is this attempt's number among the IP's failures in the current window."""
    return attempt <= IP_FAILURE_LIMIT


def account_attempt_allowed(attempt: int) -> bool:
    return attempt <= ACCOUNT_FAILURE_CEILING


def account_delay_seconds(failures: int) -> int:
    """How long the account waits after `failures` consecutive failures.

    Nothing for the first `ACCOUNT_FREE_FAILURES`; then 1 s doubling up to 15 min; at the
    ceiling, the rest of the day (the window), after which the counter starts afresh.
    """
    if failures < ACCOUNT_FREE_FAILURES:
        return 0
    if failures >= ACCOUNT_FAILURE_CEILING:
        return ACCOUNT_WINDOW_SECONDS
    delay: int = ACCOUNT_BASE_DELAY_SECONDS * 2 ** (failures - ACCOUNT_FREE_FAILURES)
    return min(delay, ACCOUNT_MAX_DELAY_SECONDS)


def mfa_attempt_allowed(attempt: int) -> bool:
    return attempt <= MFA_FAILURE_LIMIT


def window_start(epoch_seconds: float, window_seconds: int) -> int:
    """The start of the fixed window holding `epoch_seconds`; it names the window's counter."""
    return int(epoch_seconds // window_seconds) * window_seconds


def window_remaining_seconds(epoch_seconds: float, window_seconds: int) -> int:
    """Whole seconds until the fixed window holding `epoch_seconds` ends (at least 1)."""
    end = window_start(epoch_seconds, window_seconds) + window_seconds
    return max(1, math.ceil(end - epoch_seconds))
