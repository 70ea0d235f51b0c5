"""Opaque, time-ordered ids: sortable by creation, unguessable, safe in URLs."""

from __future__ import annotations

import secrets
import time

__all__ = ["new_id"]


def new_id() -> str:
    """48 bits of milliseconds then 80 random bits, as 32 hex characters (UUIDv7-like)."""
    millis = time.time_ns() // 1_000_000
    return f"{millis:012x}{secrets.token_hex(10)}"
