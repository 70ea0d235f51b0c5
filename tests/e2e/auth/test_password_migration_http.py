"""Legacy and outdated hashes verify once more and are replaced by Argon2id at that login;
unknown emails cost what wrong passwords cost."""

from __future__ import annotations

import statistics
import time
from collections.abc import AsyncIterator

import argon2
import pytest

from common.ids import new_id
from core.security.passwords import make_django_pbkdf2
from infra.auth import SqlAccountStore
from infra.db.engine import Database, create_database
from modules.auth.models import NewAccount
from tests.conftest import FakeClock
from tests.e2e.auth.conftest import PASSWORD, AppFactory, login, register


@pytest.fixture
async def accounts(database_env: dict[str, str]) -> AsyncIterator[SqlAccountStore]:
    """The accounts table as the test's own loop sees it (the app runs on another loop)."""
    database: Database = create_database(database_env["DATABASE_URL"])
    yield SqlAccountStore(database)
    await database.dispose()


LEGACY_HASHES = {
    "django-pbkdf2": make_django_pbkdf2(PASSWORD, "legacysalt", 1000),
    "argon2-outdated": argon2.PasswordHasher(
        memory_cost=8192, time_cost=1, parallelism=1, type=argon2.Type.ID
    ).hash(PASSWORD),
    "argon2i": argon2.PasswordHasher(
        memory_cost=19456, time_cost=1, parallelism=1, type=argon2.Type.I
    ).hash(PASSWORD),
}


@pytest.mark.parametrize("legacy", sorted(LEGACY_HASHES))
async def test_a_legacy_hash_is_upgraded_transparently_on_login(
    apps: AppFactory,
    database_env: dict[str, str],
    accounts: SqlAccountStore,
    clock: FakeClock,
    legacy: str,
) -> None:
    user_id = new_id()
    await accounts.create(
        NewAccount(
            id=user_id,
            email="old@example.com",
            name=None,
            password_hash=LEGACY_HASHES[legacy],
            created_at=clock.now(),
        )
    )
    async with apps.client(**database_env) as (client, _):
        wrong = await client.post(
            "/api/v1/auth/login", json={"email": "old@example.com", "password": "not it at all"}
        )
        assert wrong.status_code == 401
        unchanged = await accounts.by_id(user_id)
        assert unchanged is not None
        assert unchanged.password_hash == LEGACY_HASHES[legacy]

        await login(client, "old@example.com")
        upgraded = await accounts.by_id(user_id)
        assert upgraded is not None
        assert upgraded.password_hash.startswith("$argon2id$v=19$m=19456,t=1,p=1$")
        argon2.PasswordHasher().verify(upgraded.password_hash, PASSWORD)
        await login(client, "old@example.com")
        assert (await accounts.by_id(user_id)).password_hash == upgraded.password_hash  # type: ignore[union-attr]


async def test_unknown_email_costs_what_a_wrong_password_costs(
    apps: AppFactory, sqlite_url: str
) -> None:
    """Both paths verify one Argon2 hash; without the dummy hash the unknown-email path
    would skip it and answer many times faster."""
    async with apps.client(DATABASE_URL=sqlite_url) as (client, _):
        await register(client, "real@example.com")

        async def timed(email: str, index: int) -> float:
            started = time.perf_counter()
            response = await client.post(
                "/api/v1/auth/login",
                json={"email": email, "password": "wrong password here"},
            )
            assert response.status_code == 401
            return time.perf_counter() - started

        known: list[float] = []
        unknown: list[float] = []
        for index in range(8):  # interleaved, so machine load affects both alike
            known.append(await timed("real@example.com", index))
            unknown.append(await timed(f"ghost{index}@example.com", index))
            if index == 4:
                # Stay under the per-account delay (10 failures) for the known account.
                await login(client, "real@example.com")
        ratio = statistics.median(unknown) / statistics.median(known)
        assert 0.5 < ratio < 2.0, (known, unknown)
