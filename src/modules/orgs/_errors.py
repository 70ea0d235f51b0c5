"""The errors the organisation use cases raise more than once."""

from __future__ import annotations

from core.errors import ConflictError, NotFoundError, PermissionDeniedError

__all__ = ["forbidden", "last_owner", "org_not_found"]


def org_not_found() -> NotFoundError:
    # Not a member and no such organisation look the same: another org's data is 404.
    return NotFoundError("No such organisation", slug="org-not-found")


def forbidden(detail: str) -> PermissionDeniedError:
    return PermissionDeniedError(detail, slug="forbidden")


def last_owner() -> ConflictError:
    return ConflictError(
        "An organisation must keep an owner; promote someone else first",
        slug="last-owner",
        title="Last owner",
    )
