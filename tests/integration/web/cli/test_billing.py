"""`bulkhead billing sync-plans`, with the fake and with the real SDK against a local Stripe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from core.settings import Settings
from tests.integration.infra.billing.stripe_api import StripeApi, stripe_api
from web.cli.main import bulkhead

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in Settings.__struct_fields__:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    return tmp_path


@pytest.fixture
def local_stripe(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeApi]:
    with stripe_api() as server:
        monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_cli")
        monkeypatch.setenv("STRIPE_API_BASE", server.url)
        monkeypatch.setenv("STRIPE_MAX_NETWORK_RETRIES", "0")
        yield server


def sync() -> Result:
    return CliRunner().invoke(bulkhead, ["billing", "sync-plans"], catch_exceptions=True)


def test_with_the_fake_there_is_nothing_to_create(clean_env: Path) -> None:
    result = sync()
    assert result.exit_code == 0, result.output
    assert "gateway: fake" in result.output
    assert "price_fake_pro" in result.output
    assert "price_fake_team" in result.output


def test_with_stripe_prices_are_created_once(local_stripe: StripeApi) -> None:
    first = sync()
    assert first.exit_code == 0, first.output
    assert "gateway: stripe" in first.output
    assert first.output.count(" created ") == 2
    created = {p["lookup_key"]: p["id"] for p in local_stripe.state.prices.values()}
    assert f"STRIPE_PRICE_PRO={created['bulkhead_pro_month']}" in first.output

    second = sync()
    assert second.exit_code == 0, second.output
    assert second.output.count(" exists ") == 2
    assert len(local_stripe.state.prices) == 2


def test_a_price_that_disagrees_fails_the_command(
    local_stripe: StripeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_stripe.state.prices["price_cheap"] = {
        "id": "price_cheap",
        "object": "price",
        "active": True,
        "currency": "usd",
        "unit_amount": 100,
        "recurring": {"interval": "month"},
        "product": "prod_cheap",
    }
    monkeypatch.setenv("STRIPE_PRICE_PRO", "price_cheap")
    result = sync()
    assert result.exit_code == 1
    assert "mismatch" in result.output
    assert "disagree" in result.output


def test_an_unreachable_provider_is_a_clean_error(local_stripe: StripeApi) -> None:
    local_stripe.state.fail_next = [500]
    result = sync()
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "payment-provider-unavailable" in result.output
