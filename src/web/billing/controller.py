"""`/api/v1/billing`: plans, checkout, portal, subscription, payments and billing email."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post, put
from litestar.params import HeaderParameter, QueryParameter

from common.principal import Principal
from infra.container import Container
from policies.mfa import SensitiveAction
from policies.plans import PLANS
from web.auth.guards import require_mfa
from web.billing.dependencies import billing_service
from web.billing.schemas import (
    BillingEmail,
    BillingEmailUpdate,
    CheckoutCreate,
    CheckoutSessionOut,
    PaymentList,
    PaymentOut,
    PlanList,
    PlanOut,
    PortalSessionOut,
    SubscriptionOut,
)

__all__ = ["BillingController"]

OrgQuery = Annotated[
    str | None,
    QueryParameter(name="org_id", description="Act for this organisation instead of the caller"),
]


class BillingController(Controller):
    path = "/api/v1/billing"
    tags = ["billing"]

    @get("/plans", summary="The plans, their prices and entitlements")
    async def plans(self) -> PlanList:
        return PlanList(items=[PlanOut.of(plan) for plan in PLANS.values()])

    @post("/checkout", status_code=200, summary="Start a checkout for a paid plan")
    async def checkout(
        self,
        data: CheckoutCreate,
        principal: Principal,
        container: Container,
        idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key")] = None,
    ) -> CheckoutSessionOut:
        session = await billing_service(container).checkout(
            principal.user_id, data.plan, data.org_id, idempotency_key
        )
        return CheckoutSessionOut(checkout_url=session.url, session_id=session.id)

    @post("/portal", status_code=200, summary="Open the self-service billing portal")
    async def portal(
        self, principal: Principal, container: Container, org_id: OrgQuery = None
    ) -> PortalSessionOut:
        url = await billing_service(container).portal(principal.user_id, org_id)
        return PortalSessionOut(portal_url=url)

    @get("/subscription", summary="The plan in force and its subscription")
    async def subscription(
        self, principal: Principal, container: Container, org_id: OrgQuery = None
    ) -> SubscriptionOut:
        view = await billing_service(container).subscription(principal.user_id, org_id)
        return SubscriptionOut.of(view)

    @get("/payments", summary="Payments, newest first")
    async def payments(
        self, principal: Principal, container: Container, org_id: OrgQuery = None
    ) -> PaymentList:
        found = await billing_service(container).payments(principal.user_id, org_id)
        return PaymentList(items=[PaymentOut.of(payment) for payment in found])

    @put(
        "/email",
        summary="Change the billing email (sensitive: needs a fresh MFA proof)",
        guards=[require_mfa(SensitiveAction.BILLING_EMAIL_CHANGE)],
    )
    async def email(
        self, data: BillingEmailUpdate, principal: Principal, container: Container
    ) -> BillingEmail:
        customer = await billing_service(container).change_email(
            principal.user_id, data.org_id, data.email
        )
        return BillingEmail(
            email=customer.email or data.email,
            account_type=customer.account.type,
            account_id=customer.account.id,
        )
