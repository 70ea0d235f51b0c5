"""JWT: claims round-trip; nothing tampered, unsigned, mis-signed, stale or misdirected verifies."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.security.jwt import TokenError, decode_token, encode_token

SECRET = "s" * 48
NOW = datetime(2026, 1, 1, tzinfo=UTC)
TTL = timedelta(minutes=15)


def _encode(**overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "secret": SECRET,
        "subject": "user-1",
        "token_type": "access",
        "issuer": "bulkhead",
        "audience": "bulkhead-api",
        "now": NOW,
        "ttl": TTL,
        **overrides,
    }
    return encode_token(**arguments)


def _decode(token: str, **overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "secret": SECRET,
        "token_type": "access",
        "issuer": "bulkhead",
        "audience": "bulkhead-api",
        "now": NOW,
        **overrides,
    }
    return decode_token(token, **arguments)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@settings(max_examples=50)
@given(
    subject=st.text(min_size=1, max_size=40),
    sid=st.text(max_size=40),
    amr=st.lists(st.sampled_from(["pwd", "otp"]), max_size=2),
    mfa_at=st.integers(min_value=0, max_value=2**31),
)
def test_claims_round_trip(subject: str, sid: str, amr: list[str], mfa_at: int) -> None:
    token = _encode(subject=subject, extra={"sid": sid, "amr": amr, "mfa_at": mfa_at})
    claims = _decode(token)
    assert (claims["sub"], claims["sid"], claims["amr"], claims["mfa_at"]) == (
        subject,
        sid,
        amr,
        mfa_at,
    )
    assert claims["exp"] - claims["iat"] == TTL.total_seconds()
    for required in ("iss", "aud", "exp", "iat", "nbf", "sub", "jti", "typ"):
        assert required in claims


@settings(max_examples=200)
@given(part=st.integers(0, 2), position=st.integers(min_value=0), bit=st.integers(0, 5))
def test_flipping_any_bit_of_any_part_breaks_verification(
    part: int, position: int, bit: int
) -> None:
    token = _encode(extra={"sid": "s1", "amr": ["pwd"]})
    pieces = token.split(".")
    raw = bytearray(_unb64(pieces[part]))
    index = position % len(raw)
    raw[index] ^= 1 << bit
    pieces[part] = _b64(bytes(raw))
    tampered = ".".join(pieces)
    if tampered == token:  # the flip landed on base64 padding bits: not a different token
        return
    with pytest.raises(TokenError):
        _decode(tampered)


@settings(max_examples=100)
@given(
    header=st.dictionaries(
        st.sampled_from(["alg", "typ", "kid", "jku", "x5u"]), st.text(max_size=20)
    ),
    claims=st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=4),
)
def test_forged_tokens_with_arbitrary_headers_never_verify(
    header: dict[str, str], claims: dict[str, str]
) -> None:
    """A token not signed with our key under HS256 fails, whatever its header claims."""
    body = {**json.loads(_unb64(_encode().split(".")[1])), **claims}
    forged = ".".join(
        [
            _b64(json.dumps(header).encode()),
            _b64(json.dumps(body).encode()),
            _b64(b"not-a-signature"),
        ]
    )
    with pytest.raises(TokenError):
        _decode(forged)


def test_alg_none_is_refused() -> None:
    claims = json.loads(_unb64(_encode().split(".")[1]))
    unsigned = jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]
    with pytest.raises(TokenError):
        _decode(unsigned)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_another_algorithm_with_our_secret_is_refused() -> None:
    claims = json.loads(_unb64(_encode().split(".")[1]))
    with pytest.raises(TokenError):
        _decode(jwt.encode(claims, SECRET, algorithm="HS512"))


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        ({"secret": "another-secret-of-enough-length-for-hs256"}, {}),
        ({"audience": "someone-else"}, {}),
        ({"issuer": "evil"}, {}),
        ({"token_type": "mfa"}, {}),
        ({}, {"now": NOW + TTL}),
        ({}, {"now": NOW - timedelta(seconds=1)}),
    ],
    ids=["other-key", "wrong-aud", "wrong-iss", "wrong-typ", "expired", "not-yet-valid"],
)
def test_misdirected_or_stale_tokens_are_refused(
    encoded: dict[str, Any], decoded: dict[str, Any]
) -> None:
    with pytest.raises(TokenError):
        _decode(_encode(**encoded), **decoded)


def test_missing_required_claims_are_refused() -> None:
    claims = json.loads(_unb64(_encode().split(".")[1]))
    del claims["jti"]
    with pytest.raises(TokenError):
        _decode(jwt.encode(claims, SECRET, algorithm="HS256"))
