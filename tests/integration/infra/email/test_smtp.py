"""SMTP specifics against a real local server: envelope, auth, and how failures are mapped."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from core.ports.email import EmailDeliveryError, EmailMessage
from infra.email.smtp import SmtpEmailSender
from tests.conftest import FakeClock
from tests.integration.infra.email.conftest import DEFAULT_SENDER
from tests.integration.infra.email.servers import SmtpTestServer, closed_port

MESSAGE = EmailMessage(to="dan@example.com", subject="Hi", text="Hello")


def sender_for(url: str, *, timeout: float = 5.0) -> SmtpEmailSender:
    return SmtpEmailSender(
        url, default_sender=DEFAULT_SENDER, clock=FakeClock(), timeout_seconds=timeout
    )


async def test_envelope_and_headers(smtp_server: SmtpTestServer) -> None:
    message_id = await sender_for(smtp_server.url()).send(MESSAGE)

    (envelope,) = smtp_server.inbox.envelopes
    assert envelope.mail_from == "noreply@bulkhead.test"
    assert envelope.rcpt_tos == ["dan@example.com"]
    mime = message_from_bytes(bytes(envelope.content or b""), policy=policy.default)
    assert mime["Message-ID"] == message_id
    assert message_id.endswith("@bulkhead.test>")
    assert mime["Date"] == "Thu, 01 Jan 2026 00:00:00 +0000"


async def test_wrong_password_is_not_retryable(smtp_server: SmtpTestServer) -> None:
    sender = sender_for(smtp_server.url(password="wrong"))

    with pytest.raises(EmailDeliveryError, match="authentication") as caught:
        await sender.send(MESSAGE)

    assert caught.value.retryable is False
    assert smtp_server.inbox.envelopes == []


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        ("550 5.1.1 Mailbox unavailable", False),
        ("553 5.1.3 Bad address", False),
        ("450 4.2.1 Mailbox busy", True),
        ("451 4.3.0 Try again later", True),
    ],
)
async def test_refused_recipient(smtp_server: SmtpTestServer, reply: str, retryable: bool) -> None:
    smtp_server.inbox.refuse_rcpt["dan@example.com"] = reply

    with pytest.raises(EmailDeliveryError, match=reply[:3]) as caught:
        await sender_for(smtp_server.url()).send(MESSAGE)

    assert caught.value.retryable is retryable


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [("554 5.6.0 Message rejected", False), ("452 4.3.1 Insufficient storage", True)],
)
async def test_refused_data(smtp_server: SmtpTestServer, reply: str, retryable: bool) -> None:
    smtp_server.inbox.refuse_data = reply

    with pytest.raises(EmailDeliveryError, match=reply[:3]) as caught:
        await sender_for(smtp_server.url()).send(MESSAGE)

    assert caught.value.retryable is retryable


async def test_unreachable_server_is_retryable() -> None:
    sender = sender_for(f"smtp://127.0.0.1:{closed_port()}")

    with pytest.raises(EmailDeliveryError) as caught:
        await sender.send(MESSAGE)

    assert caught.value.retryable is True
    with pytest.raises(OSError, match="connect"):
        await sender.ping()


async def test_required_starttls_the_server_lacks_is_not_retryable(
    smtp_server: SmtpTestServer,
) -> None:
    sender = sender_for(smtp_server.url(query="starttls=true"))

    with pytest.raises(EmailDeliveryError, match="STARTTLS") as caught:
        await sender.send(MESSAGE)

    assert caught.value.retryable is False
    assert smtp_server.inbox.envelopes == []


@pytest.mark.parametrize("field", ["subject", "to"])
async def test_header_injection_is_refused_before_connecting(
    smtp_server: SmtpTestServer, field: str
) -> None:
    values = {"to": "dan@example.com", "subject": "Hi", "text": "Hello"}
    values[field] += "\r\nBcc: victim@example.com"

    with pytest.raises(EmailDeliveryError, match="invalid header") as caught:
        await sender_for(smtp_server.url()).send(EmailMessage(**values))

    assert caught.value.retryable is False
    assert smtp_server.inbox.envelopes == []


async def test_ping_logs_in_when_credentials_are_set(smtp_server: SmtpTestServer) -> None:
    await sender_for(smtp_server.url()).ping()

    with pytest.raises(Exception, match="535"):
        await sender_for(smtp_server.url(password="wrong")).ping()
