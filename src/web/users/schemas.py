"""Request bodies of `/api/v1/users/me`; the `User` it returns is shaped by the use cases."""

from __future__ import annotations

import msgspec

from web.auth.schemas import Name

__all__ = ["UserUpdate"]


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | msgspec.UnsetType | None = msgspec.UNSET
