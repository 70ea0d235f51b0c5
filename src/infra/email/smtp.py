"""SMTP sender: one connection per message, configured by `SMTP_URL`.

`smtp://user:pass@host:port` speaks plain SMTP and upgrades with STARTTLS when the server
offers it; `?starttls=true` makes the upgrade mandatory, `?starttls=false` never tries it;
`smtps://` uses implicit TLS (port 465 by default).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from common.ids import new_id
from core.errors import ConfigurationError
from core.logging import get_logger
from core.ports.clock import Clock
from core.ports.email import EmailDeliveryError, EmailMessage

__all__ = ["SmtpEmailSender", "SmtpServer", "parse_smtp_url"]

_log = get_logger(__name__)
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool | None
    """True: required; False: never; None: upgrade when the server offers it."""


def parse_smtp_url(url: str) -> SmtpServer:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigurationError("SMTP_URL: expected smtp://[user:pass@]host[:port]")
    use_tls = parts.scheme == "smtps"
    start_tls = _flag(parse_qs(parts.query).get("starttls", [""])[-1])
    if use_tls and start_tls:
        raise ConfigurationError("SMTP_URL: smtps:// (implicit TLS) excludes ?starttls=true")
    try:
        port = parts.port
    except ValueError as exc:
        raise ConfigurationError("SMTP_URL: the port is not a number") from exc
    default_port = 465 if use_tls else 587 if start_tls else 25
    return SmtpServer(
        host=parts.hostname,
        port=port or default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=use_tls,
        start_tls=False if use_tls else start_tls,
    )


def _flag(value: str) -> bool | None:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    if lowered:
        raise ConfigurationError("SMTP_URL: starttls must be true or false")
    return None


class SmtpEmailSender:
    adapter = "smtp"

    def __init__(
        self, url: str, *, default_sender: str, clock: Clock, timeout_seconds: float = 10.0
    ) -> None:
        self._server = parse_smtp_url(url)
        self._default_sender = default_sender
        self._clock = clock
        self._timeout = timeout_seconds

    def _client(self) -> aiosmtplib.SMTP:
        server = self._server
        return aiosmtplib.SMTP(
            hostname=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.use_tls,
            start_tls=server.start_tls,
            timeout=self._timeout,
        )

    def _mime(self, message: EmailMessage, message_id: str) -> MimeMessage:
        sender = message.sender or self._default_sender
        domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
        mime = MimeMessage()
        try:
            mime["From"] = sender
            mime["To"] = message.to
            mime["Subject"] = message.subject
        except ValueError as exc:
            # The email policy refuses CR/LF in header values: no header injection.
            raise EmailDeliveryError(f"smtp: invalid header ({exc})", retryable=False) from exc
        mime["Date"] = format_datetime(self._clock.now())
        mime["Message-ID"] = f"<{message_id}@{domain}>"
        mime.set_content(message.text)
        if message.html is not None:
            mime.add_alternative(message.html, subtype="html")
        return mime

    async def send(self, message: EmailMessage) -> str:
        mime = self._mime(message, new_id())
        message_id = str(mime["Message-ID"])
        try:
            async with self._client() as client:
                await client.send_message(mime)
        except (aiosmtplib.SMTPException, OSError) as exc:
            error = delivery_error(exc)
            _log.warning(
                "email.failed",
                adapter=self.adapter,
                error_type=type(exc).__name__,
                retryable=error.retryable,
            )
            raise error from exc
        _log.info("email.sent", adapter=self.adapter, message_id=message_id)
        return message_id

    async def ping(self) -> None:
        async with self._client() as client:
            await client.noop()


def delivery_error(exc: Exception) -> EmailDeliveryError:
    """Map an SMTP failure: 4xx replies and network trouble are worth retrying, 5xx are not."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in exc.recipients]
        return EmailDeliveryError(
            f"smtp: recipients refused ({', '.join(map(str, codes))})",
            retryable=all(400 <= code < 500 for code in codes),
        )
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return EmailDeliveryError(f"smtp: authentication failed ({exc.code})", retryable=False)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return EmailDeliveryError(
            f"smtp: {exc.code} {exc.message}", retryable=400 <= exc.code < 500
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return EmailDeliveryError(f"smtp: {exc}", retryable=False)
    if isinstance(exc, ConnectionError | TimeoutError) or not isinstance(
        exc, aiosmtplib.SMTPException
    ):
        return EmailDeliveryError(f"smtp: {type(exc).__name__}: {exc}", retryable=True)
    # What is left is the server lacking something we asked for (STARTTLS, AUTH...): a
    # configuration problem that the next attempt would hit again.
    return EmailDeliveryError(f"smtp: {exc}", retryable=False)
