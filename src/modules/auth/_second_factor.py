"""Check a TOTP or recovery code, each usable once.

A TOTP code is accepted for the current step ±1 (clock drift) and only if its step is later
than the last step the user spent; the store advances that step with a compare-and-set, so
the same code raced from two requests passes once. Recovery codes are spent the same way.
"""

from __future__ import annotations

import base64
import secrets
from enum import StrEnum

import pyotp

from core.security.secrets import constant_time_equals, hash_token
from modules.auth.deps import AuthDeps
from modules.auth.models import Account
from policies.mfa import (
    RECOVERY_CODE_COUNT,
    TOTP_DIGITS,
    TOTP_SECRET_BYTES,
    TOTP_STEP_SECONDS,
    totp_candidate_steps,
)

__all__ = [
    "Factor",
    "matching_step",
    "new_recovery_codes",
    "new_totp_secret",
    "normalize_recovery_code",
    "totp",
    "verify_second_factor",
]

_RECOVERY_CODE_BYTES = 10
_RECOVERY_GROUP = 4


class Factor(StrEnum):
    TOTP = "otp"
    RECOVERY_CODE = "recovery"


def new_totp_secret() -> str:
    return base64.b32encode(secrets.token_bytes(TOTP_SECRET_BYTES)).decode("ascii")


def totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS)


def matching_step(secret: str, code: str, epoch_seconds: float) -> int | None:
    """The latest candidate step whose code equals `code` (constant-time), or None."""
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    generator = totp(secret)
    matched = None
    for step in totp_candidate_steps(epoch_seconds):
        if constant_time_equals(generator.generate_otp(step), code):
            matched = step
    return matched


def new_recovery_codes() -> list[str]:
    """Ten codes of 80 random bits each, shown once as `xxxx-xxxx-xxxx-xxxx`."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(_RECOVERY_CODE_BYTES)).decode("ascii").lower()
        groups = [raw[i : i + _RECOVERY_GROUP] for i in range(0, len(raw), _RECOVERY_GROUP)]
        codes.append("-".join(groups))
    return codes


def normalize_recovery_code(code: str) -> str:
    return code.replace("-", "").replace(" ", "").strip().lower()


async def verify_second_factor(
    deps: AuthDeps, account: Account, code: str, *, allow_recovery: bool = True
) -> Factor | None:
    """Spend `code` if it is a valid, unused TOTP code (or recovery code); else None."""
    if account.totp_secret is None:
        return None
    code = code.strip().replace(" ", "")
    secret = deps.totp_box.decrypt(account.totp_secret, associated=account.id)
    step = matching_step(secret, code, deps.clock.now().timestamp())
    if step is not None:
        return Factor.TOTP if await deps.accounts.advance_totp_step(account.id, step) else None
    if not allow_recovery:
        return None
    normalized = normalize_recovery_code(code)
    if len(normalized) != _RECOVERY_CODE_BYTES * 8 // 5:
        return None
    used = await deps.recovery_codes.use(account.id, hash_token(normalized), deps.clock.now())
    return Factor.RECOVERY_CODE if used else None
