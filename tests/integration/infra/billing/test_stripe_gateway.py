"""The Stripe adapter, running the real SDK against a local server that plays Stripe's API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from core.errors import ServiceUnavailableError, UnprocessableError
from infra.billing import StripePaymentGateway
from modules.billing import AccountRef, CheckoutRequest, PlanPrices
from tests.integration.infra.billing.stripe_api import StripeApi, stripe_api

ACCOUNT = AccountRef(type="org", id="org_1")
# The SDK hands httpx its form body as bytes through the deprecated `data=`; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


@pytest.fixture
def api() -> Iterator[StripeApi]:
    with stripe_api() as server:
        yield server


@pytest.fixture
async def gateway(api: StripeApi) -> AsyncIterator[StripePaymentGateway]:
    gateway = StripePaymentGateway(
        "sk_test_local", api_base=api.url, timeout_seconds=2.0, max_network_retries=1
    )
    yield gateway
    await gateway.aclose()


def _checkout(price_id: str | None, *, key: str = "checkout-key-1") -> CheckoutRequest:
    return CheckoutRequest(
        account=ACCOUNT,
        plan_id="team",
        price_id=price_id,
        price_lookup_key="bulkhead_team_month",
        customer_id="cus_x",
        success_url="https://app.test/ok?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="https://app.test/cancel",
        idempotency_key=key,
    )


async def test_sync_plans_creates_prices_once_then_finds_them(
    api: StripeApi, gateway: StripePaymentGateway
) -> None:
    specs = PlanPrices({}).specs()
    first = await gateway.sync_plans(specs)
    assert [(r.plan_id, r.action) for r in first] == [("pro", "created"), ("team", "created")]
    created = api.state.posts("/v1/prices")
    assert len(created) == 2
    assert created[0].form["lookup_key"] == "bulkhead_pro_month"
    assert created[0].form["unit_amount"] == "1900"
    assert created[0].form["metadata[bulkhead_plan]"] == "pro"
    assert created[0].headers["idempotency-key"].startswith("sync-plans:")
    assert created[0].headers["authorization"] == "Bearer sk_test_local"

    second = await gateway.sync_plans(specs)
    assert [r.action for r in second] == ["exists", "exists"]
    assert [r.price_id for r in second] == [r.price_id for r in first]
    assert len(api.state.posts("/v1/prices")) == 2


async def test_sync_plans_reports_a_configured_price_that_disagrees(
    api: StripeApi, gateway: StripePaymentGateway
) -> None:
    api.state.prices["price_cfg"] = {
        "id": "price_cfg",
        "object": "price",
        "active": True,
        "currency": "usd",
        "unit_amount": 999,
        "recurring": {"interval": "month"},
        "product": "prod_cfg",
    }
    results = await gateway.sync_plans(PlanPrices({"pro": "price_cfg"}).specs())
    pro = next(r for r in results if r.plan_id == "pro")
    assert pro.action == "mismatch"
    assert pro.price_id == "price_cfg"
    assert pro.detail is not None
    assert "999" in pro.detail


async def test_checkout_carries_account_metadata_and_an_idempotency_key(
    api: StripeApi, gateway: StripePaymentGateway
) -> None:
    await gateway.sync_plans(PlanPrices({}).specs())
    session = await gateway.create_checkout_session(_checkout(None))
    assert session.url.startswith("https://checkout.stripe.test/")
    (sent,) = api.state.posts("/v1/checkout/sessions")
    assert sent.headers["idempotency-key"] == "checkout-key-1"
    assert sent.form["client_reference_id"] == "org:org_1"
    assert sent.form["metadata[account_type]"] == "org"
    assert sent.form["metadata[account_id]"] == "org_1"
    assert sent.form["metadata[plan]"] == "team"
    assert sent.form["subscription_data[metadata][account_id]"] == "org_1"
    assert sent.form["mode"] == "subscription"
    assert sent.form["customer"] == "cus_x"
    team_price = next(
        p for p in api.state.prices.values() if p["lookup_key"].startswith("bulkhead_team")
    )
    assert sent.form["line_items[0][price]"] == team_price["id"]

    again = await gateway.create_checkout_session(_checkout(None))
    assert again.id == session.id


async def test_checkout_without_any_price_is_unprocessable(gateway: StripePaymentGateway) -> None:
    with pytest.raises(UnprocessableError) as caught:
        await gateway.create_checkout_session(_checkout(None))
    assert caught.value.slug == "plan-not-available"


async def test_checkout_with_an_unknown_configured_price_is_rejected(
    gateway: StripePaymentGateway,
) -> None:
    with pytest.raises(UnprocessableError) as caught:
        await gateway.create_checkout_session(_checkout("price_missing"))
    assert caught.value.slug == "payment-provider-rejected"


async def test_a_5xx_is_retried_with_the_same_idempotency_key(
    api: StripeApi, gateway: StripePaymentGateway
) -> None:
    api.state.fail_next = [500]
    customer_id = await gateway.create_customer(ACCOUNT, "billing@org.test", key="cust-key")
    attempts = api.state.posts("/v1/customers")
    assert len(attempts) == 2
    assert {a.headers["idempotency-key"] for a in attempts} == {"cust-key"}
    assert attempts[-1].form["email"] == "billing@org.test"
    assert attempts[-1].form["metadata[account_type]"] == "org"
    assert await gateway.create_customer(ACCOUNT, "billing@org.test", key="cust-key") == customer_id
    assert len(api.state.customers) == 1


async def test_persistent_failure_becomes_service_unavailable(
    api: StripeApi, gateway: StripePaymentGateway
) -> None:
    api.state.fail_next = [503, 503]
    with pytest.raises(ServiceUnavailableError) as caught:
        await gateway.create_customer(ACCOUNT, None, key="k")
    assert caught.value.slug == "payment-provider-unavailable"
    assert len(api.state.posts("/v1/customers")) == 2


async def test_a_stalled_provider_times_out(api: StripeApi) -> None:
    gateway = StripePaymentGateway(
        "sk_test_local", api_base=api.url, timeout_seconds=0.2, max_network_retries=0
    )
    api.state.stall_seconds = 1.0
    try:
        with pytest.raises(ServiceUnavailableError):
            await gateway.ping()
    finally:
        api.state.stall_seconds = 0.0
        await gateway.aclose()


async def test_portal_email_ping_and_subscription(
    api: StripeApi, gateway: StripePaymentGateway
) -> None:
    await gateway.ping()
    customer_id = await gateway.create_customer(ACCOUNT, None, key="c1")
    url = await gateway.create_portal_session(customer_id, "https://app.test/billing")
    assert url.endswith(customer_id)

    await gateway.update_customer_email(customer_id, "new@org.test", key="email-1")
    assert api.state.customers[customer_id]["email"] == "new@org.test"
    (update,) = api.state.posts(f"/v1/customers/{customer_id}")
    assert update.headers["idempotency-key"] == "email-1"

    assert await gateway.retrieve_subscription("sub_missing") is None
    api.state.subscriptions["sub_1"] = {
        "id": "sub_1",
        "object": "subscription",
        "customer": customer_id,
        "status": "active",
        "cancel_at_period_end": True,
        "items": {
            "object": "list",
            "data": [
                {
                    "object": "subscription_item",
                    "current_period_end": 1_800_000_000,
                    "price": {"id": "price_team", "object": "price"},
                }
            ],
        },
    }
    found = await gateway.retrieve_subscription("sub_1")
    assert found is not None
    assert (found.customer_id, found.status, found.price_id) == (
        customer_id,
        "active",
        "price_team",
    )
    assert found.cancel_at_period_end is True
    assert found.current_period_end is not None
    assert int(found.current_period_end.timestamp()) == 1_800_000_000
