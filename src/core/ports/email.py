"""Email port: send one transactional message."""

from __future__ import annotations

from typing import Protocol

import msgspec

__all__ = ["EmailDeliveryError", "EmailMessage", "EmailSender"]


class EmailMessage(msgspec.Struct, frozen=True, kw_only=True):
    to: str
    subject: str
    text: str
    html: str | None = None
    sender: str | None = None
    """Overrides the configured `EMAIL_FROM` when set."""


class EmailDeliveryError(Exception):
    """The provider refused or could not be reached; `retryable` says whether to try again."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class EmailSender(Protocol):
    @property
    def adapter(self) -> str:
        """`smtp`, `resend` or `console`."""
        ...

    async def send(self, message: EmailMessage) -> str:
        """Deliver `message`; return the provider's message id. Raises `EmailDeliveryError`."""
        ...

    async def ping(self) -> None: ...
