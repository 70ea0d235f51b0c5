"""Second-factor rules: which actions are sensitive, how fresh a proof must be, TOTP shape."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

__all__ = [
    "MFA_PROOF_MAX_AGE",
    "REAUTH_MAX_AGE",
    "RECOVERY_CODE_COUNT",
    "TOTP_DIGITS",
    "TOTP_DRIFT_STEPS",
    "TOTP_SECRET_BYTES",
    "TOTP_STEP_SECONDS",
    "SensitiveAction",
    "mfa_proof_is_fresh",
    "needs_mfa_proof",
    "recently_authenticated",
    "totp_candidate_steps",
]

MFA_PROOF_MAX_AGE = timedelta(minutes=5)
REAUTH_MAX_AGE = timedelta(minutes=10)
"""How recent a login must be before the second factor itself can be set up."""

TOTP_STEP_SECONDS = 30
TOTP_DRIFT_STEPS = 1
TOTP_DIGITS = 6
TOTP_SECRET_BYTES = 20
"""160 bits, as RFC 4226 recommends."""
RECOVERY_CODE_COUNT = 10


class SensitiveAction(StrEnum):
    """Actions that need a fresh second factor from users who have one (api.md)."""

    MFA_DISABLE = "mfa.disable"
    PASSWORD_CHANGE = "password.change"
    EMAIL_CHANGE = "email.change"
    BILLING_EMAIL_CHANGE = "billing.email_change"
    ACCOUNT_DELETE = "account.delete"
    RECOVERY_CODES_REGENERATE = "mfa.recovery_codes"


def mfa_proof_is_fresh(mfa_at: datetime | None, now: datetime) -> bool:
    # A proof from the future (clock skew between processes) is not trusted either.
    return mfa_at is not None and timedelta(0) <= now - mfa_at <= MFA_PROOF_MAX_AGE


def needs_mfa_proof(
    action: SensitiveAction, *, mfa_enabled: bool, mfa_at: datetime | None, now: datetime
) -> bool:
    """True when `action` must be refused until the caller proves a second factor."""
    del action  # every sensitive action has the same bar today; the name documents the call
    return mfa_enabled and not mfa_proof_is_fresh(mfa_at, now)


def recently_authenticated(auth_at: datetime | None, now: datetime) -> bool:
    return auth_at is not None and timedelta(0) <= now - auth_at <= REAUTH_MAX_AGE


def totp_candidate_steps(epoch_seconds: float) -> tuple[int, ...]:
    """The time steps a code may belong to: the current one and ±`TOTP_DRIFT_STEPS`."""
    current = int(epoch_seconds // TOTP_STEP_SECONDS)
    return tuple(range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1))
