"""Password rules (NIST 800-63B, OWASP ASVS 5.0): length and a blocklist, no composition rules.

`common_passwords.txt` is Django's list of the 20,000 most common passwords (BSD licence),
lower-cased and cut to entries of six characters or more: shorter ones can only matter as
the stem of a longer password, which `is_common` checks.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from functools import cache
from importlib import resources

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "is_common",
    "password_problems",
]

MIN_PASSWORD_LENGTH = 12
# At least 64 must be allowed; the bound stops a request from making hashing unbounded work.
MAX_PASSWORD_LENGTH = 256
_PADDING = string.digits + string.punctuation + " "
_MIN_STEM = 4


@cache
def _common() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line)


def _is_periodic(value: str) -> bool:
    """True for a short unit repeated to fill the whole string (`abcabcabcabc`, `aaaa…`)."""
    return len(value) > 1 and value in (value + value)[1:-1]


_RUNS = ("0123456789", string.ascii_lowercase, "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv")


def _is_run(value: str) -> bool:
    """True for a stretch of a well-known sequence, forwards or backwards (`123456789012`)."""
    for run in _RUNS:
        cycle = run * (len(value) // len(run) + 2)
        if value in cycle or value in cycle[::-1]:
            return True
    return False


def _stems(value: str) -> Iterable[str]:
    yield value
    for stripped in (value.rstrip(_PADDING), value.lstrip(_PADDING), value.strip(_PADDING)):
        if stripped != value and len(stripped) >= _MIN_STEM:
            yield stripped


def is_common(password: str) -> bool:
    """In the blocklist, a blocklisted word padded with digits/symbols, one unit repeated, or
    a run of a well-known sequence (digits, the alphabet, a keyboard row)."""
    lowered = password.lower()
    common = _common()
    return any(stem in common or _is_periodic(stem) or _is_run(stem) for stem in _stems(lowered))


def password_problems(password: str, *, context: Iterable[str] = ()) -> tuple[str, ...]:
    """Why `password` is refused (empty when it is acceptable).

    `context` holds words specific to the account (its email, its name, the service name):
    a password that is one of them, or contains one, is as guessable as a common one.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return (f"must be at least {MIN_PASSWORD_LENGTH} characters",)
    if len(password) > MAX_PASSWORD_LENGTH:
        return (f"must be at most {MAX_PASSWORD_LENGTH} characters",)
    if is_common(password):
        return ("is too common; choose a longer or less predictable passphrase",)
    lowered = password.lower()
    for raw in context:
        word = raw.strip().lower()
        if len(word) >= _MIN_STEM and word in lowered and len(word) * 2 > len(lowered):
            return ("is too close to your account details",)
    return ()
