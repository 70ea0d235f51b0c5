"""The user as the API shows it; both `modules.auth` and `modules.users` hand it out."""

from __future__ import annotations

from datetime import datetime

import msgspec

__all__ = ["User"]


class User(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    email: str
    name: str | None
    email_verified: bool
    mfa_enabled: bool
    created_at: datetime
