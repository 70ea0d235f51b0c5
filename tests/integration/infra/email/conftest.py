"""One harness per email adapter: the sender, and a way to read what actually arrived."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage as MimeMessage
from typing import Any, Protocol

import pytest
import structlog

from core.ports.email import EmailSender
from infra.email.console import ConsoleEmailSender
from infra.email.resend import ResendEmailSender
from infra.email.smtp import SmtpEmailSender
from tests.conftest import FakeClock
from tests.integration.infra.email.servers import (
    ResendTestServer,
    SmtpTestServer,
    resend_server,
    start_smtp_server,
)

DEFAULT_SENDER = "Bulkhead <noreply@bulkhead.test>"
RESEND_KEY = "re_test_key"


@dataclass(frozen=True)
class Delivered:
    """A message as the far side saw it."""

    to: str
    sender: str
    subject: str
    text: str
    html: str | None


class Outbox(Protocol):
    def __call__(self) -> list[Delivered]: ...


@dataclass
class EmailHarness:
    name: str
    sender: EmailSender
    delivered: Outbox


@pytest.fixture
async def smtp_server() -> AsyncIterator[SmtpTestServer]:
    state, server = await start_smtp_server()
    yield state
    server.close()
    await server.wait_closed()


@pytest.fixture
def resend() -> Iterator[ResendTestServer]:
    with resend_server() as state:
        yield state


def _from_mime(raw: bytes) -> Delivered:
    # SMTP carries CRLF line endings; compare text as the application wrote it.
    mime = message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=policy.default)
    assert isinstance(mime, MimeMessage)
    text_part = mime.get_body(("plain",))
    html_part = mime.get_body(("html",))
    assert text_part is not None
    return Delivered(
        to=str(mime["To"]),
        sender=str(mime["From"]),
        subject=str(mime["Subject"]),
        text=text_part.get_content().removesuffix("\n"),
        html=None if html_part is None else html_part.get_content().removesuffix("\n"),
    )


def _from_resend(body: Any) -> Delivered:
    (to,) = body["to"]
    return Delivered(
        to=to,
        sender=body["from"],
        subject=body["subject"],
        text=body["text"],
        html=body.get("html"),
    )


@pytest.fixture(params=["console", "smtp", "resend"])
def email_harness(request: pytest.FixtureRequest) -> Iterator[EmailHarness]:
    """The contract suite runs once per adapter against what each one really delivers."""
    if request.param == "smtp":
        server: SmtpTestServer = request.getfixturevalue("smtp_server")
        smtp = SmtpEmailSender(server.url(), default_sender=DEFAULT_SENDER, clock=FakeClock())
        yield EmailHarness(
            "smtp",
            smtp,
            lambda: [_from_mime(bytes(env.content or b"")) for env in server.inbox.envelopes],
        )
    elif request.param == "resend":
        api: ResendTestServer = request.getfixturevalue("resend")
        sender = ResendEmailSender(RESEND_KEY, default_sender=DEFAULT_SENDER, base_url=api.url)
        yield EmailHarness(
            "resend",
            sender,
            lambda: [_from_resend(req.json()) for req in api.requests if req.path == "/emails"],
        )
    else:
        console = ConsoleEmailSender(DEFAULT_SENDER)
        with structlog.testing.capture_logs() as logs:
            yield EmailHarness(
                "console",
                console,
                lambda: [
                    Delivered(
                        to=message.to,
                        sender=_logged_sender(logs, message_id),
                        subject=message.subject,
                        text=message.text,
                        html=message.html,
                    )
                    for message_id, message in console.outbox
                ],
            )


def _logged_sender(logs: list[dict[str, Any]], message_id: str) -> str:
    (line,) = [log for log in logs if log.get("message_id") == message_id]
    return str(line["sender"])
