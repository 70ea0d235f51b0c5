"""Prometheus counter of what the idempotency middleware did, served on `/metrics`."""

from __future__ import annotations

from typing import Literal

from prometheus_client import Counter

__all__ = ["Outcome", "count"]

Outcome = Literal["claimed", "replayed", "in_flight", "mismatch", "released"]

_OUTCOMES = Counter(
    "bulkhead_idempotency_requests",
    "Requests carrying an Idempotency-Key, by outcome: claimed (ran), replayed (stored "
    "response sent), in_flight (409), mismatch (422), released (5xx or crash, key freed).",
    ["outcome"],
)
for _outcome in ("claimed", "replayed", "in_flight", "mismatch", "released"):
    _OUTCOMES.labels(_outcome)


def count(outcome: Outcome) -> None:
    _OUTCOMES.labels(outcome).inc()
