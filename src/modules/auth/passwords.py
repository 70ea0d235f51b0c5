"""Forgotten, reset and changed passwords; each change ends every session of the account."""

from __future__ import annotations

from common.emails import normalize_email
from common.principal import Principal
from common.request_meta import RequestMeta
from core.errors import FieldError, InputError, PermissionDeniedError
from core.security.secrets import hash_token
from modules.auth._audit import audit
from modules.auth._common import account_of, check_new_password, issue_one_time_token, send_mail
from modules.auth._throttle import LoginThrottle
from modules.auth.deps import AuthDeps
from modules.auth.models import TokenPurpose
from policies.lifetimes import PASSWORD_RESET_EMAILS_PER_HOUR, PASSWORD_RESET_TTL

__all__ = ["change_password", "forgot_password", "reset_password"]

_HOUR = 3600


def _invalid_token() -> InputError:
    return InputError("The token is invalid, used or expired", slug="invalid-token")


async def forgot_password(deps: AuthDeps, *, email: str, meta: RequestMeta) -> None:
    """Mail a reset token if the account exists. The caller answers 202 either way (and
    before this runs), so neither the response nor its timing reveals whether it does."""
    email = normalize_email(email)
    sent = await deps.kv.incr(f"auth:reset-mail:{hash_token(email)[:32]}", 1, ttl_seconds=_HOUR)
    if sent > PASSWORD_RESET_EMAILS_PER_HOUR:
        return
    account = await deps.accounts.by_email(email)
    if account is None:
        return
    token = await issue_one_time_token(
        deps, account.id, TokenPurpose.PASSWORD_RESET, deps.clock.now(), PASSWORD_RESET_TTL
    )
    await audit(deps, "password.reset_requested", meta, actor_id=account.id)
    await send_mail(
        deps,
        account.email,
        f"Reset your {deps.config.service_name} password",
        "Someone asked to reset the password of this account. If it was you, send the token\n"
        "below with your new password to POST /api/v1/auth/password/reset. It works once and\n"
        f"expires in one hour. If it was not you, ignore this message.\n\nToken: {token}\n",
    )


async def reset_password(deps: AuthDeps, *, token: str, password: str, meta: RequestMeta) -> None:
    token_hash = hash_token(token)
    now = deps.clock.now()
    user_id = await deps.one_time_tokens.peek(token_hash, TokenPurpose.PASSWORD_RESET, now)
    if user_id is None:
        raise _invalid_token()
    account = await account_of(deps, user_id)
    check_new_password(deps, password, (account.email, account.name))
    # Hash outside the transaction: a SQLite write lock must not wait on Argon2.
    new_hash = await deps.passwords.hash(password)
    now = deps.clock.now()
    async with deps.unit_of_work() as uow:
        if (
            await deps.one_time_tokens.consume(token_hash, TokenPurpose.PASSWORD_RESET, now, uow)
            is None
        ):
            raise _invalid_token()
        await deps.accounts.set_password_hash(account.id, new_hash, now, uow)
        # The reset link proved the mailbox: the address is verified, older links are void.
        await deps.accounts.mark_email_verified(account.id, now, uow)
        await deps.one_time_tokens.discard_all(account.id, TokenPurpose.PASSWORD_RESET, now, uow)
        revoked = await deps.refresh_tokens.revoke_all(
            account.id, reason="password-reset", at=now, uow=uow
        )
        await audit(
            deps,
            "password.reset",
            meta,
            actor_id=account.id,
            uow=uow,
            sessions_revoked=str(revoked),
        )
    await LoginThrottle(deps.kv, deps.clock).clear_email(account.email)


async def change_password(
    deps: AuthDeps,
    principal: Principal,
    *,
    current_password: str,
    new_password: str,
    meta: RequestMeta,
) -> None:
    """Re-authenticate with the current password (throttled like a login), then change it."""
    account = await account_of(deps, principal.user_id)
    throttle = LoginThrottle(deps.kv, deps.clock)
    attempt = await throttle.begin(ip=meta.ip, email=account.email)
    if not await deps.passwords.verify(account.password_hash, current_password):
        await audit(deps, "password.change_failed", meta, actor_id=account.id)
        raise PermissionDeniedError(
            "The current password is incorrect",
            slug="invalid-credentials",
            title="Invalid credentials",
        )
    await throttle.succeeded(attempt)
    check_new_password(deps, new_password, (account.email, account.name), field="new_password")
    if await deps.passwords.verify(account.password_hash, new_password):
        raise InputError(
            "The new password must differ from the current one",
            slug="weak-password",
            errors=[FieldError("new_password", "must differ from the current password")],
        )
    new_hash = await deps.passwords.hash(new_password)
    now = deps.clock.now()
    async with deps.unit_of_work() as uow:
        await deps.accounts.set_password_hash(account.id, new_hash, now, uow)
        revoked = await deps.refresh_tokens.revoke_all(
            account.id, reason="password-change", at=now, uow=uow
        )
        await audit(
            deps,
            "password.changed",
            meta,
            actor_id=account.id,
            uow=uow,
            sessions_revoked=str(revoked),
        )
    await send_mail(
        deps,
        account.email,
        f"Your {deps.config.service_name} password was changed",
        "The password of this account was just changed and every session was signed out.\n"
        "If this was not you, reset your password now.\n",
    )
