"""Retry policy: exponential backoff with jitter, decided without I/O or hidden randomness."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BackoffPolicy"]

_MAX_DOUBLINGS = 60


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """`base * 2^(attempt-1)`, capped, then spread by ±`jitter` (also capped).

    Jitter keeps workers that failed together from retrying together.
    """

    base_seconds: float = 0.25
    cap_seconds: float = 30.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.base_seconds <= 0 or self.cap_seconds < self.base_seconds:
            raise ValueError("backoff needs 0 < base_seconds <= cap_seconds")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be within [0, 1)")

    def delay(self, attempt: int, unit: float) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based).

        `unit` is a random draw in [0, 1) supplied by the caller, so tests can pin it.
        """
        doublings = min(max(attempt, 1) - 1, _MAX_DOUBLINGS)
        raw = min(self.cap_seconds, self.base_seconds * 2.0**doublings)
        spread = raw * (1 + self.jitter * (2 * unit - 1))
        return min(self.cap_seconds, spread)
