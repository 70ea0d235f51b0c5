"""Small steps several auth use cases share: password rules, mail, opening a session."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from common.emails import is_valid_email, normalize_email
from common.ids import new_id
from common.request_meta import RequestMeta
from core.errors import AuthenticationError, FieldError, InputError
from core.logging import get_logger
from core.ports.email import EmailDeliveryError, EmailMessage
from core.security.secrets import generate_token, hash_token
from modules.auth.deps import AuthDeps
from modules.auth.models import Account, IssuedTokens, NewFamily, OneTimeToken, TokenPurpose
from modules.auth.tokens import issue_tokens, new_refresh_token
from policies.passwords import password_problems

__all__ = [
    "account_of",
    "check_new_password",
    "issue_one_time_token",
    "open_session",
    "send_mail",
    "valid_email",
]

_log = get_logger(__name__)
_ONE_TIME_TOKEN_BYTES = 32


def valid_email(email: str) -> str:
    normalized = normalize_email(email)
    if not is_valid_email(normalized):
        raise InputError(
            "The email address is not valid",
            errors=[FieldError("email", "must be an email address")],
        )
    return normalized


def check_new_password(
    deps: AuthDeps, password: str, context: Iterable[str | None], *, field: str = "password"
) -> None:
    words = [deps.config.service_name, *(word for word in context if word)]
    for value in list(words):
        if "@" in value:
            words.append(value.split("@", 1)[0])
    problems = password_problems(password, context=words)
    if problems:
        raise InputError(
            "The password does not meet the password policy",
            slug="weak-password",
            title="Weak password",
            errors=[FieldError(field, problem) for problem in problems],
        )


async def send_mail(deps: AuthDeps, to: str, subject: str, text: str) -> bool:
    """Send, logging (not raising) a delivery failure: the caller's change already stands."""
    try:
        await deps.email.send(EmailMessage(to=to, subject=subject, text=text))
    except EmailDeliveryError as exc:
        _log.warning("auth.email_failed", subject=subject, error=str(exc))
        return False
    return True


async def issue_one_time_token(
    deps: AuthDeps, user_id: str, purpose: TokenPurpose, now: datetime, lifetime: timedelta
) -> str:
    token = generate_token(_ONE_TIME_TOKEN_BYTES)
    await deps.one_time_tokens.issue(
        OneTimeToken(
            token_hash=hash_token(token),
            user_id=user_id,
            purpose=purpose,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


async def open_session(
    deps: AuthDeps,
    user_id: str,
    meta: RequestMeta,
    *,
    amr: tuple[str, ...],
    mfa_at: datetime | None = None,
) -> IssuedTokens:
    """Start a refresh family (one per login) and issue its first token pair."""
    now = deps.clock.now()
    refresh_token, stored = new_refresh_token(deps, now)
    session = await deps.refresh_tokens.start(
        NewFamily(
            id=new_id(),
            user_id=user_id,
            created_at=now,
            ip=meta.ip,
            user_agent=meta.user_agent,
            amr=amr,
            mfa_at=mfa_at,
        ),
        stored,
    )
    return issue_tokens(deps, session, refresh_token, now)


async def account_of(deps: AuthDeps, user_id: str) -> Account:
    """The caller's account; a token outliving its (deleted) account is no longer valid."""
    account = await deps.accounts.by_id(user_id)
    if account is None:
        raise AuthenticationError("The account no longer exists")
    return account
