"""The EmailSender contract, run against every adapter and what its far side received."""

from __future__ import annotations

import asyncio

from core.ports.email import EmailMessage
from tests.integration.infra.email.conftest import DEFAULT_SENDER, Delivered, EmailHarness


async def test_adapter_names_itself(email_harness: EmailHarness) -> None:
    assert email_harness.sender.adapter == email_harness.name


async def test_send_delivers_text_from_the_default_sender(email_harness: EmailHarness) -> None:
    message = EmailMessage(
        to="ada@example.com",
        subject="Bienvenue à Bulkhead ✓",
        text="Hello Ada,\n\nyour code is 123456.",
    )

    message_id = await email_harness.sender.send(message)

    assert message_id
    assert email_harness.delivered() == [
        Delivered(
            to="ada@example.com",
            sender=DEFAULT_SENDER,
            subject="Bienvenue à Bulkhead ✓",
            text="Hello Ada,\n\nyour code is 123456.",
            html=None,
        )
    ]


async def test_html_travels_beside_the_text(email_harness: EmailHarness) -> None:
    html = "<p>Reset your password: <a href='https://x.test/r?t=1&amp;u=2'>link</a></p>"
    await email_harness.sender.send(
        EmailMessage(to="bob@example.com", subject="Reset", text="Reset: https://x.test", html=html)
    )

    (delivered,) = email_harness.delivered()
    assert delivered.html == html
    assert delivered.text == "Reset: https://x.test"


async def test_message_sender_overrides_the_default(email_harness: EmailHarness) -> None:
    await email_harness.sender.send(
        EmailMessage(
            to="carol@example.com",
            subject="Invoice",
            text="Paid.",
            sender="Billing <billing@bulkhead.test>",
        )
    )

    (delivered,) = email_harness.delivered()
    assert delivered.sender == "Billing <billing@bulkhead.test>"


async def test_concurrent_sends_each_arrive_once_with_their_own_id(
    email_harness: EmailHarness,
) -> None:
    messages = [
        EmailMessage(to=f"user{n}@example.com", subject=f"Message {n}", text=f"body {n}")
        for n in range(10)
    ]

    ids = await asyncio.gather(*(email_harness.sender.send(message) for message in messages))

    assert len(set(ids)) == len(messages)
    delivered = email_harness.delivered()
    assert sorted(item.subject for item in delivered) == sorted(m.subject for m in messages)
    assert {(item.to, item.text) for item in delivered} == {(m.to, m.text) for m in messages}


async def test_ping_answers_when_the_service_is_up(email_harness: EmailHarness) -> None:
    await email_harness.sender.ping()

    assert email_harness.delivered() == []
