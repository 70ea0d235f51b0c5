"""Accounts, TOTP steps, recovery codes, one-time tokens: each spend is atomic."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import msgspec

from common.ids import new_id
from infra.auth import SqlAccountStore, SqlOneTimeTokenStore, SqlRecoveryCodeStore
from infra.db.engine import Database
from infra.db.unit_of_work import sql_unit_of_work
from modules.auth.models import NewAccount, OneTimeToken, TokenPurpose
from tests.conftest import FakeClock
from tests.integration.infra.auth._helpers import make_user


async def test_accounts_are_unique_by_email_and_rehash_is_compare_and_set(
    database: Database, clock: FakeClock
) -> None:
    store = SqlAccountStore(database)
    account = NewAccount(
        id=new_id(),
        email="ann@example.com",
        name="Ann",
        password_hash="old",
        created_at=clock.now(),
    )
    assert await store.create(account)
    assert not await store.create(msgspec.structs.replace(account, id=new_id()))
    found = await store.by_email("ann@example.com")
    assert found is not None
    assert (found.id, found.name, found.email_verified, found.mfa_enabled) == (
        account.id,
        "Ann",
        False,
        False,
    )
    assert await store.by_id("missing") is None
    assert await store.replace_password_hash(account.id, "old", "new")
    assert not await store.replace_password_hash(account.id, "old", "newer")
    await store.mark_email_verified(account.id, clock.now())
    await store.set_admin(account.id)
    verified = await store.by_id(account.id)
    assert verified is not None
    assert (verified.password_hash, verified.email_verified) == ("new", True)


async def test_a_totp_step_is_accepted_once_even_when_raced(
    database: Database, clock: FakeClock
) -> None:
    store = SqlAccountStore(database)
    user_id = await make_user(database, "bob@example.com", clock.now())
    assert not await store.advance_totp_step(user_id, 100), "no secret yet"
    await store.set_pending_totp(user_id, "cipher")
    assert not await store.enable_totp(user_id, "other-cipher", 99, clock.now())
    async with sql_unit_of_work(database) as uow:
        assert await store.enable_totp(user_id, "cipher", 99, clock.now(), uow)
    results = await asyncio.gather(*(store.advance_totp_step(user_id, 100) for _ in range(5)))
    assert sorted(results) == [False] * 4 + [True]
    assert not await store.advance_totp_step(user_id, 99)
    assert await store.advance_totp_step(user_id, 101)
    account = await store.by_id(user_id)
    assert account is not None
    assert (account.mfa_enabled, account.totp_last_step) == (True, 101)
    await store.disable_totp(user_id)
    account = await store.by_id(user_id)
    assert account is not None
    assert not account.mfa_enabled


async def test_a_recovery_code_is_spent_once(database: Database, clock: FakeClock) -> None:
    store = SqlRecoveryCodeStore(database)
    user_id = await make_user(database, "cat@example.com", clock.now())
    await store.replace(user_id, ["a" * 64, "b" * 64], clock.now())
    results = await asyncio.gather(*(store.use(user_id, "a" * 64, clock.now()) for _ in range(4)))
    assert sorted(results) == [False, False, False, True]
    assert await store.remaining(user_id) == 1
    assert not await store.use(user_id, "c" * 64, clock.now())
    await store.replace(user_id, [], clock.now())
    assert await store.remaining(user_id) == 0


async def test_one_time_tokens_are_spent_once_and_expire(
    database: Database, clock: FakeClock
) -> None:
    store = SqlOneTimeTokenStore(database)
    user_id = await make_user(database, "dan@example.com", clock.now())

    async def issue(name: str, purpose: TokenPurpose) -> str:
        token_hash = name.ljust(64, "0")
        await store.issue(
            OneTimeToken(
                token_hash=token_hash,
                user_id=user_id,
                purpose=purpose,
                created_at=clock.now(),
                expires_at=clock.now() + timedelta(hours=1),
            )
        )
        return token_hash

    reset = await issue("r", TokenPurpose.PASSWORD_RESET)
    assert await store.peek(reset, TokenPurpose.EMAIL_VERIFICATION, clock.now()) is None
    assert await store.peek(reset, TokenPurpose.PASSWORD_RESET, clock.now()) == user_id
    results = await asyncio.gather(
        *(store.consume(reset, TokenPurpose.PASSWORD_RESET, clock.now()) for _ in range(3))
    )
    assert results.count(user_id) == 1
    assert results.count(None) == 2

    other = await issue("o", TokenPurpose.PASSWORD_RESET)
    await store.discard_all(user_id, TokenPurpose.PASSWORD_RESET, clock.now())
    assert await store.peek(other, TokenPurpose.PASSWORD_RESET, clock.now()) is None

    late = await issue("l", TokenPurpose.EMAIL_VERIFICATION)
    clock.advance(3601)
    assert await store.consume(late, TokenPurpose.EMAIL_VERIFICATION, clock.now()) is None
