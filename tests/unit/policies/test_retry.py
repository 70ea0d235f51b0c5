from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.retry import BackoffPolicy

policies = st.builds(
    BackoffPolicy,
    base_seconds=st.floats(0.01, 5),
    cap_seconds=st.floats(5, 120),
    jitter=st.floats(0, 0.5),
)


@given(policy=policies, attempt=st.integers(1, 10_000), unit=st.floats(0, 1, exclude_max=True))
def test_delay_stays_within_jittered_exponential_bounds(
    policy: BackoffPolicy, attempt: int, unit: float
) -> None:
    delay = policy.delay(attempt, unit)
    raw = min(policy.cap_seconds, policy.base_seconds * 2.0 ** min(attempt - 1, 60))
    assert delay <= policy.cap_seconds
    assert raw * (1 - policy.jitter) - 1e-9 <= delay <= raw * (1 + policy.jitter) + 1e-9


@given(attempt=st.integers(1, 30), unit=st.floats(0, 1, exclude_max=True))
def test_default_policy_is_250ms_doubling_to_30s_with_20_percent_jitter(
    attempt: int, unit: float
) -> None:
    delay = BackoffPolicy().delay(attempt, unit)
    assert 0.2 - 1e-9 <= delay <= 30
    if attempt == 1:
        assert delay <= 0.3 + 1e-9


def test_jitter_spreads_and_the_middle_is_exact() -> None:
    policy = BackoffPolicy()
    assert policy.delay(1, 0.5) == pytest.approx(0.25)
    assert policy.delay(3, 0.5) == pytest.approx(1.0)
    assert policy.delay(3, 0.0) == pytest.approx(0.8)
    assert policy.delay(20, 0.5) == pytest.approx(30.0)


@pytest.mark.parametrize(
    ("base", "cap", "jitter"), [(0, 1, 0.2), (2, 1, 0.2), (0.25, 30, 1.0), (0.25, 30, -0.1)]
)
def test_nonsense_policies_are_refused(base: float, cap: float, jitter: float) -> None:
    with pytest.raises(ValueError, match=r"backoff|jitter"):
        BackoffPolicy(base_seconds=base, cap_seconds=cap, jitter=jitter)
