"""The billing API over HTTP: plans, the fake checkout end to end, orgs, MFA, and Stripe mode."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from core.ports.org_roles import OrgRoles
from core.settings import Settings
from infra.billing.install import BillingAdapters
from infra.db.tables.billing import BillingPayment
from infra.email.console import ConsoleEmailSender
from modules.billing import PlanPrices
from tests.conftest import FakeClock
from tests.e2e.auth.conftest import bearer, code_at, enable_mfa, login, register
from tests.e2e.billing.conftest import RECEIPT_JOB, BillingHarness, open_harness
from tests.integration.infra.billing.stripe_api import StripeApi, stripe_api
from web.features import default_job_runtime

BILLING = "/api/v1/billing"


def _slug(body: dict[str, Any]) -> str:
    return str(body["type"]).rsplit("/", 1)[-1]


class Roles:
    """An `OrgRoles` adapter the test controls: org id → user id → role."""

    def __init__(self, roles: dict[str, dict[str, str]]) -> None:
        self.roles = roles

    async def role_of(self, org_id: str, user_id: str) -> str | None:
        return self.roles.get(org_id, {}).get(user_id)


async def test_plans_are_public_with_prices_and_entitlements(harness: BillingHarness) -> None:
    response = await harness.client.get(f"{BILLING}/plans")
    assert response.status_code == 200
    plans = {plan["id"]: plan for plan in response.json()["items"]}
    assert list(plans) == ["free", "pro", "team"]
    assert plans["pro"]["price_cents"] == 1900
    assert plans["pro"]["interval"] == "month"
    assert plans["team"]["entitlements"]["llm_org_daily_tokens"] > 0
    assert plans["free"]["entitlements"]["llm_user_daily_tokens"] > 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/checkout"),
        ("POST", "/portal"),
        ("GET", "/subscription"),
        ("GET", "/payments"),
        ("PUT", "/email"),
    ],
)
async def test_billing_routes_need_a_bearer_token(
    harness: BillingHarness, method: str, path: str
) -> None:
    response = await harness.client.request(method, f"{BILLING}{path}", json={"plan": "pro"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_fake_checkout_end_to_end(harness: BillingHarness) -> None:
    client, auth = harness.client, harness.auth()
    before = await client.get(f"{BILLING}/subscription", headers=auth)
    assert before.json()["plan"] == "free"

    started = await client.post(
        f"{BILLING}/checkout", json={"plan": "pro"}, headers={**auth, "Idempotency-Key": "co-1"}
    )
    assert started.status_code == 200, started.text
    checkout_url, session_id = started.json()["checkout_url"], started.json()["session_id"]
    assert checkout_url == f"{harness.settings.public_url}/billing/fake-checkout/{session_id}"

    page = await client.get(urlsplit(checkout_url).path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Pro" in page.text
    assert f"/billing/fake-checkout/{session_id}/confirm" in page.text

    confirmed = await client.post(f"/billing/fake-checkout/{session_id}/confirm")
    assert confirmed.status_code == 303
    location = confirmed.headers["location"]
    assert location.endswith(f"?checkout=success&session_id={session_id}")
    done = await client.get(urlsplit(location).path)
    assert done.status_code == 200

    subscription = (await client.get(f"{BILLING}/subscription", headers=auth)).json()
    assert (subscription["plan"], subscription["status"]) == ("pro", "active")
    assert subscription["current_period_end"] is not None
    assert subscription["entitlements"]["api_access"] is True
    (payment,) = (await client.get(f"{BILLING}/payments", headers=auth)).json()["items"]
    assert (payment["amount_cents"], payment["currency"], payment["status"]) == (
        1900,
        "usd",
        "paid",
    )
    assert payment["stripe_invoice_id"].startswith("in_fake_")
    assert await harness.receipt_jobs() == 1

    # Confirming again replays the very same signed events: the dedup swallows them.
    assert (await client.post(f"/billing/fake-checkout/{session_id}/confirm")).status_code == 303
    assert await harness.rows(BillingPayment) == 1
    assert await harness.receipt_jobs() == 1

    again = await client.post(f"{BILLING}/checkout", json={"plan": "team"}, headers=auth)
    assert again.status_code == 409
    assert _slug(again.json()) == "already-subscribed"

    portal = await client.post(f"{BILLING}/portal", headers=auth)
    assert portal.status_code == 200
    assert (await client.get(urlsplit(portal.json()["portal_url"]).path)).status_code == 200

    ready = (await client.get("/health/ready")).json()
    assert ready["services"]["billing"] == {
        **ready["services"]["billing"],
        "status": "ok",
        "adapter": "fake",
    }


async def test_checkout_and_portal_refuse_what_makes_no_sense(harness: BillingHarness) -> None:
    client, auth = harness.client, harness.auth()
    unknown = await client.post(f"{BILLING}/checkout", json={"plan": "platinum"}, headers=auth)
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "plan"
    free = await client.post(f"{BILLING}/checkout", json={"plan": "free"}, headers=auth)
    assert free.status_code == 400
    extra = await client.post(f"{BILLING}/checkout", json={"plan": "pro", "x": 1}, headers=auth)
    assert extra.status_code == 400
    portal = await client.post(f"{BILLING}/portal", headers=auth)
    assert portal.status_code == 404
    assert _slug(portal.json()) == "no-billing-account"
    assert (await client.get("/billing/fake-checkout/cs_fake_nope")).status_code == 404
    assert (await client.post("/billing/fake-checkout/cs_fake_nope/confirm")).status_code == 404


async def test_org_billing_follows_roles(harness: BillingHarness) -> None:
    harness.container.services.replace(
        OrgRoles, Roles({"org-1": {"owner-1": "owner", "admin-1": "admin", "member-1": "member"}})
    )
    client = harness.client

    async def checkout(user: str) -> int:
        body = {"plan": "team", "org_id": "org-1"}
        response = await client.post(f"{BILLING}/checkout", json=body, headers=harness.auth(user))
        return response.status_code

    assert await checkout("member-1") == 403
    assert await checkout("stranger") == 404
    assert await checkout("admin-1") == 200
    assert await checkout("owner-1") == 200

    member = harness.auth("member-1")
    view = await client.get(f"{BILLING}/subscription", params={"org_id": "org-1"}, headers=member)
    assert view.status_code == 200
    assert (view.json()["account_type"], view.json()["account_id"]) == ("org", "org-1")
    payments = await client.get(f"{BILLING}/payments", params={"org_id": "org-1"}, headers=member)
    assert payments.status_code == 403
    stranger = harness.auth("stranger")
    hidden = await client.get(
        f"{BILLING}/subscription", params={"org_id": "org-1"}, headers=stranger
    )
    assert hidden.status_code == 404


@pytest.mark.features("orgs")
async def test_org_checkout_with_the_real_organisations(harness: BillingHarness) -> None:
    client = harness.client
    await register(client, "owner@bulkhead.test")  # type: ignore[arg-type]
    tokens = await login(client, "owner@bulkhead.test")  # type: ignore[arg-type]
    org = await client.post("/api/v1/orgs", json={"name": "Acme"}, headers=bearer(tokens))
    assert org.status_code == 201, org.text
    body = {"plan": "team", "org_id": org.json()["id"]}
    started = await client.post(f"{BILLING}/checkout", json=body, headers=bearer(tokens))
    assert started.status_code == 200, started.text


async def test_billing_email_change_needs_a_fresh_second_factor(
    harness: BillingHarness, clock: FakeClock
) -> None:
    client = harness.client
    await register(client, "payer@bulkhead.test")  # type: ignore[arg-type]
    tokens = await login(client, "payer@bulkhead.test")  # type: ignore[arg-type]
    changed = await client.put(
        f"{BILLING}/email", json={"email": "invoices@payer.test"}, headers=bearer(tokens)
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == "invoices@payer.test"
    bad = await client.put(f"{BILLING}/email", json={"email": "nope"}, headers=bearer(tokens))
    assert bad.status_code == 400

    secret, _ = await enable_mfa(client, tokens, clock)  # type: ignore[arg-type]
    clock.advance(30)
    refused = await client.put(
        f"{BILLING}/email", json={"email": "other@payer.test"}, headers=bearer(tokens)
    )
    assert refused.status_code == 403
    assert _slug(refused.json()) == "mfa-required"
    with_code = await client.put(
        f"{BILLING}/email",
        json={"email": "other@payer.test"},
        headers={**bearer(tokens), "X-MFA-Code": code_at(secret, clock)},
    )
    assert with_code.status_code == 200, with_code.text


async def _run_due_jobs(harness: BillingHarness) -> list[str]:
    """Run pending jobs one by one, as a worker would; the names of the jobs run."""
    runner = default_job_runtime(harness.container).runner()
    ran: list[str] = []
    while (claim := await harness.container.jobs.claim_next("test-worker", 30)) is not None:
        await runner.run(claim)
        ran.append(claim.job.name)
    return ran


async def test_a_paid_checkout_mails_a_receipt(harness: BillingHarness) -> None:
    client = harness.client
    await register(client, "buyer@bulkhead.test")  # type: ignore[arg-type]
    tokens = await login(client, "buyer@bulkhead.test")  # type: ignore[arg-type]
    started = await client.post(f"{BILLING}/checkout", json={"plan": "pro"}, headers=bearer(tokens))
    session_id = started.json()["session_id"]
    assert (await client.post(f"/billing/fake-checkout/{session_id}/confirm")).status_code == 303

    ran = await _run_due_jobs(harness)
    assert RECEIPT_JOB in ran
    sender = harness.container.email
    assert isinstance(sender, ConsoleEmailSender)
    receipts = [m for _, m in sender.outbox if "payment received" in m.subject]
    assert len(receipts) == 1
    assert receipts[0].to == "buyer@bulkhead.test"
    assert "19.00 USD" in receipts[0].text


@pytest.fixture
def local_stripe() -> Iterator[StripeApi]:
    with stripe_api() as server:
        yield server


@pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
async def test_with_a_stripe_key_the_same_routes_talk_to_stripe(
    billing_settings: Callable[..., Settings],
    sqlite_environment: dict[str, str],
    clock: FakeClock,
    local_stripe: StripeApi,
) -> None:
    settings = billing_settings(
        **sqlite_environment,
        STRIPE_SECRET_KEY="sk_test_local",
        STRIPE_API_BASE=local_stripe.url,
        STRIPE_MAX_NETWORK_RETRIES="0",
    )
    async for harness in open_harness(settings, clock):
        payments = harness.container.services.get(BillingAdapters).payments
        await payments.sync_plans(PlanPrices({}).specs())
        started = await harness.client.post(
            f"{BILLING}/checkout", json={"plan": "pro"}, headers=harness.auth()
        )
        assert started.status_code == 200, started.text
        assert started.json()["checkout_url"].startswith("https://checkout.stripe.test/")
        (customer,) = local_stripe.state.posts("/v1/customers")
        assert customer.form["metadata[account_id]"] == "user-1"
        (session,) = local_stripe.state.posts("/v1/checkout/sessions")
        assert session.form["customer"] == next(iter(local_stripe.state.customers))
        assert session.form["success_url"].endswith("session_id={CHECKOUT_SESSION_ID}")

        ready = (await harness.client.get("/health/ready")).json()
        assert ready["services"]["billing"]["adapter"] == "stripe"
        assert ready["services"]["billing"]["status"] == "ok"
        assert (await harness.client.get("/billing/fake-checkout/cs_x")).status_code == 404

        local_stripe.state.fail_next = [503]
        down = await harness.client.post(f"{BILLING}/portal", headers=harness.auth())
        assert down.status_code == 503
        assert _slug(down.json()) == "payment-provider-unavailable"
