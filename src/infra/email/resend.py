"""Resend sender: `POST {RESEND_API_URL}/emails` with the API key as a bearer token.

A client is opened per call: mail volume is low, and a client bound to no event loop keeps
the container safe to build before the loop starts and to share across test loops.
"""

from __future__ import annotations

import httpx
import msgspec

from core.logging import get_logger
from core.ports.email import EmailDeliveryError, EmailMessage

__all__ = ["ResendEmailSender"]

_log = get_logger(__name__)


class _Email(msgspec.Struct, kw_only=True, omit_defaults=True):
    sender: str = msgspec.field(name="from")
    to: list[str]
    subject: str
    text: str
    html: str | None = None


class _Sent(msgspec.Struct):
    id: str


class _Failure(msgspec.Struct):
    message: str = ""
    name: str = ""


class ResendEmailSender:
    adapter = "resend"

    def __init__(
        self,
        api_key: str,
        *,
        default_sender: str,
        base_url: str = "https://api.resend.com",
        timeout_seconds: float = 10.0,
    ) -> None:
        self._api_key = api_key
        self._default_sender = default_sender
        self._base_url = base_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout_seconds)

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self._base_url,
            timeout=self._timeout,
            headers={"User-Agent": "bulkhead"},
        )

    async def send(self, message: EmailMessage) -> str:
        body = _Email(
            sender=message.sender or self._default_sender,
            to=[message.to],
            subject=message.subject,
            text=message.text,
            html=message.html,
        )
        try:
            async with self._client() as client:
                response = await client.post(
                    "/emails",
                    content=msgspec.json.encode(body),
                    headers={
                        "Authorization": f"Bearer {self._api_key}",
                        "Content-Type": "application/json",
                    },
                )
        except httpx.HTTPError as exc:
            raise self._failed(
                EmailDeliveryError(f"resend: {type(exc).__name__}", retryable=True)
            ) from exc
        if response.status_code >= 300:
            raise self._failed(_status_error(response))
        try:
            message_id = msgspec.json.decode(response.content, type=_Sent).id
        except msgspec.DecodeError as exc:
            # The provider accepted the request; retrying could send the message twice.
            raise self._failed(
                EmailDeliveryError("resend: unreadable success response", retryable=False)
            ) from exc
        _log.info("email.sent", adapter=self.adapter, message_id=message_id)
        return message_id

    def _failed(self, error: EmailDeliveryError) -> EmailDeliveryError:
        _log.warning("email.failed", adapter=self.adapter, retryable=error.retryable)
        return error

    async def ping(self) -> None:
        """Reach the API host without the key, so probes spend none of its rate limit."""
        async with self._client() as client:
            await client.get("/")


def _status_error(response: httpx.Response) -> EmailDeliveryError:
    """429 and 5xx are transient; any other refusal will fail the same way again."""
    try:
        failure = msgspec.json.decode(response.content, type=_Failure)
    except msgspec.DecodeError:
        failure = _Failure()
    status = response.status_code
    reason = failure.name or failure.message or response.reason_phrase
    return EmailDeliveryError(
        f"resend: {status} {reason}".strip(), retryable=status == 429 or status >= 500
    )
