"""The error hierarchy every layer raises and `web` maps to problem+json once.

Each error carries a stable `slug` (the last segment of the problem `type` URI) and a
transport-neutral `kind`; the HTTP status is chosen in `web`, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

__all__ = [
    "AuthenticationError",
    "BulkheadError",
    "ConfigurationError",
    "ConflictError",
    "ErrorKind",
    "FieldError",
    "InputError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "ServiceUnavailableError",
    "UnprocessableError",
]


class ErrorKind(Enum):
    INPUT = "input"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    UNPROCESSABLE = "unprocessable"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    CONFIGURATION = "configuration"


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class BulkheadError(Exception):
    """Base of every error Bulkhead raises on purpose."""

    kind: ErrorKind = ErrorKind.INPUT
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        slug: str | None = None,
        title: str | None = None,
        retry_after: int | None = None,
        errors: Sequence[FieldError] = (),
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or (title or self.title)
        if slug is not None:
            self.slug = slug
        if title is not None:
            self.title = title
        self.retry_after = retry_after
        self.errors = tuple(errors)


class InputError(BulkheadError):
    kind = ErrorKind.INPUT
    slug = "validation-error"
    title = "Invalid input"


class AuthenticationError(BulkheadError):
    kind = ErrorKind.UNAUTHENTICATED
    slug = "unauthenticated"
    title = "Authentication required"


class PermissionDeniedError(BulkheadError):
    kind = ErrorKind.FORBIDDEN
    slug = "forbidden"
    title = "Not allowed"


class NotFoundError(BulkheadError):
    kind = ErrorKind.NOT_FOUND
    slug = "not-found"
    title = "Not found"


class ConflictError(BulkheadError):
    kind = ErrorKind.CONFLICT
    slug = "conflict"
    title = "Conflict"


class UnprocessableError(BulkheadError):
    kind = ErrorKind.UNPROCESSABLE
    slug = "unprocessable"
    title = "Unprocessable request"


class RateLimitedError(BulkheadError):
    kind = ErrorKind.RATE_LIMITED
    slug = "too-many-requests"
    title = "Too many requests"


class ServiceUnavailableError(BulkheadError):
    kind = ErrorKind.UNAVAILABLE
    slug = "service-unavailable"
    title = "Service unavailable"


class ConfigurationError(BulkheadError):
    """A setting is missing or wrong; raised at boot, never per request."""

    kind = ErrorKind.CONFIGURATION
    slug = "configuration-error"
    title = "Invalid configuration"
