"""Console outbox: logs each message and keeps it readable in dev (zero-config email)."""

from __future__ import annotations

from collections import deque

from common.ids import new_id
from core.logging import get_logger
from core.ports.email import EmailMessage

__all__ = ["ConsoleEmailSender"]

_log = get_logger(__name__)


class ConsoleEmailSender:
    adapter = "console"

    def __init__(self, default_sender: str, keep: int = 100) -> None:
        self._default_sender = default_sender
        self.outbox: deque[tuple[str, EmailMessage]] = deque(maxlen=keep)

    async def send(self, message: EmailMessage) -> str:
        message_id = new_id()
        self.outbox.append((message_id, message))
        _log.info(
            "email.console",
            message_id=message_id,
            to=message.to,
            sender=message.sender or self._default_sender,
            subject=message.subject,
            text=message.text,
        )
        return message_id

    async def ping(self) -> None:
        return None
