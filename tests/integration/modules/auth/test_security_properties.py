"""The issue's security properties at use-case level, on SQLite and PostgreSQL.

Secrets at rest, refresh races, TOTP replay, legacy-hash migration and the audit trail: each
test reads the database (or the audit log) directly, so it fails if the property is lost.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import argon2
import pyotp
import pytest
from sqlalchemy import select

from common.ids import new_id
from common.principal import Principal
from common.request_meta import RequestMeta
from core.errors import AuthenticationError, RateLimitedError
from core.ports.audit import AuditEvent
from core.security.passwords import make_django_pbkdf2
from core.security.secrets import hash_token
from infra.container import Container
from infra.db.tables.auth import OneTimeTokenRow, RecoveryCodeRow, RefreshTokenRow, UserRow
from modules import auth
from modules.auth import AuthDeps, IssuedTokens, MfaChallenge
from modules.auth._second_factor import normalize_recovery_code, verify_second_factor
from modules.auth.models import NewAccount
from policies.lockout import ACCOUNT_FREE_FAILURES
from tests.conftest import FakeClock
from web.auth.principal import principal_from_token

PASSWORD = "tangerine orbit cactus 47"
NEW_PASSWORD = "lantern meadow quartz 1988"
META = RequestMeta(ip="198.51.100.7", user_agent="tests", request_id="req-42")


async def _signed_in(deps: AuthDeps, container: Container, email: str) -> IssuedTokens:
    await auth.register(deps, email=email, password=PASSWORD, name=None, meta=META)
    tokens = await auth.login(deps, email=email, password=PASSWORD, meta=META)
    assert isinstance(tokens, IssuedTokens)
    return tokens


def _principal(container: Container, tokens: IssuedTokens) -> Principal:
    return principal_from_token(tokens.access_token, container.settings, container.clock.now())


def _mailed_token(container: Container, to: str, subject_part: str) -> str:
    outbox = container.email.outbox  # type: ignore[attr-defined]
    for _, message in reversed(outbox):
        if message.to == to and subject_part in message.subject:
            return str(message.text.rsplit("Token: ", 1)[1].strip())
    raise AssertionError(f"no mail to {to} about {subject_part!r}")


async def test_secrets_are_stored_only_as_hashes_or_ciphertexts(
    deps: AuthDeps, container: Container, clock: FakeClock
) -> None:
    tokens = await _signed_in(deps, container, "ann@example.com")
    principal = _principal(container, tokens)
    verification = _mailed_token(container, "ann@example.com", "Verify")
    await auth.forgot_password(deps, email="ann@example.com", meta=META)
    reset = _mailed_token(container, "ann@example.com", "Reset")
    setup = await auth.setup_mfa(deps, principal, META)
    codes = await auth.enable_mfa(deps, principal, pyotp.TOTP(setup.secret).at(clock.now()), META)

    async with container.database.session() as session:
        user = await session.get(UserRow, principal.user_id)
        refresh_hashes = set((await session.execute(select(RefreshTokenRow.token_hash))).scalars())
        one_time_hashes = set((await session.execute(select(OneTimeTokenRow.token_hash))).scalars())
        code_hashes = set((await session.execute(select(RecoveryCodeRow.code_hash))).scalars())
    assert user is not None
    assert user.totp_secret is not None
    assert setup.secret not in user.totp_secret, "the TOTP seed is encrypted at rest"
    assert deps.totp_box.decrypt(user.totp_secret, associated=user.id) == setup.secret
    assert refresh_hashes == {hash_token(tokens.refresh_token)}
    assert one_time_hashes == {hash_token(verification), hash_token(reset)}
    assert code_hashes == {hash_token(normalize_recovery_code(code)) for code in codes}
    assert len(code_hashes) == 10
    plaintexts = {tokens.refresh_token, verification, reset, *codes}
    assert not plaintexts & (refresh_hashes | one_time_hashes | code_hashes)


async def test_two_concurrent_refreshes_with_one_token_one_wins_and_the_family_dies(
    deps: AuthDeps, container: Container
) -> None:
    tokens = await _signed_in(deps, container, "bob@example.com")
    results = await asyncio.gather(
        *(auth.refresh(deps, refresh_token=tokens.refresh_token, meta=META) for _ in range(2)),
        return_exceptions=True,
    )
    (winner,) = [result for result in results if isinstance(result, IssuedTokens)]
    (loser,) = [result for result in results if isinstance(result, AuthenticationError)]
    assert loser.slug == "refresh-token-reused"
    with pytest.raises(AuthenticationError) as after:
        await auth.refresh(deps, refresh_token=winner.refresh_token, meta=META)
    assert after.value.slug == "invalid-refresh-token", "the winner's family is revoked too"
    principal = _principal(container, tokens)
    assert await auth.list_sessions(deps, principal) == []


async def test_a_totp_code_is_accepted_once_within_one_step_of_drift(
    deps: AuthDeps, container: Container, clock: FakeClock
) -> None:
    principal = _principal(container, await _signed_in(deps, container, "cat@example.com"))
    setup = await auth.setup_mfa(deps, principal, META)
    generator = pyotp.TOTP(setup.secret)
    await auth.enable_mfa(deps, principal, generator.at(clock.now()), META)
    clock.advance(90)
    account = await deps.accounts.by_id(principal.user_id)
    assert account is not None
    too_old = generator.at(clock.now(), counter_offset=-2)
    assert await verify_second_factor(deps, account, too_old) is None
    previous = generator.at(clock.now(), counter_offset=-1)
    assert await verify_second_factor(deps, account, previous) is not None
    assert await verify_second_factor(deps, account, previous) is None, "replay"
    current = generator.at(clock.now())
    raced = await asyncio.gather(*(verify_second_factor(deps, account, current) for _ in range(3)))
    assert sum(factor is not None for factor in raced) == 1
    assert await verify_second_factor(deps, account, previous) is None, "no going back"


@pytest.mark.parametrize("legacy", ["django-pbkdf2", "argon2-outdated"])
async def test_a_legacy_hash_is_replaced_at_the_next_login(
    deps: AuthDeps, clock: FakeClock, legacy: str
) -> None:
    old_hash = (
        make_django_pbkdf2(PASSWORD, "legacysalt", 1000)
        if legacy == "django-pbkdf2"
        else argon2.PasswordHasher(memory_cost=8192, time_cost=1, type=argon2.Type.ID).hash(
            PASSWORD
        )
    )
    user_id = new_id()
    await deps.accounts.create(
        NewAccount(
            id=user_id,
            email="old@example.com",
            name=None,
            password_hash=old_hash,
            created_at=clock.now(),
        )
    )
    with pytest.raises(AuthenticationError):
        await auth.login(deps, email="old@example.com", password="not it at all", meta=META)
    assert (await deps.accounts.by_id(user_id)).password_hash == old_hash  # type: ignore[union-attr]
    assert isinstance(
        await auth.login(deps, email="old@example.com", password=PASSWORD, meta=META),
        IssuedTokens,
    )
    upgraded = (await deps.accounts.by_id(user_id)).password_hash  # type: ignore[union-attr]
    assert upgraded.startswith("$argon2id$v=19$m=19456,t=1,p=1$")
    assert not deps.passwords.needs_rehash(upgraded)
    assert await deps.passwords.verify(upgraded, PASSWORD)
    events = [event.event for event in await deps.audit.events_for(user_id)]
    assert events.count("password.rehashed") == 1


def _assert_recorded(events: list[AuditEvent], name: str, at: datetime) -> AuditEvent:
    matching = [event for event in events if event.event == name]
    assert matching, (name, [event.event for event in events])
    event = matching[0]
    assert (event.ip, event.request_id, event.user_agent) == ("198.51.100.7", "req-42", "tests")
    assert event.occurred_at == at
    return event


async def test_security_events_are_audited_with_actor_ip_request_id_and_time(
    deps: AuthDeps, container: Container, clock: FakeClock
) -> None:
    tokens = await _signed_in(deps, container, "dan@example.com")
    principal = _principal(container, tokens)
    user_id = principal.user_id
    for _ in range(ACCOUNT_FREE_FAILURES):
        with pytest.raises(AuthenticationError):
            await auth.login(deps, email="dan@example.com", password="wrong password!", meta=META)
    with pytest.raises(RateLimitedError):
        await auth.login(deps, email="dan@example.com", password=PASSWORD, meta=META)
    clock.advance(2)
    await auth.refresh(deps, refresh_token=tokens.refresh_token, meta=META)
    with pytest.raises(AuthenticationError):
        await auth.refresh(deps, refresh_token=tokens.refresh_token, meta=META)
    tokens = await auth.login(deps, email="dan@example.com", password=PASSWORD, meta=META)
    assert isinstance(tokens, IssuedTokens)
    principal = _principal(container, tokens)
    setup = await auth.setup_mfa(deps, principal, META)
    generator = pyotp.TOTP(setup.secret)
    await auth.enable_mfa(deps, principal, generator.at(clock.now()), META)
    clock.advance(30)
    await auth.disable_mfa(deps, principal, generator.at(clock.now()), META)
    await auth.change_password(
        deps, principal, current_password=PASSWORD, new_password=NEW_PASSWORD, meta=META
    )
    await auth.forgot_password(deps, email="dan@example.com", meta=META)
    reset = _mailed_token(container, "dan@example.com", "Reset")
    await auth.reset_password(deps, token=reset, password=PASSWORD, meta=META)

    events = await deps.audit.events_for(user_id, limit=200)
    now = clock.now()
    _assert_recorded(events, "password.reset", now)
    _assert_recorded(events, "password.changed", now)
    _assert_recorded(events, "mfa.disabled", now)
    _assert_recorded(events, "mfa.enabled", now - timedelta(seconds=30))
    _assert_recorded(events, "refresh.reused", now - timedelta(seconds=30))
    locked = _assert_recorded(events, "login.locked", now - timedelta(seconds=32))
    assert locked.detail["failures"] == str(ACCOUNT_FREE_FAILURES)
    _assert_recorded(events, "login.failed", now - timedelta(seconds=32))
    _assert_recorded(events, "login.succeeded", now - timedelta(seconds=30))


async def test_an_mfa_login_challenge_does_not_bypass_the_throttles(
    deps: AuthDeps, container: Container, clock: FakeClock
) -> None:
    principal = _principal(container, await _signed_in(deps, container, "fay@example.com"))
    setup = await auth.setup_mfa(deps, principal, META)
    await auth.enable_mfa(deps, principal, pyotp.TOTP(setup.secret).at(clock.now()), META)
    challenge = await auth.login(deps, email="fay@example.com", password=PASSWORD, meta=META)
    assert isinstance(challenge, MfaChallenge)
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            await auth.login_mfa(deps, mfa_token=challenge.mfa_token, code="000000", meta=META)
    clock.advance(30)
    with pytest.raises(RateLimitedError):
        await auth.login_mfa(
            deps,
            mfa_token=challenge.mfa_token,
            code=pyotp.TOTP(setup.secret).at(clock.now()),
            meta=META,
        )
