"""Password login (with the second-factor step when MFA is on).

Unknown email and wrong password take the same path: the same throttle keys, a verification
against a dummy hash, the same audit write and the same error, so neither the body nor the
time tells them apart.
"""

from __future__ import annotations

from common.emails import normalize_email
from common.request_meta import RequestMeta
from core.errors import AuthenticationError
from modules.auth._audit import audit
from modules.auth._common import open_session
from modules.auth._second_factor import verify_second_factor
from modules.auth._throttle import LoginThrottle, MfaThrottle
from modules.auth.deps import AuthDeps
from modules.auth.models import IssuedTokens, MfaChallenge
from modules.auth.tokens import issue_mfa_challenge, read_mfa_challenge

__all__ = ["login", "login_mfa"]

_AMR_PASSWORD = ("pwd",)


def invalid_credentials() -> AuthenticationError:
    return AuthenticationError(
        "The email or password is incorrect",
        slug="invalid-credentials",
        title="Invalid credentials",
    )


async def login(
    deps: AuthDeps, *, email: str, password: str, meta: RequestMeta
) -> IssuedTokens | MfaChallenge:
    email = normalize_email(email)
    throttle = LoginThrottle(deps.kv, deps.clock)
    attempt = await throttle.begin(ip=meta.ip, email=email)
    account = await deps.accounts.by_email(email)
    if not await deps.passwords.verify(account.password_hash if account else None, password):
        actor_id = account.id if account else None
        failures = str(attempt.failures)
        if attempt.lock_seconds:
            locked = str(attempt.lock_seconds)
            await audit(
                deps,
                "login.locked",
                meta,
                actor_id=actor_id,
                failures=failures,
                locked_seconds=locked,
            )
        else:
            await audit(deps, "login.failed", meta, actor_id=actor_id, failures=failures)
        raise invalid_credentials()
    assert account is not None  # a None hash never verifies
    await throttle.succeeded(attempt)
    if deps.passwords.needs_rehash(account.password_hash):
        new_hash = await deps.passwords.hash(password)
        if await deps.accounts.replace_password_hash(account.id, account.password_hash, new_hash):
            await audit(deps, "password.rehashed", meta, actor_id=account.id)
    if account.mfa_enabled:
        await audit(deps, "login.mfa_required", meta, actor_id=account.id)
        return issue_mfa_challenge(deps, account.id, deps.clock.now())
    tokens = await open_session(deps, account.id, meta, amr=_AMR_PASSWORD)
    await audit(deps, "login.succeeded", meta, actor_id=account.id, subject_id=tokens.session_id)
    return tokens


async def login_mfa(
    deps: AuthDeps, *, mfa_token: str, code: str, meta: RequestMeta
) -> IssuedTokens:
    """Finish a login with a TOTP or recovery code; the MFA token works once."""
    now = deps.clock.now()
    claims = read_mfa_challenge(deps, mfa_token, now)
    account = await deps.accounts.by_id(claims.user_id)
    if account is None or not account.mfa_enabled:
        raise AuthenticationError("The MFA token is no longer valid", slug="invalid-mfa-token")
    throttle = MfaThrottle(deps.kv, deps.clock)
    attempt = await throttle.begin(account.id)
    factor = await verify_second_factor(deps, account, code)
    if factor is None:
        await LoginThrottle(deps.kv, deps.clock).count_failure(account.email)
        await audit(deps, "mfa.failed", meta, actor_id=account.id, step="login")
        raise AuthenticationError(
            "The code is invalid or was already used", slug="invalid-mfa-code"
        )
    await throttle.succeeded(attempt)
    # One challenge, one session: a replayed MFA token with another code gets nothing.
    ttl = max(1.0, claims.expires_at - now.timestamp())
    if not await deps.kv.set_if_absent(f"auth:mfa-token:{claims.jti}", "1", ttl_seconds=ttl):
        raise AuthenticationError("The MFA token was already used", slug="invalid-mfa-token")
    tokens = await open_session(
        deps, account.id, meta, amr=(*_AMR_PASSWORD, "otp"), mfa_at=deps.clock.now()
    )
    await audit(
        deps,
        "login.succeeded",
        meta,
        actor_id=account.id,
        subject_id=tokens.session_id,
        factor=factor.value,
    )
    return tokens
