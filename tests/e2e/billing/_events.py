"""Stripe webhook events as Stripe sends them, signed with the Stripe SDK's own signer."""

from __future__ import annotations

import json
from typing import Any

from stripe import WebhookSignature

WEBHOOK_SECRET = "whsec_test_bulkhead_billing"
USER_METADATA = {"account_type": "user", "account_id": "user-1", "plan": "pro"}


def sign(payload: bytes, timestamp: int, secret: str = WEBHOOK_SECRET) -> str:
    return WebhookSignature.generate_signature_header(payload.decode(), secret, timestamp)


def event(event_id: str, event_type: str, obj: dict[str, Any], created: int) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": created,
            "livemode": False,
            "pending_webhooks": 1,
            "type": event_type,
            "data": {"object": obj},
        }
    ).encode()


def subscription(
    *,
    subscription_id: str = "sub_1",
    customer: str = "cus_1",
    status: str = "active",
    price_plan: str = "pro",
    cancel_at_period_end: bool = False,
    period_end: int = 1_800_000_000,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "id": subscription_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "metadata": USER_METADATA if metadata is None else metadata,
        "items": {
            "object": "list",
            "data": [
                {
                    "object": "subscription_item",
                    "current_period_end": period_end,
                    "price": {
                        "id": f"price_{price_plan}",
                        "object": "price",
                        "lookup_key": f"bulkhead_{price_plan}_month",
                        "metadata": {},
                    },
                }
            ],
        },
    }


def invoice(
    *,
    invoice_id: str = "in_1",
    customer: str = "cus_1",
    amount: int = 1900,
    paid_at: int | None = 1_767_225_600,
    metadata: dict[str, str] | None = None,
    legacy_shape: bool = False,
) -> dict[str, Any]:
    details = {"subscription": "sub_1", "metadata": USER_METADATA if metadata is None else metadata}
    body: dict[str, Any] = {
        "id": invoice_id,
        "object": "invoice",
        "customer": customer,
        "currency": "usd",
        "amount_paid": amount,
        "amount_due": amount,
        "status_transitions": {"paid_at": paid_at},
    }
    if legacy_shape:
        body["subscription"] = "sub_1"
        body["subscription_details"] = {"metadata": details["metadata"]}
    else:
        body["parent"] = {"type": "subscription_details", "subscription_details": details}
    return body


def checkout_session(
    *, customer: str = "cus_1", metadata: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "id": "cs_test_1",
        "object": "checkout.session",
        "mode": "subscription",
        "customer": customer,
        "subscription": "sub_1",
        "client_reference_id": "user:user-1",
        "metadata": USER_METADATA if metadata is None else metadata,
    }
