"""`POST /webhooks/stripe` over HTTP: signatures, dedup, ordering, and floods of duplicates."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import select

from infra.billing.install import BillingAdapters
from infra.db.tables.billing import BillingPayment, BillingSubscription
from tests.e2e.billing import _events as ev
from tests.e2e.billing.conftest import WEBHOOK_PATH, BillingHarness

NOTHING = {"customers": 0, "subscriptions": 0, "payments": 0, "reviews": 0, "markers": 0}


def _problem_slug(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("application/problem+json")
    return str(response.json()["type"]).rsplit("/", 1)[-1]


def _paid(harness: BillingHarness, event_id: str = "evt_paid_1") -> bytes:
    return ev.event(event_id, "invoice.paid", ev.invoice(), harness.now)


async def _subscription(harness: BillingHarness) -> BillingSubscription:
    async with harness.container.database.session() as session:
        return (await session.execute(select(BillingSubscription))).scalar_one()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"Stripe-Signature": "garbage"}, id="garbled"),
        pytest.param({"Stripe-Signature": "t=abc,v1=00"}, id="bad-timestamp"),
        pytest.param({"Stripe-Signature": "t=1767225600"}, id="no-v1"),
    ],
)
async def test_an_unusable_signature_header_is_400(
    harness: BillingHarness, headers: dict[str, str]
) -> None:
    response = await harness.client.post(WEBHOOK_PATH, content=_paid(harness), headers=headers)
    assert response.status_code == 400
    assert _problem_slug(response) == "invalid-signature"
    assert await harness.stored() == NOTHING


async def test_a_wrong_secret_or_tampered_body_is_400_with_nothing_stored(
    harness: BillingHarness,
) -> None:
    payload = _paid(harness)
    wrong = await harness.deliver(payload, secret="whsec_someone_else")
    assert wrong.status_code == 400
    assert _problem_slug(wrong) == "invalid-signature"

    signature = ev.sign(payload, harness.now)
    tampered = payload.replace(b"1900", b"9999")
    response = await harness.client.post(
        WEBHOOK_PATH, content=tampered, headers={"Stripe-Signature": signature}
    )
    assert response.status_code == 400
    assert _problem_slug(response) == "invalid-signature"
    assert await harness.stored() == NOTHING


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(-301, False), (-299, True), (299, True), (301, False), (-7200, False), (86_400, False)],
)
async def test_stale_and_future_timestamps_are_refused(
    harness: BillingHarness, offset: int, accepted: bool
) -> None:
    response = await harness.deliver(_paid(harness), offset=offset)
    if accepted:
        assert response.status_code == 200
        assert await harness.rows(BillingPayment) == 1
    else:
        assert response.status_code == 400
        assert _problem_slug(response) == "invalid-signature"
        assert await harness.stored() == NOTHING


async def test_signed_malformed_json_is_400_with_nothing_stored(harness: BillingHarness) -> None:
    response = await harness.deliver(b'{"id": "evt_1", "type": ')
    assert response.status_code == 400
    assert _problem_slug(response) == "malformed-json"
    not_an_event = await harness.deliver(b'{"hello": "world"}')
    assert not_an_event.status_code == 400
    assert _problem_slug(not_an_event) == "validation-error"
    assert await harness.stored() == NOTHING


async def test_an_unknown_event_type_is_acknowledged_and_ignored(harness: BillingHarness) -> None:
    payload = ev.event("evt_other", "customer.created", {"id": "cus_9"}, harness.now)
    response = await harness.deliver(payload)
    assert response.status_code == 200
    assert response.json() == {"received": True}
    assert await harness.stored() == NOTHING


async def test_an_event_for_an_unknown_customer_is_acknowledged_and_kept(
    harness: BillingHarness,
) -> None:
    payload = ev.event(
        "evt_stranger",
        "invoice.paid",
        ev.invoice(customer="cus_stranger", metadata={}),
        harness.now,
    )
    first = await harness.deliver(payload)
    assert first.status_code == 200
    assert first.json() == {"received": True}
    again = await harness.deliver(payload)
    assert again.json() == {"received": True, "duplicate": True}

    (held,) = await harness.container.services.get(BillingAdapters).store.held_for_review()
    assert (held.event_id, held.event_type, held.reason) == (
        "evt_stranger",
        "invoice.paid",
        "unknown-customer",
    )
    assert held.payload == payload
    assert await harness.rows(BillingPayment) == 0


async def test_an_unreadable_object_is_kept_for_review(harness: BillingHarness) -> None:
    payload = ev.event("evt_odd", "customer.subscription.updated", {"id": 42}, harness.now)
    response = await harness.deliver(payload)
    assert response.status_code == 200
    (held,) = await harness.container.services.get(BillingAdapters).store.held_for_review()
    assert held.reason == "unreadable-object"


async def test_a_subscription_with_an_unknown_price_is_kept_for_review(
    harness: BillingHarness,
) -> None:
    body = ev.subscription(
        price_plan="enterprise", metadata={"account_type": "user", "account_id": "u"}
    )
    response = await harness.deliver(
        ev.event("evt_price", "customer.subscription.created", body, harness.now)
    )
    assert response.status_code == 200
    (held,) = await harness.container.services.get(BillingAdapters).store.held_for_review()
    assert held.reason == "unknown-price"
    assert await harness.rows(BillingSubscription) == 0


async def test_checkout_completion_links_the_customer_for_later_events(
    harness: BillingHarness,
) -> None:
    completed = ev.event(
        "evt_cs", "checkout.session.completed", ev.checkout_session(customer="cus_7"), harness.now
    )
    assert (await harness.deliver(completed)).status_code == 200
    # Later events carry no account metadata: the stored customer resolves them.
    paid = ev.event(
        "evt_in",
        "invoice.paid",
        ev.invoice(customer="cus_7", metadata={}, legacy_shape=True),
        harness.now,
    )
    assert (await harness.deliver(paid)).status_code == 200
    (payment,) = await harness.container.services.get(BillingAdapters).store.payments_of(
        (
            await harness.container.services.get(BillingAdapters).store.customer_by_stripe_id(
                "cus_7"
            )
        ).account  # type: ignore[union-attr]
    )
    assert payment.amount_cents == 1900
    assert await harness.container.services.get(BillingAdapters).store.held_for_review() == []


async def test_a_payment_failure_then_success_records_one_paid_payment(
    harness: BillingHarness,
) -> None:
    failed = ev.event("evt_f", "invoice.payment_failed", ev.invoice(paid_at=None), harness.now)
    assert (await harness.deliver(failed)).status_code == 200
    paid = ev.event("evt_p", "invoice.paid", ev.invoice(), harness.now + 60)
    assert (await harness.deliver(paid)).status_code == 200
    response = await harness.client.get("/api/v1/billing/payments", headers=harness.auth())
    (payment,) = response.json()["items"]
    assert (payment["status"], payment["stripe_invoice_id"]) == ("paid", "in_1")
    assert await harness.receipt_jobs() == 1


async def test_out_of_order_subscription_updates_never_roll_back(harness: BillingHarness) -> None:
    t0 = harness.now
    deliveries = [
        (
            "evt_u2",
            "customer.subscription.updated",
            ev.subscription(cancel_at_period_end=True),
            t0 + 20,
        ),
        ("evt_u1", "customer.subscription.updated", ev.subscription(status="past_due"), t0 + 10),
        ("evt_c", "customer.subscription.created", ev.subscription(status="incomplete"), t0),
    ]
    for event_id, event_type, body, created in deliveries:
        response = await harness.deliver(ev.event(event_id, event_type, body, created))
        assert response.status_code == 200
    row = await _subscription(harness)
    assert (row.status, row.cancel_at_period_end, row.version) == ("active", True, 1)

    view = await harness.client.get("/api/v1/billing/subscription", headers=harness.auth())
    assert view.json()["plan"] == "pro"
    assert view.json()["cancel_at_period_end"] is True

    deleted = ev.event(
        "evt_d", "customer.subscription.deleted", ev.subscription(status="canceled"), t0 + 30
    )
    assert (await harness.deliver(deleted)).status_code == 200
    late = ev.event("evt_u3", "customer.subscription.updated", ev.subscription(), t0 + 40)
    assert (await harness.deliver(late)).status_code == 200
    row = await _subscription(harness)
    assert (row.status, row.version) == ("canceled", 2)
    view = await harness.client.get("/api/v1/billing/subscription", headers=harness.auth())
    assert (view.json()["plan"], view.json()["status"]) == ("free", "canceled")


async def test_events_of_the_same_second_order_created_updated_deleted(
    harness: BillingHarness,
) -> None:
    t0 = harness.now
    updated = ev.event(
        "evt_u", "customer.subscription.updated", ev.subscription(status="active"), t0
    )
    created = ev.event(
        "evt_c", "customer.subscription.created", ev.subscription(status="incomplete"), t0
    )
    for payload in (updated, created):
        assert (await harness.deliver(payload)).status_code == 200
    assert (await _subscription(harness)).status == "active"


async def test_a_replay_after_the_marker_lapsed_changes_nothing(any_store: BillingHarness) -> None:
    paid = ev.event("evt_replayed", "invoice.paid", ev.invoice(), any_store.now)
    created = ev.event(
        "evt_sub_replayed", "customer.subscription.created", ev.subscription(), any_store.now
    )
    for payload in (paid, created):
        assert (await any_store.deliver(payload)).json() == {"received": True}
        assert (await any_store.deliver(payload)).json() == {"received": True, "duplicate": True}

    await any_store.forget_markers()
    for payload in (paid, created):
        response = await any_store.deliver(payload)
        # Not a duplicate to the guard any more: only the second wall stands in the way.
        assert response.json() == {"received": True}
    assert await any_store.rows(BillingPayment) == 1
    assert await any_store.receipt_jobs() == 1
    row = await _subscription(any_store)
    assert row.version == 1


async def _flood(harness: BillingHarness, payload: bytes, copies: int) -> list[dict[str, bool]]:
    responses = await asyncio.gather(*(harness.deliver(payload) for _ in range(copies)))
    assert [r.status_code for r in responses] == [200] * copies
    return [r.json() for r in responses]


@pytest.mark.slow
@pytest.mark.parametrize("copies", [50, 100])
async def test_a_flood_of_identical_events_has_one_effect(
    any_store: BillingHarness, copies: int
) -> None:
    """`copies` identical deliveries at once: one payment row, one subscription change."""
    paid = ev.event("evt_flood_paid", "invoice.paid", ev.invoice(), any_store.now)
    bodies = await _flood(any_store, paid, copies)
    assert bodies.count({"received": True}) == 1
    assert bodies.count({"received": True, "duplicate": True}) == copies - 1
    assert await any_store.rows(BillingPayment) == 1
    assert await any_store.receipt_jobs() == 1

    created = ev.event(
        "evt_flood_sub", "customer.subscription.created", ev.subscription(), any_store.now
    )
    bodies = await _flood(any_store, created, copies)
    assert bodies.count({"received": True}) == 1
    row = await _subscription(any_store)
    assert (row.version, row.status, row.plan) == (1, "active", "pro")

    customer = await any_store.container.services.get(BillingAdapters).store.customer_by_stripe_id(
        "cus_1"
    )
    assert customer is not None
    assert customer.account.id == "user-1"
    assert await any_store.rows(BillingPayment) == 1
