"""The local fake's pages: a checkout to confirm, a done page, a portal placeholder.

Confirming feeds the signed events the fake emits to the same webhook processing Stripe's
deliveries go through. The pages exist only while the fake gateway serves, and never in prod.
"""

from __future__ import annotations

from html import escape

from litestar import Controller, MediaType, Response, get, post
from litestar.datastructures import State
from litestar.response import Redirect

from core.errors import NotFoundError
from infra.billing import FakePaymentGateway
from infra.billing.install import BillingAdapters
from infra.container import Container
from policies.plans import get_plan
from web.billing.dependencies import webhook_processor

__all__ = ["FakeCheckoutController"]

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}}
button{{font-size:1rem;padding:.5rem 1rem}}</style></head>
<body><p><small>Bulkhead fake payment gateway: no money moves.</small></p>{body}</body></html>
"""


def _html(title: str, body: str) -> Response[str]:
    return Response(
        _PAGE.format(title=escape(title), body=body),
        media_type=MediaType.HTML,
        headers={"Cache-Control": "no-store"},
    )


def _fake(container: Container) -> FakePaymentGateway:
    gateway = container.services.get(BillingAdapters).payments
    if not isinstance(gateway, FakePaymentGateway) or container.settings.is_prod:
        raise NotFoundError("The fake payment gateway is not in use")
    return gateway


class FakeCheckoutController(Controller):
    path = "/billing"
    include_in_schema = False

    @get("/fake-checkout/{session_id:str}")
    async def checkout_page(self, session_id: str, container: Container) -> Response[str]:
        checkout = await _fake(container).checkout(session_id)
        if checkout is None:
            raise NotFoundError("No such checkout session (or it expired)")
        plan = get_plan(checkout.plan_id)
        price = (
            f"{plan.price_cents / 100:.2f} {plan.currency.upper()} / {plan.interval}"
            if plan
            else ""
        )
        body = (
            f"<h1>{escape(plan.name if plan else checkout.plan_id)}</h1><p>{escape(price)}</p>"
            f"<p>For {escape(checkout.account.type)} <code>{escape(checkout.account.id)}</code></p>"
            f'<form method="post" action="/billing/fake-checkout/{escape(session_id)}/confirm">'
            '<button type="submit">Pay (fake)</button></form>'
            f'<p><a href="{escape(checkout.cancel_url)}">Cancel</a></p>'
        )
        return _html("Checkout", body)

    @post("/fake-checkout/{session_id:str}/confirm", status_code=303)
    async def confirm(self, session_id: str, container: Container, state: State) -> Redirect:
        gateway = _fake(container)
        checkout = await gateway.checkout(session_id)
        if checkout is None:
            raise NotFoundError("No such checkout session (or it expired)")
        processor = webhook_processor(state)
        for event in await gateway.complete_checkout(session_id):
            await processor.handle(event.payload, event.signature)
        return Redirect(
            checkout.success_url.replace("{CHECKOUT_SESSION_ID}", session_id), status_code=303
        )

    @get("/fake-checkout-done")
    async def done(self, container: Container) -> Response[str]:
        _fake(container)
        return _html("Done", "<h1>Done</h1><p>You can close this window.</p>")

    @get("/fake-portal/{customer_id:str}")
    async def portal(self, customer_id: str, container: Container) -> Response[str]:
        _fake(container)
        body = (
            "<h1>Billing portal (fake)</h1>"
            f"<p>Customer <code>{escape(customer_id)}</code>.</p>"
            "<p>With <code>STRIPE_SECRET_KEY</code> set, this is Stripe's customer portal.</p>"
        )
        return _html("Billing portal", body)
