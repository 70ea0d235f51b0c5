"""Resend specifics against a local server speaking its wire format, and the error mapping."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from core.ports.email import EmailDeliveryError, EmailMessage
from infra.email.resend import ResendEmailSender
from tests.integration.infra.email.conftest import DEFAULT_SENDER, RESEND_KEY
from tests.integration.infra.email.servers import ResendTestServer, closed_port

MESSAGE = EmailMessage(to="erin@example.com", subject="Hi", text="Hello", html="<b>Hello</b>")


def sender_for(url: str, *, timeout: float = 5.0) -> ResendEmailSender:
    return ResendEmailSender(
        RESEND_KEY, default_sender=DEFAULT_SENDER, base_url=url, timeout_seconds=timeout
    )


async def test_wire_format(resend: ResendTestServer) -> None:
    message_id = await sender_for(resend.url + "/").send(MESSAGE)

    (request,) = resend.requests
    assert (request.method, request.path) == ("POST", "/emails")
    assert request.headers["authorization"] == f"Bearer {RESEND_KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {
        "from": DEFAULT_SENDER,
        "to": ["erin@example.com"],
        "subject": "Hi",
        "text": "Hello",
        "html": "<b>Hello</b>",
    }
    assert resend.issued_ids == [message_id]


async def test_text_only_message_sends_no_html_key(resend: ResendTestServer) -> None:
    await sender_for(resend.url).send(EmailMessage(to="a@example.com", subject="s", text="t"))

    (request,) = resend.requests
    assert "html" not in request.json()


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (401, False), (403, False), (422, False), (429, True), (500, True), (503, True)],
)
async def test_error_status_mapping(resend: ResendTestServer, status: int, retryable: bool) -> None:
    body = {"statusCode": status, "message": "refused", "name": f"error_{status}"}
    resend.reply = (status, json.dumps(body).encode())

    with pytest.raises(EmailDeliveryError, match=f"{status} error_{status}") as caught:
        await sender_for(resend.url).send(MESSAGE)

    assert caught.value.retryable is retryable


async def test_error_without_json_body_still_maps(resend: ResendTestServer) -> None:
    resend.reply = (502, b"<html>Bad gateway</html>")

    with pytest.raises(EmailDeliveryError, match="502") as caught:
        await sender_for(resend.url).send(MESSAGE)

    assert caught.value.retryable is True


async def test_unreadable_success_is_not_retried(resend: ResendTestServer) -> None:
    resend.reply = (200, b"not json")

    with pytest.raises(EmailDeliveryError, match="unreadable") as caught:
        await sender_for(resend.url).send(MESSAGE)

    assert caught.value.retryable is False


async def test_unreachable_api_is_retryable() -> None:
    sender = sender_for(f"http://127.0.0.1:{closed_port()}")

    with pytest.raises(EmailDeliveryError, match="ConnectError") as caught:
        await sender.send(MESSAGE)

    assert caught.value.retryable is True
    with pytest.raises(httpx.ConnectError):
        await sender.ping()


async def test_slow_api_times_out_as_retryable(resend: ResendTestServer) -> None:
    resend.hold = threading.Event()

    with pytest.raises(EmailDeliveryError, match="Timeout") as caught:
        await sender_for(resend.url, timeout=0.2).send(MESSAGE)

    assert caught.value.retryable is True


async def test_ping_does_not_spend_the_api_key(resend: ResendTestServer) -> None:
    await sender_for(resend.url).ping()

    (request,) = resend.requests
    assert request.method == "GET"
    assert "authorization" not in request.headers
