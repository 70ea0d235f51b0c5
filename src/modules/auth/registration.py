"""Sign-up, email verification, and the first administrator."""

from __future__ import annotations

from common.ids import new_id
from common.principal import Principal
from common.request_meta import RequestMeta
from common.users import User
from core.errors import ConflictError, FieldError, InputError
from core.security.secrets import hash_token
from modules.auth._audit import audit
from modules.auth._common import (
    account_of,
    check_new_password,
    issue_one_time_token,
    send_mail,
    valid_email,
)
from modules.auth.deps import AuthDeps
from modules.auth.models import NewAccount, TokenPurpose
from policies.lifetimes import EMAIL_VERIFICATION_TTL, PASSWORD_RESET_EMAILS_PER_HOUR

__all__ = ["MAX_NAME_LENGTH", "create_admin", "register", "resend_verification", "verify_email"]

MAX_NAME_LENGTH = 200
_HOUR = 3600


def valid_name(name: str | None) -> str | None:
    if name is None:
        return None
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise InputError(
            "The name is too long",
            errors=[FieldError("name", f"must be at most {MAX_NAME_LENGTH} characters")],
        )
    return name or None


async def register(
    deps: AuthDeps, *, email: str, password: str, name: str | None, meta: RequestMeta
) -> User:
    """Create the account and mail a verification token; 409 `email-taken` if it exists."""
    email = valid_email(email)
    name = valid_name(name)
    check_new_password(deps, password, (email, name))
    now = deps.clock.now()
    account = NewAccount(
        id=new_id(),
        email=email,
        name=name,
        password_hash=await deps.passwords.hash(password),
        created_at=now,
    )
    if not await deps.accounts.create(account):
        raise ConflictError("An account with this email already exists", slug="email-taken")
    await audit(deps, "user.registered", meta, actor_id=account.id, subject_id=account.id)
    await _send_verification(deps, account.id, email)
    return User(
        id=account.id,
        email=email,
        name=name,
        email_verified=False,
        mfa_enabled=False,
        created_at=now,
    )


async def _send_verification(deps: AuthDeps, user_id: str, email: str) -> None:
    token = await issue_one_time_token(
        deps, user_id, TokenPurpose.EMAIL_VERIFICATION, deps.clock.now(), EMAIL_VERIFICATION_TTL
    )
    await send_mail(
        deps,
        email,
        f"Verify your {deps.config.service_name} email address",
        "Confirm this address by sending the token below to POST /api/v1/auth/email/verify.\n"
        f"It works once and expires in 24 hours.\n\nToken: {token}\n",
    )


async def verify_email(deps: AuthDeps, *, token: str, meta: RequestMeta) -> None:
    now = deps.clock.now()
    user_id = await deps.one_time_tokens.consume(
        hash_token(token), TokenPurpose.EMAIL_VERIFICATION, now
    )
    if user_id is None:
        raise InputError("The token is invalid, used or expired", slug="invalid-token")
    await deps.accounts.mark_email_verified(user_id, now)
    await audit(deps, "user.email_verified", meta, actor_id=user_id, subject_id=user_id)


async def resend_verification(deps: AuthDeps, principal: Principal, meta: RequestMeta) -> None:
    """Mail a fresh token unless the address is verified (or mailed too often this hour)."""
    account = await account_of(deps, principal.user_id)
    if account.email_verified:
        return
    sent = await deps.kv.incr(f"auth:verify-mail:{account.id}", 1, ttl_seconds=_HOUR)
    if sent > PASSWORD_RESET_EMAILS_PER_HOUR:
        return
    await audit(deps, "user.verification_resent", meta, actor_id=account.id)
    await _send_verification(deps, account.id, account.email)


async def create_admin(
    deps: AuthDeps, *, email: str, password: str, name: str | None, promote: bool = False
) -> User:
    """The `users create-admin` command: a verified administrator account.

    An existing account is promoted only when `promote` is set (its password is left as is).
    """
    email = valid_email(email)
    name = valid_name(name)
    existing = await deps.accounts.by_email(email)
    if existing is not None:
        if not promote:
            raise ConflictError("An account with this email already exists", slug="email-taken")
        await deps.accounts.set_admin(existing.id)
        await audit(deps, "user.promoted_admin", RequestMeta(), subject_id=existing.id)
        return existing.to_user()
    check_new_password(deps, password, (email, name))
    now = deps.clock.now()
    account = NewAccount(
        id=new_id(),
        email=email,
        name=name,
        password_hash=await deps.passwords.hash(password),
        created_at=now,
        email_verified=True,
        is_admin=True,
    )
    if not await deps.accounts.create(account):
        raise ConflictError("An account with this email already exists", slug="email-taken")
    await audit(deps, "user.created_admin", RequestMeta(), subject_id=account.id)
    return User(
        id=account.id,
        email=email,
        name=name,
        email_verified=True,
        mfa_enabled=False,
        created_at=now,
    )
