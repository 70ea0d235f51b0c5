"""How long single-use credentials stay valid."""

from __future__ import annotations

from datetime import timedelta

__all__ = [
    "EMAIL_VERIFICATION_TTL",
    "INVITATION_TTL",
    "MFA_CHALLENGE_TTL",
    "PASSWORD_RESET_EMAILS_PER_HOUR",
    "PASSWORD_RESET_TTL",
]

EMAIL_VERIFICATION_TTL = timedelta(hours=24)
PASSWORD_RESET_TTL = timedelta(hours=1)
INVITATION_TTL = timedelta(days=7)
MFA_CHALLENGE_TTL = timedelta(minutes=5)
PASSWORD_RESET_EMAILS_PER_HOUR = 3
"""Per address, so `password/forgot` cannot be used to flood someone's inbox."""
