from __future__ import annotations

from datetime import UTC, datetime, timedelta

from policies.mfa import (
    SensitiveAction,
    mfa_proof_is_fresh,
    needs_mfa_proof,
    recently_authenticated,
    totp_candidate_steps,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_proof_is_fresh_for_five_minutes_and_never_from_the_future() -> None:
    assert mfa_proof_is_fresh(NOW - timedelta(minutes=5), NOW)
    assert not mfa_proof_is_fresh(NOW - timedelta(minutes=5, seconds=1), NOW)
    assert not mfa_proof_is_fresh(NOW + timedelta(seconds=1), NOW)
    assert not mfa_proof_is_fresh(None, NOW)


def test_only_users_with_mfa_need_a_proof() -> None:
    stale = NOW - timedelta(hours=1)
    for action in SensitiveAction:
        assert not needs_mfa_proof(action, mfa_enabled=False, mfa_at=None, now=NOW)
        assert needs_mfa_proof(action, mfa_enabled=True, mfa_at=stale, now=NOW)
        assert not needs_mfa_proof(action, mfa_enabled=True, mfa_at=NOW, now=NOW)


def test_recent_login_and_totp_window() -> None:
    assert recently_authenticated(NOW - timedelta(minutes=10), NOW)
    assert not recently_authenticated(NOW - timedelta(minutes=11), NOW)
    assert not recently_authenticated(None, NOW)
    assert totp_candidate_steps(90.0) == (2, 3, 4)
