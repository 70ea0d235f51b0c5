from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    is_common,
    password_problems,
)


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "Password1234!",
        "qwertyuiop123",
        "123456789012",
        "iloveyou2024!!",
        "abcabcabcabc",
        "zzzzzzzzzzzzzzzz",
        "!!!monkey123456",
        "zyxwvutsrqponm",
        "qwertyuiopasdf",
    ],
)
def test_common_and_trivially_padded_passwords_are_refused(password: str) -> None:
    assert is_common(password)
    assert password_problems(password)


@pytest.mark.parametrize(
    "password",
    ["tangerine orbit cactus 47", "correct-horse-battery-staple", "Zq8#vLp2!mWx", "x" * 11 + "y"],
)
def test_uncommon_passwords_of_twelve_or_more_pass(password: str) -> None:
    assert password_problems(password) == ()


def test_length_bounds() -> None:
    assert password_problems("a1b2c3d4e5f") == (
        f"must be at least {MIN_PASSWORD_LENGTH} characters",
    )
    assert MAX_PASSWORD_LENGTH >= 64
    assert password_problems("tangerine orbit cactus forty-seven, walrus umbrella sonnet!") == ()
    assert "at most" in password_problems("q7" * (MAX_PASSWORD_LENGTH // 2 + 1))[0]


def test_account_details_are_not_a_password() -> None:
    context = ["jonathan.smith@example.com", "jonathan.smith"]
    assert password_problems("jonathan.smith99", context=context)
    assert password_problems("Jonathan.Smith@Example.com", context=context)
    assert password_problems("a long phrase about jonathan.smith and tea", context=context) == ()


@settings(max_examples=50)
@given(st.text(min_size=MIN_PASSWORD_LENGTH, max_size=MAX_PASSWORD_LENGTH))
def test_no_composition_rules_only_length_and_the_blocklist(password: str) -> None:
    """Anything long enough passes unless it is a known common password (NIST 800-63B)."""
    assert (password_problems(password) == ()) is not is_common(password)
