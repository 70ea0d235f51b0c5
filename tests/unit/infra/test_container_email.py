"""The container picks the email adapter from settings: SMTP, then Resend, then the console."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.errors import ConfigurationError
from core.settings import Settings
from web.features import build_app_container

SettingsFactory = Callable[..., Settings]


@pytest.mark.parametrize(
    ("env", "adapter"),
    [
        ({}, "console"),
        ({"RESEND_API_KEY": "re_x"}, "resend"),
        ({"SMTP_URL": "smtp://127.0.0.1:2525"}, "smtp"),
        ({"SMTP_URL": "smtps://u:p@mail.test", "RESEND_API_KEY": "re_x"}, "smtp"),
    ],
)
async def test_email_adapter_follows_settings(
    make_settings: SettingsFactory, env: dict[str, str], adapter: str
) -> None:
    container = build_app_container(make_settings(**env))
    try:
        assert container.email.adapter == adapter
        assert container.probes["email"] is container.email
    finally:
        await container.aclose()


def test_resend_api_url_must_be_http(make_settings: SettingsFactory) -> None:
    with pytest.raises(ConfigurationError, match="RESEND_API_URL"):
        make_settings(RESEND_API_KEY="re_x", RESEND_API_URL="ftp://api.resend.test")


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_email_timeout_must_be_positive(make_settings: SettingsFactory, value: str) -> None:
    with pytest.raises(ConfigurationError, match="EMAIL_TIMEOUT_SECONDS"):
        make_settings(EMAIL_TIMEOUT_SECONDS=value)


def test_malformed_smtp_url_fails_at_build_naming_the_variable(
    make_settings: SettingsFactory,
) -> None:
    with pytest.raises(ConfigurationError, match="SMTP_URL"):
        build_app_container(make_settings(SMTP_URL="smtp://mail.test:notaport"))
