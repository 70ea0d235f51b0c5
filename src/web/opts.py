"""Route-handler `opt` flags that middleware reads; here so features and middleware both
import downwards (`@post(..., opt={SECRET_RESPONSE_OPT: True})`)."""

from __future__ import annotations

__all__ = ["SECRET_RESPONSE_OPT"]

SECRET_RESPONSE_OPT = "secret_response"
"""The response carries credentials (tokens, TOTP seeds, recovery codes): anything that keeps
a copy of it, such as the idempotency store, keeps it encrypted."""
