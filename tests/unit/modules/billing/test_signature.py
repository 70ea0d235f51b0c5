"""Our `Stripe-Signature` check agrees with the Stripe SDK's, and refuses future timestamps too."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stripe import SignatureVerificationError, WebhookSignature

from modules.billing import InvalidSignatureError, sign_payload, verify_signature

SECRET = "whsec_unit"
NOW = 1_767_225_600


@settings(max_examples=60)
@given(st.text(max_size=200), st.integers(-300, 300))
def test_what_stripe_signs_we_accept(body: str, skew: int) -> None:
    payload = body.encode()
    header = WebhookSignature.generate_signature_header(body, SECRET, NOW + skew)
    assert verify_signature(payload, header, SECRET, now=NOW) == NOW + skew


@settings(max_examples=60)
@given(st.text(max_size=200))
def test_what_we_sign_stripe_accepts(body: str) -> None:
    header = sign_payload(body.encode(), SECRET, NOW)
    assert WebhookSignature.verify_header(body, header, SECRET, tolerance=None)


@settings(max_examples=60)
@given(st.binary(min_size=1, max_size=100), st.binary(min_size=1, max_size=100))
def test_any_other_body_is_refused(body: bytes, other: bytes) -> None:
    header = sign_payload(body, SECRET, NOW)
    if other != body:
        with pytest.raises(InvalidSignatureError):
            verify_signature(other, header, SECRET, now=NOW)


def test_rotation_any_v1_may_match() -> None:
    header = sign_payload(b"{}", SECRET, NOW) + ",v1=" + "0" * 64
    rotated = f"t={NOW},v1={'f' * 64},{header.split(',', 1)[1]}"
    assert verify_signature(b"{}", header, SECRET, now=NOW) == NOW
    assert verify_signature(b"{}", rotated, SECRET, now=NOW) == NOW


@pytest.mark.parametrize(
    ("header", "secret"),
    [
        (None, SECRET),
        ("", SECRET),
        ("t=now,v1=00", SECRET),
        ("v1=00", SECRET),
        ("t=1767225600", SECRET),
        ("t=1767225600,v0=00", SECRET),
        (sign_payload(b"{}", SECRET, NOW), "  "),
        (sign_payload(b"{}", "whsec_other", NOW), SECRET),
    ],
)
def test_unusable_headers_and_secrets(header: str | None, secret: str) -> None:
    with pytest.raises(InvalidSignatureError) as caught:
        verify_signature(b"{}", header, secret, now=NOW)
    assert caught.value.slug == "invalid-signature"


@pytest.mark.parametrize("skew", [-301, 301, -86_400, 86_400])
def test_outside_the_tolerance_either_way(skew: int) -> None:
    header = sign_payload(b"{}", SECRET, NOW + skew)
    with pytest.raises(InvalidSignatureError):
        verify_signature(b"{}", header, SECRET, now=NOW)


def test_the_sdk_refuses_stale_but_not_future_timestamps() -> None:
    """Why the check is ours: the SDK's tolerance is one-sided (and on the wall clock)."""
    now = int(time.time())
    stale = sign_payload(b"{}", SECRET, now - 301)
    with pytest.raises(SignatureVerificationError):
        WebhookSignature.verify_header("{}", stale, SECRET, 300)
    future = sign_payload(b"{}", SECRET, now + 3600)
    assert WebhookSignature.verify_header("{}", future, SECRET, 300)
    with pytest.raises(InvalidSignatureError):
        verify_signature(b"{}", future, SECRET, now=now)
