"""Where a request came from, as use cases record it (audit log, session list)."""

from __future__ import annotations

import msgspec

__all__ = ["RequestMeta"]


class RequestMeta(msgspec.Struct, frozen=True, kw_only=True):
    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
