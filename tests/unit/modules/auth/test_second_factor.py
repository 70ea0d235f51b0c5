from __future__ import annotations

import pyotp
from hypothesis import given, settings
from hypothesis import strategies as st

from modules.auth._second_factor import (
    matching_step,
    new_recovery_codes,
    new_totp_secret,
    normalize_recovery_code,
)

SECRET = new_totp_secret()


def test_secrets_carry_160_bits() -> None:
    assert len(SECRET) == 32
    assert new_totp_secret() != SECRET


@settings(max_examples=50)
@given(st.integers(min_value=1_000_000_000, max_value=4_000_000_000), st.integers(-1, 1))
def test_codes_match_their_step_within_one_step_of_drift(now: int, drift: int) -> None:
    generator = pyotp.TOTP(SECRET)
    step = now // 30 + drift
    code = generator.generate_otp(step)
    matched = matching_step(SECRET, code, now)
    assert matched is not None
    assert abs(matched - now // 30) <= 1
    assert generator.generate_otp(matched) == code


def test_codes_from_further_away_or_malformed_do_not_match() -> None:
    now = 1_800_000_000
    generator = pyotp.TOTP(SECRET)
    far = {generator.generate_otp(now // 30 + offset) for offset in (-3, -2, 2, 3)}
    near = {generator.generate_otp(now // 30 + offset) for offset in (-1, 0, 1)}
    for code in far - near:
        assert matching_step(SECRET, code, now) is None
    assert matching_step(SECRET, "12345", now) is None
    assert matching_step(SECRET, "abcdef", now) is None


def test_recovery_codes_are_ten_distinct_and_normalise() -> None:
    codes = new_recovery_codes()
    assert len(set(codes)) == 10
    assert all(len(normalize_recovery_code(code)) == 16 for code in codes)
    assert normalize_recovery_code(" ABCD-efgh ijkl-MNOP ") == "abcdefghijklmnop"
