"""TOTP second factor: setup, enable (with recovery codes), disable, step-up, and the check
that sensitive actions run before they proceed."""

from __future__ import annotations

from common.principal import Principal
from common.request_meta import RequestMeta
from core.errors import AuthenticationError, ConflictError, InputError, PermissionDeniedError
from core.security.secrets import hash_token
from modules.auth._audit import audit
from modules.auth._common import account_of
from modules.auth._second_factor import (
    Factor,
    matching_step,
    new_recovery_codes,
    new_totp_secret,
    normalize_recovery_code,
    totp,
    verify_second_factor,
)
from modules.auth._throttle import LoginThrottle, MfaThrottle
from modules.auth.deps import AuthDeps
from modules.auth.models import Account, IssuedTokens, MfaSetup
from modules.auth.tokens import issue_tokens, new_refresh_token
from policies.mfa import SensitiveAction, needs_mfa_proof, recently_authenticated

__all__ = [
    "disable_mfa",
    "enable_mfa",
    "require_second_factor",
    "setup_mfa",
    "step_up",
]


def mfa_required(detail: str = "This action needs a fresh second factor") -> PermissionDeniedError:
    return PermissionDeniedError(detail, slug="mfa-required", title="MFA required")


async def _spend_code(
    deps: AuthDeps,
    account: Account,
    code: str,
    meta: RequestMeta,
    *,
    purpose: str,
    allow_recovery: bool = True,
) -> Factor | None:
    """Verify under the MFA throttle; a wrong code also counts towards the account lockout."""
    throttle = MfaThrottle(deps.kv, deps.clock)
    attempt = await throttle.begin(account.id)
    factor = await verify_second_factor(deps, account, code, allow_recovery=allow_recovery)
    if factor is None:
        await LoginThrottle(deps.kv, deps.clock).count_failure(account.email)
        await audit(deps, "mfa.failed", meta, actor_id=account.id, step=purpose)
        return None
    await throttle.succeeded(attempt)
    if factor is Factor.RECOVERY_CODE:
        await audit(deps, "mfa.recovery_code_used", meta, actor_id=account.id, step=purpose)
    return factor


async def setup_mfa(deps: AuthDeps, principal: Principal, meta: RequestMeta) -> MfaSetup:
    """A new secret, pending until `enable_mfa` proves the authenticator has it."""
    account = await account_of(deps, principal.user_id)
    if account.mfa_enabled:
        raise ConflictError("MFA is already enabled; disable it first", slug="mfa-already-enabled")
    if not recently_authenticated(principal.auth_at, deps.clock.now()):
        raise PermissionDeniedError(
            "Log in again before changing the second factor",
            slug="reauthentication-required",
            title="Reauthentication required",
        )
    secret = new_totp_secret()
    await deps.accounts.set_pending_totp(
        account.id, deps.totp_box.encrypt(secret, associated=account.id)
    )
    await audit(deps, "mfa.setup_started", meta, actor_id=account.id)
    uri = totp(secret).provisioning_uri(name=account.email, issuer_name=deps.config.service_name)
    return MfaSetup(secret=secret, otpauth_uri=uri)


async def enable_mfa(
    deps: AuthDeps, principal: Principal, code: str, meta: RequestMeta
) -> list[str]:
    """Activate the pending secret once a code from it checks out; return recovery codes."""
    account = await account_of(deps, principal.user_id)
    if account.mfa_enabled:
        raise ConflictError("MFA is already enabled", slug="mfa-already-enabled")
    if account.totp_pending_secret is None:
        raise ConflictError("Call /mfa/setup first", slug="mfa-setup-required")
    throttle = MfaThrottle(deps.kv, deps.clock)
    attempt = await throttle.begin(account.id)
    secret = deps.totp_box.decrypt(account.totp_pending_secret, associated=account.id)
    step = matching_step(secret, code.strip(), deps.clock.now().timestamp())
    if step is None:
        await audit(deps, "mfa.failed", meta, actor_id=account.id, step="enable")
        raise InputError("The code does not match the new secret", slug="invalid-mfa-code")
    await throttle.succeeded(attempt)
    codes = new_recovery_codes()
    now = deps.clock.now()
    async with deps.unit_of_work() as uow:
        enabled = await deps.accounts.enable_totp(
            account.id, account.totp_pending_secret, step, now, uow
        )
        if not enabled:
            raise ConflictError("The MFA setup changed; start again", slug="mfa-setup-required")
        await deps.recovery_codes.replace(
            account.id, [hash_token(normalize_recovery_code(c)) for c in codes], now, uow
        )
        await audit(deps, "mfa.enabled", meta, actor_id=account.id, uow=uow)
    return codes


async def disable_mfa(deps: AuthDeps, principal: Principal, code: str, meta: RequestMeta) -> None:
    """Needs a valid unused code (TOTP or recovery) in the request itself."""
    account = await account_of(deps, principal.user_id)
    if not account.mfa_enabled:
        raise ConflictError("MFA is not enabled", slug="mfa-not-enabled")
    if await _spend_code(deps, account, code, meta, purpose="disable") is None:
        raise mfa_required("A valid, unused code is needed to turn MFA off")
    async with deps.unit_of_work() as uow:
        await deps.accounts.disable_totp(account.id, uow)
        await deps.recovery_codes.replace(account.id, [], deps.clock.now(), uow)
        await audit(deps, "mfa.disabled", meta, actor_id=account.id, uow=uow)


async def step_up(
    deps: AuthDeps, principal: Principal, code: str, meta: RequestMeta
) -> IssuedTokens:
    """A new pair for the same session whose access token carries a fresh MFA proof.

    The session's other refresh tokens are spent: use the one returned here from now on.
    """
    account = await account_of(deps, principal.user_id)
    if not account.mfa_enabled:
        raise ConflictError("MFA is not enabled", slug="mfa-not-enabled")
    if principal.session_id is None:
        raise AuthenticationError("The access token names no session")
    factor = await _spend_code(deps, account, code, meta, purpose="step-up")
    if factor is None:
        raise mfa_required("The code is invalid or was already used")
    now = deps.clock.now()
    refresh_token, stored = new_refresh_token(deps, now)
    session = await deps.refresh_tokens.step_up(
        principal.session_id, account.id, stored, amr=("pwd", "otp"), mfa_at=now
    )
    if session is None:
        raise AuthenticationError("The session has ended; log in again")
    await audit(deps, "mfa.step_up", meta, actor_id=account.id, subject_id=session.id)
    return issue_tokens(deps, session, refresh_token, now)


async def require_second_factor(
    deps: AuthDeps,
    principal: Principal,
    action: SensitiveAction,
    *,
    code: str | None,
    meta: RequestMeta,
) -> None:
    """Pass, or raise 403 `mfa-required`: users with MFA need a proof ≤ 5 min old or a code.

    `code` (the `X-MFA-Code` header) must be an unused TOTP code; recovery codes are kept for
    login and for turning MFA off.
    """
    account = await account_of(deps, principal.user_id)
    now = deps.clock.now()
    if not needs_mfa_proof(
        action, mfa_enabled=account.mfa_enabled, mfa_at=principal.mfa_at, now=now
    ):
        return
    if code and await _spend_code(
        deps, account, code, meta, purpose=action.value, allow_recovery=False
    ):
        return
    raise mfa_required()
