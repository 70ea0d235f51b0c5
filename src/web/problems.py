"""RFC 9457 problem+json: every error leaves the API through here, and only here."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import OperationalError as DatabaseUnreachableError
from sqlalchemy.exc import TimeoutError as DatabasePoolTimeoutError

from core.errors import BulkheadError, ErrorKind, FieldError
from core.logging import get_logger

__all__ = ["Problem", "ProblemError", "exception_handlers", "problem_response"]

PROBLEM_MEDIA_TYPE = "application/problem+json"
_log = get_logger(__name__)

STATUS_BY_KIND = {
    ErrorKind.INPUT: 400,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.UNPROCESSABLE: 422,
    ErrorKind.RATE_LIMITED: 429,
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.CONFIGURATION: 500,
}

_SLUG_BY_STATUS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("unprocessable", "Unprocessable request"),
    429: ("too-many-requests", "Too many requests"),
    500: ("internal-error", "Internal server error"),
    503: ("service-unavailable", "Service unavailable"),
}

BACKEND_RETRY_AFTER_SECONDS = 2


class ProblemFieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemFieldError] = msgspec.field(default_factory=list)


class ProblemError(Exception):
    """Raised from `web` code that must answer with a specific problem (status, slug)."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.title = title or _SLUG_BY_STATUS.get(status, (slug, slug))[1]
        self.headers = headers or {}


def problem_response(
    request: Request[Any, Any, Any],
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[ProblemFieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    problem = Problem(
        type=f"/problems/{slug}",
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors or [],
    )
    return Response(problem, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _from_bulkhead_error(request: Request[Any, Any, Any], exc: BulkheadError) -> Response[Problem]:
    status = STATUS_BY_KIND[exc.kind]
    headers: dict[str, str] = {}
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
        if status == 429:
            # RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): none left until reset.
            headers["RateLimit-Remaining"] = "0"
            headers["RateLimit-Reset"] = str(exc.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if exc.kind is ErrorKind.CONFIGURATION:
        _log.error("config.error", detail=exc.detail)
        return _internal_error(request)
    return problem_response(
        request,
        status=status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        errors=[_field_error(error) for error in exc.errors],
        headers=headers,
    )


def _field_error(error: FieldError) -> ProblemFieldError:
    return ProblemFieldError(field=error.field, message=error.message)


# Litestar names the request body `data` and reports a missing or unknown member only in
# the message; pull the member's name out so `field` points at it.
_BODY = "data"
_MEMBER_IN_MESSAGE = re.compile(r"^Object (?:contains unknown|missing required) field `([^`]+)`")
_MISSING_PARAMETER = re.compile(r"^Missing required (\w+) parameter '([^']+)'")


def _from_validation(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[Problem]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = [_validation_error(item) for item in extra if isinstance(item, dict)]
    missing = _MISSING_PARAMETER.match(str(exc.detail or ""))
    if not errors and missing:
        errors = [
            ProblemFieldError(
                field=missing.group(2), message=f"Missing required {missing.group(1)} parameter"
            )
        ]
    return problem_response(
        request,
        status=400,
        slug="validation-error",
        title="Invalid input",
        detail="The request did not match the schema; see errors",
        errors=errors,
    )


def _validation_error(item: dict[str, Any]) -> ProblemFieldError:
    key = str(item.get("key") or "")
    message = str(item.get("message", ""))
    if key == _BODY and message.strip("'") == _BODY:
        return ProblemFieldError(field="body", message="A JSON body is required")
    path = "" if key == _BODY else key
    member = _MEMBER_IN_MESSAGE.match(message)
    if member:
        path = f"{path}.{member.group(1)}" if path else member.group(1)
    return ProblemFieldError(field=path or "body", message=message)


def _from_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    if isinstance(exc, ValidationException):
        return _from_validation(request, exc)
    status = exc.status_code
    if status == HTTP_400_BAD_REQUEST and isinstance(exc.__cause__, SerializationException):
        return problem_response(
            request, status=400, slug="malformed-json", title="Malformed JSON", detail=exc.detail
        )
    if status >= HTTP_500_INTERNAL_SERVER_ERROR:
        _log.error("http.error", status=status, detail=exc.detail)
        return _internal_error(request, status=status)
    slug, title = _SLUG_BY_STATUS.get(status, ("http-error", "HTTP error"))
    headers = dict(exc.headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return problem_response(
        request, status=status, slug=slug, title=title, detail=str(exc.detail), headers=headers
    )


def _from_problem(request: Request[Any, Any, Any], exc: ProblemError) -> Response[Problem]:
    return problem_response(
        request,
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        headers=exc.headers,
    )


def _from_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    _log.exception("http.unhandled_error", error_type=type(exc).__name__)
    return _internal_error(request)


def _from_unavailable_backend(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """The database or Redis is unreachable or saturated: a retryable 503, not a 500."""
    _log.error("http.backend_unavailable", error_type=type(exc).__name__)
    return problem_response(
        request,
        status=503,
        slug="service-unavailable",
        title="Service unavailable",
        detail="A backing service is unavailable; retry shortly",
        headers={"Retry-After": str(BACKEND_RETRY_AFTER_SECONDS)},
    )


_UNSTORABLE_TEXT = frozenset({"22021", "22P05"})
"""PostgreSQL's SQLSTATEs for text it cannot store (a NUL byte, an untranslatable character)."""


def _from_database_error(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Problem]:
    """Input text PostgreSQL cannot store is the client's error (400); a connection the
    database dropped (a restart: the pool is invalidated, the next request reconnects) is a
    retryable 503; the rest is ours."""
    if exc.connection_invalidated:
        return _from_unavailable_backend(request, exc)
    if getattr(exc.orig, "pgcode", None) in _UNSTORABLE_TEXT:
        return problem_response(
            request,
            status=400,
            slug="invalid-text",
            title="Invalid text",
            detail="Text in the request holds a character that cannot be stored (e.g. NUL)",
        )
    return _from_unexpected(request, exc)


def _internal_error(request: Request[Any, Any, Any], status: int = 500) -> Response[Problem]:
    slug, title = _SLUG_BY_STATUS.get(status, ("internal-error", "Internal server error"))
    return problem_response(
        request, status=status, slug=slug, title=title, detail="An unexpected error occurred"
    )


exception_handlers: ExceptionHandlersMap = {
    BulkheadError: _from_bulkhead_error,
    ProblemError: _from_problem,
    HTTPException: _from_http,
    RedisConnectionError: _from_unavailable_backend,
    RedisTimeoutError: _from_unavailable_backend,
    DatabaseUnreachableError: _from_unavailable_backend,
    DatabasePoolTimeoutError: _from_unavailable_backend,
    DBAPIError: _from_database_error,
    Exception: _from_unexpected,
}
