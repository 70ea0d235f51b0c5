"""Reading Stripe events in both API shapes (before and after 2025-03-31)."""

from __future__ import annotations

import json

import msgspec
import pytest

from core.errors import InputError
from modules.billing._events import (
    InvoiceObject,
    SubscriptionObject,
    decode_event,
    timestamp_to_datetime,
)


def test_the_envelope_keeps_the_object_raw() -> None:
    payload = json.dumps(
        {"id": "evt_1", "type": "invoice.paid", "created": 5, "data": {"object": {"id": "in_1"}}}
    ).encode()
    event = decode_event(payload)
    assert (event.id, event.type, event.created) == ("evt_1", "invoice.paid", 5)
    assert json.loads(bytes(event.data.object)) == {"id": "in_1"}


@pytest.mark.parametrize(
    ("payload", "slug"),
    [
        (b"{nope", "malformed-json"),
        (b"", "malformed-json"),
        (b"[]", "validation-error"),
        (
            b'{"id": "evt_1", "type": "x", "created": "soon", "data": {"object": {}}}',
            "validation-error",
        ),
    ],
)
def test_not_an_event(payload: bytes, slug: str) -> None:
    with pytest.raises(InputError) as caught:
        decode_event(payload)
    assert caught.value.slug == slug


def test_subscription_period_end_from_either_shape() -> None:
    legacy = msgspec.convert(
        {"id": "sub", "customer": "cus", "status": "active", "current_period_end": 10},
        SubscriptionObject,
    )
    assert legacy.period_end == 10
    assert legacy.price is None
    current = msgspec.convert(
        {
            "id": "sub",
            "customer": "cus",
            "status": "active",
            "items": {
                "data": [{"current_period_end": 7}, {"current_period_end": 9, "price": {"id": "p"}}]
            },
        },
        SubscriptionObject,
    )
    assert current.period_end == 9
    bare = msgspec.convert({"id": "sub", "customer": "cus", "status": "active"}, SubscriptionObject)
    assert bare.period_end is None


def test_invoice_subscription_from_either_shape() -> None:
    current = msgspec.convert(
        {
            "id": "in",
            "customer": "cus",
            "parent": {"subscription_details": {"subscription": "sub_new", "metadata": {"a": "1"}}},
        },
        InvoiceObject,
    )
    assert (current.subscription_id, current.subscription_metadata) == ("sub_new", {"a": "1"})
    legacy = msgspec.convert(
        {
            "id": "in",
            "customer": "cus",
            "subscription": "sub_old",
            "subscription_details": {"metadata": None},
        },
        InvoiceObject,
    )
    assert (legacy.subscription_id, legacy.subscription_metadata) == ("sub_old", {})
    one_off = msgspec.convert({"id": "in", "customer": "cus"}, InvoiceObject)
    assert (one_off.subscription_id, one_off.subscription_metadata) == (None, {})


def test_timestamps_are_utc() -> None:
    assert timestamp_to_datetime(None) is None
    moment = timestamp_to_datetime(0)
    assert moment is not None
    assert moment.isoformat() == "1970-01-01T00:00:00+00:00"
