"""Email addresses: one normal form, so `Ann@Example.com` and `ann@example.com` are one user."""

from __future__ import annotations

import re

__all__ = ["MAX_EMAIL_LENGTH", "is_valid_email", "normalize_email"]

MAX_EMAIL_LENGTH = 320
# Deliberately loose (RFC 5322 is not worth enforcing): one @, a dot in the domain, no spaces.
_SHAPE = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def is_valid_email(email: str) -> bool:
    return len(email) <= MAX_EMAIL_LENGTH and _SHAPE.match(email) is not None
