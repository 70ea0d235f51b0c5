"""Brute-force limits hold across app instances, restarts and both counter stores."""

from __future__ import annotations

from typing import Any

import pytest

from policies.lockout import ACCOUNT_FREE_FAILURES, IP_FAILURE_LIMIT
from tests.conftest import FakeClock
from tests.e2e.auth.conftest import PASSWORD, AppFactory, Client, register

WRONG = "definitely not it"


async def _attempt(client: Client, email: str, password: str = WRONG) -> Any:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


def _assert_locked(response: Any) -> int:
    assert response.status_code == 429, response.text
    assert response.json()["type"].endswith("/too-many-attempts")
    retry_after = int(response.headers["retry-after"])
    assert retry_after > 0
    assert response.headers["ratelimit-remaining"] == "0"
    assert response.headers["ratelimit-reset"] == str(retry_after)
    return retry_after


async def test_account_delay_grows_after_ten_failures_and_then_lets_the_owner_in(
    apps: AppFactory, sqlite_url: str, clock: FakeClock
) -> None:
    async with apps.client(DATABASE_URL=sqlite_url) as (client, _):
        await register(client, "ann@example.com")
        for _ in range(ACCOUNT_FREE_FAILURES):
            assert (await _attempt(client, "ann@example.com")).status_code == 401
        # Even the right password is refused while the account waits.
        assert _assert_locked(await _attempt(client, "ann@example.com", PASSWORD)) == 1
        clock.advance(1)
        assert (await _attempt(client, "ann@example.com")).status_code == 401
        assert _assert_locked(await _attempt(client, "ann@example.com")) == 2
        clock.advance(2)
        assert (await _attempt(client, "ann@example.com", PASSWORD)).status_code == 200
        # Success resets the account counter.
        assert (await _attempt(client, "ann@example.com")).status_code == 401
        assert (await _attempt(client, "ann@example.com")).status_code == 401


async def test_unknown_emails_are_throttled_the_same_way(apps: AppFactory, sqlite_url: str) -> None:
    async with apps.client(DATABASE_URL=sqlite_url) as (client, _):
        for _ in range(ACCOUNT_FREE_FAILURES):
            assert (await _attempt(client, "ghost@example.com")).status_code == 401
        _assert_locked(await _attempt(client, "ghost@example.com"))


@pytest.fixture(params=["sqlite", "postgres", "redis"])
def counter_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """Counters in the database (SQLite, PostgreSQL: zero-config) or in Redis."""
    if request.param == "postgres":
        request.getfixturevalue("postgres_database")
        return {"DATABASE_URL": request.getfixturevalue("postgres_server").url}
    env = {"DATABASE_URL": request.getfixturevalue("sqlite_url")}
    if request.param == "redis":
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
        env["REDIS_KEY_PREFIX"] = request.getfixturevalue("redis_prefix")
    return env


async def test_lockout_holds_across_two_instances_and_a_restart(
    apps: AppFactory, counter_env: dict[str, str], clock: FakeClock
) -> None:
    async with apps.client(**counter_env) as (first, _), apps.client(**counter_env) as (second, _):
        await register(first, "bob@example.com")
        for attempt in range(ACCOUNT_FREE_FAILURES):
            instance = first if attempt % 2 else second
            assert (await _attempt(instance, "bob@example.com")).status_code == 401
        _assert_locked(await _attempt(first, "bob@example.com", PASSWORD))
        _assert_locked(await _attempt(second, "bob@example.com", PASSWORD))
    # Both instances are gone; a new one (a restart) still knows.
    async with apps.client(**counter_env) as (restarted, _):
        _assert_locked(await _attempt(restarted, "bob@example.com", PASSWORD))
        clock.advance(1)
        assert (await _attempt(restarted, "bob@example.com", PASSWORD)).status_code == 200


@pytest.fixture(params=["sql", "redis"])
def ip_counter_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """The per-IP window in the SQL kv store or in Redis (the database matters not here)."""
    env = {"DATABASE_URL": request.getfixturevalue("sqlite_url")}
    if request.param == "redis":
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
        env["REDIS_KEY_PREFIX"] = request.getfixturevalue("redis_prefix")
    return env


async def test_one_ip_is_refused_after_thirty_failures_in_ten_minutes(
    apps: AppFactory, ip_counter_env: dict[str, str], clock: FakeClock
) -> None:
    async with apps.client(**ip_counter_env) as (client, _):
        await register(client, "cat@example.com")
        # Spread over many accounts so no account delay gets in the way.
        for attempt in range(IP_FAILURE_LIMIT):
            response = await _attempt(client, f"user{attempt}@example.com")
            assert response.status_code == 401
        refused = await _attempt(client, "cat@example.com", PASSWORD)
        retry_after = _assert_locked(refused)
        assert retry_after <= 600
        clock.advance(retry_after)
        assert (await _attempt(client, "cat@example.com", PASSWORD)).status_code == 200
