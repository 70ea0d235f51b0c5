"""Auth use cases on their edges: races lost, accounts gone, mail down, limits reached."""

from __future__ import annotations

import dataclasses

import pyotp
import pytest

from common.principal import Principal
from common.request_meta import RequestMeta
from core.errors import (
    AuthenticationError,
    ConflictError,
    InputError,
    PermissionDeniedError,
)
from infra.container import Container
from modules import auth
from modules.auth import AuthDeps, IssuedTokens, MfaChallenge
from modules.auth._second_factor import verify_second_factor
from policies.mfa import SensitiveAction
from tests.conftest import FakeClock
from tests.integration.modules.auth.conftest import BrokenEmail
from web.auth.controller import _forgot_in_background, _resend_in_background
from web.auth.principal import principal_from_token

PASSWORD = "tangerine orbit cactus 47"
META = RequestMeta(ip="192.0.2.1", user_agent="tests", request_id="r-1")


async def _principal(deps: AuthDeps, container: Container, email: str) -> Principal:
    result = await auth.login(deps, email=email, password=PASSWORD, meta=META)
    assert isinstance(result, IssuedTokens)
    return principal_from_token(result.access_token, container.settings, deps.clock.now())


async def _with_mfa(deps: AuthDeps, principal: Principal, clock: FakeClock) -> str:
    setup = await auth.setup_mfa(deps, principal, META)
    await auth.enable_mfa(deps, principal, pyotp.TOTP(setup.secret).at(clock.now()), META)
    clock.advance(30)
    return setup.secret


async def test_mail_failures_do_not_undo_the_change(deps: AuthDeps) -> None:
    broken = BrokenEmail()
    failing = dataclasses.replace(deps, email=broken)
    user = await auth.register(
        failing, email="ann@example.com", password=PASSWORD, name=None, meta=META
    )
    assert user.email == "ann@example.com"
    assert broken.attempts, "it tried"
    await auth.forgot_password(failing, email="ann@example.com", meta=META)
    assert len(broken.attempts) == 2


async def test_reset_mails_are_capped_per_address(deps: AuthDeps, container: Container) -> None:
    await auth.register(deps, email="bob@example.com", password=PASSWORD, name=None, meta=META)
    outbox = container.email.outbox  # type: ignore[attr-defined]
    before = len(outbox)
    for _ in range(5):
        await auth.forgot_password(deps, email="bob@example.com", meta=META)
    assert len(outbox) - before == 3


async def test_verification_resend_skips_verified_and_caps_per_hour(
    deps: AuthDeps, container: Container
) -> None:
    await auth.register(deps, email="cat@example.com", password=PASSWORD, name="Cat", meta=META)
    principal = await _principal(deps, container, "cat@example.com")
    outbox = container.email.outbox  # type: ignore[attr-defined]
    before = len(outbox)
    for _ in range(5):
        await auth.resend_verification(deps, principal, META)
    assert len(outbox) - before == 3
    await deps.accounts.mark_email_verified(principal.user_id, deps.clock.now())
    await auth.resend_verification(deps, principal, META)
    assert len(outbox) - before == 3


async def test_names_are_bounded_and_admins_are_unique(deps: AuthDeps) -> None:
    with pytest.raises(InputError):
        await auth.register(
            deps, email="dan@example.com", password=PASSWORD, name="x" * 201, meta=META
        )
    admin = await auth.create_admin(
        deps, email="root@example.com", password=PASSWORD, name=" Root "
    )
    assert (admin.name, admin.email_verified) == ("Root", True)
    with pytest.raises(ConflictError):
        await auth.create_admin(deps, email="root@example.com", password=PASSWORD, name=None)
    promoted = await auth.create_admin(
        deps, email="root@example.com", password="", name=None, promote=True
    )
    assert promoted.id == admin.id


async def test_a_deleted_account_cannot_act(deps: AuthDeps, container: Container) -> None:
    await auth.register(deps, email="eve@example.com", password=PASSWORD, name=None, meta=META)
    principal = await _principal(deps, container, "eve@example.com")
    assert await container.users.directory.delete(principal.user_id)
    with pytest.raises(AuthenticationError):
        await auth.setup_mfa(deps, principal, META)
    with pytest.raises(AuthenticationError):
        await auth.require_second_factor(
            deps, principal, SensitiveAction.ACCOUNT_DELETE, code=None, meta=META
        )


async def test_mfa_state_machine_edges(
    deps: AuthDeps, container: Container, clock: FakeClock
) -> None:
    await auth.register(deps, email="fay@example.com", password=PASSWORD, name=None, meta=META)
    principal = await _principal(deps, container, "fay@example.com")
    with pytest.raises(ConflictError, match="setup"):
        await auth.enable_mfa(deps, principal, "123456", META)
    with pytest.raises(ConflictError):
        await auth.step_up(deps, principal, "123456", META)
    account = await deps.accounts.by_id(principal.user_id)
    assert account is not None
    assert await verify_second_factor(deps, account, "123456") is None

    secret = await _with_mfa(deps, principal, clock)
    with pytest.raises(ConflictError):
        await auth.enable_mfa(deps, principal, "123456", META)
    no_session = Principal(user_id=principal.user_id)
    with pytest.raises(AuthenticationError):
        await auth.step_up(deps, no_session, pyotp.TOTP(secret).at(clock.now()), META)
    with pytest.raises(PermissionDeniedError):
        await auth.step_up(deps, principal, "000000", META)
    assert principal.session_id is not None
    await deps.refresh_tokens.revoke(principal.session_id, reason="test", at=clock.now())
    clock.advance(30)
    with pytest.raises(AuthenticationError):
        await auth.step_up(deps, principal, pyotp.TOTP(secret).at(clock.now()), META)


async def test_a_recovery_code_can_turn_mfa_off(
    deps: AuthDeps, container: Container, clock: FakeClock
) -> None:
    await auth.register(deps, email="gil@example.com", password=PASSWORD, name=None, meta=META)
    principal = await _principal(deps, container, "gil@example.com")
    setup = await auth.setup_mfa(deps, principal, META)
    codes = await auth.enable_mfa(deps, principal, pyotp.TOTP(setup.secret).at(clock.now()), META)
    assert await deps.recovery_codes.remaining(principal.user_id) == 10
    await auth.disable_mfa(deps, principal, codes[3], META)
    assert await deps.recovery_codes.remaining(principal.user_id) == 0
    events = {event.event for event in await deps.audit.events_for(principal.user_id)}
    assert {"mfa.enabled", "mfa.recovery_code_used", "mfa.disabled"} <= events


async def test_an_mfa_challenge_dies_with_the_second_factor(
    deps: AuthDeps, container: Container, clock: FakeClock
) -> None:
    await auth.register(deps, email="hal@example.com", password=PASSWORD, name=None, meta=META)
    principal = await _principal(deps, container, "hal@example.com")
    secret = await _with_mfa(deps, principal, clock)
    challenge = await auth.login(deps, email="hal@example.com", password=PASSWORD, meta=META)
    assert isinstance(challenge, MfaChallenge)
    await deps.accounts.disable_totp(principal.user_id)
    with pytest.raises(AuthenticationError, match="no longer valid"):
        await auth.login_mfa(
            deps, mfa_token=challenge.mfa_token, code=pyotp.TOTP(secret).at(clock.now()), meta=META
        )


async def test_a_reset_token_spent_by_a_racing_request_is_refused(
    deps: AuthDeps, container: Container
) -> None:
    await auth.register(deps, email="ida@example.com", password=PASSWORD, name=None, meta=META)
    await auth.forgot_password(deps, email="ida@example.com", meta=META)
    outbox = container.email.outbox  # type: ignore[attr-defined]
    token = outbox[-1][1].text.rsplit("Token: ", 1)[1].strip()

    class LosesTheRace:
        """Reads the token as live, then finds it spent (another request won)."""

        def __init__(self, inner: object) -> None:
            self._inner = inner

        def __getattr__(self, name: str) -> object:
            return getattr(self._inner, name)

        async def consume(self, *args: object, **kwargs: object) -> None:
            return None

    racing = dataclasses.replace(deps, one_time_tokens=LosesTheRace(deps.one_time_tokens))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="invalid"):
        await auth.reset_password(
            racing, token=token, password="lantern meadow quartz 1988", meta=META
        )


async def test_background_tasks_swallow_and_log_failures(deps: AuthDeps) -> None:
    class Down:
        async def incr(self, *args: object, **kwargs: object) -> int:
            raise ConnectionError("kv down")

    broken = dataclasses.replace(deps, kv=Down())  # type: ignore[arg-type]
    await _forgot_in_background(broken, "x@example.com", META)
    await _resend_in_background(broken, Principal(user_id="missing"), META)
