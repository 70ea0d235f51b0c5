"""A provider circuit breaker: fail fast after repeated failures, try one call again later.

closed ──N failures──► open ──reset time──► half-open ──success──► closed
                         ▲                      │
                         └──────failure─────────┘
Only one trial call runs while half-open. State is per process on purpose: it describes what
this process has seen of the provider, it guards no budget.
"""

from __future__ import annotations

from typing import Literal

from core.ports.clock import Clock

__all__ = ["CircuitBreaker"]


class CircuitBreaker:
    def __init__(self, clock: Clock, *, failure_threshold: int, reset_seconds: float) -> None:
        self._clock = clock
        self._threshold = failure_threshold
        self._reset = reset_seconds
        self.state: Literal["closed", "open", "half_open"] = "closed"
        self._failures = 0
        self._opened_at = 0.0
        self._trial_running = False

    def allow(self) -> bool:
        """May a call go out now? (Starts the half-open trial when the reset time is up.)"""
        if self.state == "closed":
            return True
        if self.state == "open":
            if self.retry_in() > 0:
                return False
            self.state = "half_open"
        if self._trial_running:
            return False
        self._trial_running = True
        return True

    def retry_in(self) -> float:
        """Seconds until an open circuit lets a trial call through."""
        if self.state == "closed":
            return 0.0
        return max(0.0, self._opened_at + self._reset - self._clock.monotonic())

    def success(self) -> None:
        self.state = "closed"
        self._failures = 0
        self._trial_running = False

    def failure(self) -> None:
        self._failures += 1
        if self.state == "half_open" or self._failures >= self._threshold:
            self.state = "open"
            self._opened_at = self._clock.monotonic()
        self._trial_running = False

    def abandon(self) -> None:
        """A call ended without a verdict (cancelled): let another trial through."""
        self._trial_running = False
