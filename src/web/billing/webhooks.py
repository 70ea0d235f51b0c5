"""`POST /webhooks/stripe`: the raw body and its signature go to the webhook processor."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.datastructures import State

from web.billing.dependencies import webhook_processor
from web.billing.schemas import WebhookAck

__all__ = ["StripeWebhookController"]


class StripeWebhookController(Controller):
    path = "/webhooks"
    tags = ["billing"]

    @post("/stripe", status_code=200, summary="Stripe webhook deliveries (signed)")
    async def stripe(self, request: Request[Any, Any, Any], state: State) -> WebhookAck:
        # The signature covers the exact bytes Stripe sent: read them raw, never re-encoded.
        payload = await request.body()
        processor = webhook_processor(state)
        result = await processor.handle(payload, request.headers.get("stripe-signature"))
        return WebhookAck(received=True, duplicate=result.duplicate)
