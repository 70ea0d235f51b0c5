from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from policies.lockout import (
    ACCOUNT_FAILURE_CEILING,
    ACCOUNT_MAX_DELAY_SECONDS,
    ACCOUNT_WINDOW_SECONDS,
    account_attempt_allowed,
    account_delay_seconds,
    ip_attempt_allowed,
    mfa_attempt_allowed,
    window_remaining_seconds,
    window_start,
)


def test_ip_limit_is_thirty_per_window() -> None:
    assert ip_attempt_allowed(30)
    assert not ip_attempt_allowed(31)


def test_account_delays_start_after_ten_failures_and_double() -> None:
    assert [account_delay_seconds(n) for n in range(9, 14)] == [0, 1, 2, 4, 8]
    assert account_delay_seconds(50) == ACCOUNT_MAX_DELAY_SECONDS


@given(st.integers(min_value=0, max_value=10_000))
def test_delays_never_shrink_and_stay_bounded(failures: int) -> None:
    delay = account_delay_seconds(failures)
    assert delay <= account_delay_seconds(failures + 1)
    if failures < ACCOUNT_FAILURE_CEILING:
        assert delay <= ACCOUNT_MAX_DELAY_SECONDS
    else:
        # At the ceiling the account waits out the window: never forever, never more tries.
        assert delay == ACCOUNT_WINDOW_SECONDS


def test_at_most_one_hundred_consecutive_failures() -> None:
    assert account_attempt_allowed(ACCOUNT_FAILURE_CEILING)
    assert not account_attempt_allowed(ACCOUNT_FAILURE_CEILING + 1)
    assert mfa_attempt_allowed(5)
    assert not mfa_attempt_allowed(6)


@given(st.floats(min_value=0, max_value=4e9, allow_nan=False), st.integers(1, 86400))
def test_windows_partition_time(now: float, window: int) -> None:
    start = window_start(now, window)
    remaining = window_remaining_seconds(now, window)
    assert start <= now < start + window
    assert 1 <= remaining <= window
