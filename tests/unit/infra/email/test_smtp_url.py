"""SMTP_URL parsing and the SMTP failure map for errors a local server cannot easily produce."""

from __future__ import annotations

import ssl

import aiosmtplib
import pytest

from core.errors import ConfigurationError
from infra.email.smtp import SmtpServer, delivery_error, parse_smtp_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.test", SmtpServer("mail.test", 25, None, None, False, None)),
        ("smtp://mail.test:2525", SmtpServer("mail.test", 2525, None, None, False, None)),
        (
            "smtp://u%40x:p%3Aw%2Fd@mail.test?starttls=true",
            SmtpServer("mail.test", 587, "u@x", "p:w/d", False, True),
        ),
        ("smtp://mail.test?starttls=false", SmtpServer("mail.test", 25, None, None, False, False)),
        ("smtps://u:p@mail.test", SmtpServer("mail.test", 465, "u", "p", True, False)),
        ("smtps://mail.test:2465", SmtpServer("mail.test", 2465, None, None, True, False)),
    ],
)
def test_parse(url: str, expected: SmtpServer) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.test",
        "smtp://",
        "smtp://mail.test:port",
        "smtp://mail.test?starttls=maybe",
        "smtps://mail.test?starttls=true",
    ],
)
def test_malformed_url_names_the_variable(url: str) -> None:
    with pytest.raises(ConfigurationError, match="SMTP_URL"):
        parse_smtp_url(url)


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (aiosmtplib.SMTPServerDisconnected("gone"), True),
        (aiosmtplib.SMTPReadTimeoutError("slow"), True),
        (aiosmtplib.SMTPConnectResponseError(421, "busy"), True),
        (aiosmtplib.SMTPConnectResponseError(554, "go away"), False),
        (aiosmtplib.SMTPNotSupported("no AUTH"), False),
        (ConnectionRefusedError(111, "refused"), True),
        (ssl.SSLCertVerificationError("self-signed"), False),
    ],
)
def test_failure_map(error: Exception, retryable: bool) -> None:
    assert delivery_error(error).retryable is retryable
