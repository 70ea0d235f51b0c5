"""The local fake gateway: idempotent creates, and completions that emit Stripe's signed events."""

from __future__ import annotations

import json

import pytest

from core.errors import NotFoundError
from infra.billing import FakePaymentGateway
from infra.kv.memory import MemoryKeyValueStore
from modules.billing import AccountRef, CheckoutRequest, PlanPrices, verify_signature
from tests.conftest import FakeClock

SECRET = "whsec_fake"
ACCOUNT = AccountRef(type="user", id="u1")


@pytest.fixture
def gateway(clock: FakeClock) -> FakePaymentGateway:
    return FakePaymentGateway(
        MemoryKeyValueStore(clock), clock, webhook_secret=SECRET, public_url="http://api.test/"
    )


def _request(customer_id: str, key: str = "k1") -> CheckoutRequest:
    return CheckoutRequest(
        account=ACCOUNT,
        plan_id="team",
        price_id=None,
        price_lookup_key="bulkhead_team_month",
        customer_id=customer_id,
        success_url="http://app.test/ok",
        cancel_url="http://app.test/cancel",
        idempotency_key=key,
    )


async def test_creates_are_idempotent_per_key(gateway: FakePaymentGateway) -> None:
    customer = await gateway.create_customer(ACCOUNT, None, key="c")
    assert customer == await gateway.create_customer(ACCOUNT, None, key="c")
    assert customer != await gateway.create_customer(ACCOUNT, None, key="d")
    first = await gateway.create_checkout_session(_request(customer))
    assert first == await gateway.create_checkout_session(_request(customer))
    assert first.url == f"http://api.test/billing/fake-checkout/{first.id}"
    other = await gateway.create_checkout_session(_request(customer, key="k2"))
    assert other.id != first.id


async def test_completion_emits_the_same_signed_events_every_time(
    gateway: FakePaymentGateway, clock: FakeClock
) -> None:
    customer = await gateway.create_customer(ACCOUNT, None, key="c")
    session = await gateway.create_checkout_session(_request(customer))
    first = await gateway.complete_checkout(session.id)
    clock.advance(120)
    second = await gateway.complete_checkout(session.id)
    assert [e.payload for e in first] == [e.payload for e in second]

    now = clock.now().timestamp()
    for event in second:
        verify_signature(event.payload, event.signature, SECRET, now=now)
    bodies = [json.loads(e.payload) for e in first]
    assert [b["type"] for b in bodies] == [
        "checkout.session.completed",
        "customer.subscription.created",
        "invoice.paid",
    ]
    assert len({b["id"] for b in bodies}) == 3
    invoice = bodies[2]["data"]["object"]
    assert (invoice["amount_paid"], invoice["customer"]) == (4900, customer)
    subscription = bodies[1]["data"]["object"]
    assert subscription["metadata"] == {"account_type": "user", "account_id": "u1", "plan": "team"}

    found = await gateway.retrieve_subscription(subscription["id"])
    assert found is not None
    assert (found.status, found.customer_id, found.price_id) == (
        "active",
        customer,
        "price_fake_team",
    )
    assert await gateway.retrieve_subscription("sub_missing") is None


async def test_the_rest_of_the_port(gateway: FakePaymentGateway) -> None:
    with pytest.raises(NotFoundError):
        await gateway.complete_checkout("cs_fake_missing")
    assert await gateway.checkout("cs_fake_missing") is None
    portal = await gateway.create_portal_session("cus_1", "http://app.test/back?x=1")
    assert (
        portal
        == "http://api.test/billing/fake-portal/cus_1?return_url=http%3A%2F%2Fapp.test%2Fback%3Fx%3D1"
    )
    await gateway.update_customer_email("cus_1", "a@b.test", key="e")
    results = await gateway.sync_plans(PlanPrices({"pro": "price_cfg"}).specs())
    assert [(r.plan_id, r.price_id) for r in results] == [
        ("pro", "price_cfg"),
        ("team", "price_fake_team"),
    ]
    await gateway.ping()
    await gateway.aclose()
