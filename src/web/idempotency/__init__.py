"""The HTTP idempotency guard: `Idempotency-Key` handling for every mutating API route."""

from web.idempotency.middleware import IDEMPOTENCY_KEY_HEADER, REQUIRED_OPT, IdempotencyMiddleware
from web.idempotency.stored import REPLAYED_HEADER

__all__ = ["IDEMPOTENCY_KEY_HEADER", "REPLAYED_HEADER", "REQUIRED_OPT", "IdempotencyMiddleware"]
