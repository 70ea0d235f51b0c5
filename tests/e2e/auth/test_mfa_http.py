"""TOTP over HTTP: setup, MFA login, replay, recovery codes, step-up and `require_mfa`."""

from __future__ import annotations

import asyncio
from typing import Any

import jwt

from infra.container import Container
from tests.conftest import FakeClock
from tests.e2e.auth.conftest import (
    NEW_PASSWORD,
    PASSWORD,
    Client,
    bearer,
    code_at,
    enable_mfa,
    login,
    register,
)

AppPair = tuple[Client, Container]


def claims(tokens: dict[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(
        tokens["access_token"], options={"verify_signature": False}
    )
    return decoded


async def _mfa_user(client: Client, clock: FakeClock, email: str) -> tuple[str, list[str]]:
    await register(client, email)
    return await enable_mfa(client, await login(client, email), clock)


async def _challenge(client: Client, email: str) -> str:
    body = await login(client, email)
    assert body["mfa_required"] is True
    assert body["expires_in"] == 300
    token: str = body["mfa_token"]
    return token


async def test_setup_then_enable_returns_ten_recovery_codes(app: AppPair, clock: FakeClock) -> None:
    client, _ = app
    await register(client, "ann@example.com")
    tokens = await login(client, "ann@example.com")
    setup = await client.post("/api/v1/auth/mfa/setup", headers=bearer(tokens))
    assert setup.status_code == 200
    body = setup.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/")
    me = await client.get("/api/v1/users/me", headers=bearer(tokens))
    assert me.json()["mfa_enabled"] is False, "a pending secret is not active"
    wrong = await client.post(
        "/api/v1/auth/mfa/enable", json={"code": "000000"}, headers=bearer(tokens)
    )
    assert wrong.status_code == 400
    enabled = await client.post(
        "/api/v1/auth/mfa/enable",
        json={"code": code_at(body["secret"], clock)},
        headers=bearer(tokens),
    )
    assert enabled.status_code == 200
    codes = enabled.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    me = await client.get("/api/v1/users/me", headers=bearer(tokens))
    assert me.json()["mfa_enabled"] is True
    again = await client.post("/api/v1/auth/mfa/setup", headers=bearer(tokens))
    assert again.status_code == 409


async def test_setup_needs_a_recent_login(app: AppPair, clock: FakeClock) -> None:
    client, _ = app
    await register(client, "old@example.com")
    tokens = await login(client, "old@example.com")
    clock.advance(11 * 60)
    stale = await client.post("/api/v1/auth/mfa/setup", headers=bearer(tokens))
    assert stale.status_code == 403
    assert stale.json()["type"].endswith("/reauthentication-required")


async def test_login_with_mfa_needs_a_code_that_works_once(app: AppPair, clock: FakeClock) -> None:
    client, _ = app
    secret, _ = await _mfa_user(client, clock, "bob@example.com")
    clock.advance(30)
    code = code_at(secret, clock)

    first = await client.post(
        "/api/v1/auth/login/mfa",
        json={"mfa_token": await _challenge(client, "bob@example.com"), "code": code},
    )
    assert first.status_code == 200, first.text
    proof = claims(first.json())
    assert "otp" in proof["amr"]
    assert proof["mfa_at"] == int(clock.now().timestamp())

    replay = await client.post(
        "/api/v1/auth/login/mfa",
        json={"mfa_token": await _challenge(client, "bob@example.com"), "code": code},
    )
    assert replay.status_code == 401
    assert replay.json()["type"].endswith("/invalid-mfa-code")

    clock.advance(30)
    later = await client.post(
        "/api/v1/auth/login/mfa",
        json={
            "mfa_token": await _challenge(client, "bob@example.com"),
            "code": code_at(secret, clock),
        },
    )
    assert later.status_code == 200


async def test_one_code_raced_from_two_logins_is_accepted_once(
    app: AppPair, clock: FakeClock
) -> None:
    client, _ = app
    secret, _ = await _mfa_user(client, clock, "cat@example.com")
    clock.advance(30)
    code = code_at(secret, clock)
    challenges = [await _challenge(client, "cat@example.com") for _ in range(3)]
    responses = await asyncio.gather(
        *(
            client.post("/api/v1/auth/login/mfa", json={"mfa_token": token, "code": code})
            for token in challenges
        )
    )
    assert sorted(r.status_code for r in responses) == [200, 401, 401]


async def test_a_mfa_token_opens_one_session_and_expires(app: AppPair, clock: FakeClock) -> None:
    client, _ = app
    secret, _ = await _mfa_user(client, clock, "dan@example.com")
    token = await _challenge(client, "dan@example.com")
    clock.advance(30)
    ok = await client.post(
        "/api/v1/auth/login/mfa", json={"mfa_token": token, "code": code_at(secret, clock)}
    )
    assert ok.status_code == 200
    clock.advance(30)
    reused = await client.post(
        "/api/v1/auth/login/mfa", json={"mfa_token": token, "code": code_at(secret, clock)}
    )
    assert reused.status_code == 401
    assert reused.json()["type"].endswith("/invalid-mfa-token")
    stale = await _challenge(client, "dan@example.com")
    clock.advance(301)
    expired = await client.post(
        "/api/v1/auth/login/mfa", json={"mfa_token": stale, "code": code_at(secret, clock)}
    )
    assert expired.status_code == 401
    assert expired.json()["type"].endswith("/invalid-mfa-token")


async def test_recovery_codes_work_once_each(app: AppPair, clock: FakeClock) -> None:
    client, _ = app
    _, codes = await _mfa_user(client, clock, "eve@example.com")
    used = await client.post(
        "/api/v1/auth/login/mfa",
        json={"mfa_token": await _challenge(client, "eve@example.com"), "code": codes[0].upper()},
    )
    assert used.status_code == 200
    again = await client.post(
        "/api/v1/auth/login/mfa",
        json={"mfa_token": await _challenge(client, "eve@example.com"), "code": codes[0]},
    )
    assert again.status_code == 401


async def test_wrong_codes_are_rate_limited(app: AppPair, clock: FakeClock) -> None:
    client, _ = app
    secret, _ = await _mfa_user(client, clock, "fay@example.com")
    token = await _challenge(client, "fay@example.com")
    statuses = []
    for _ in range(6):
        response = await client.post(
            "/api/v1/auth/login/mfa", json={"mfa_token": token, "code": "000000"}
        )
        statuses.append(response.status_code)
    assert statuses == [401] * 5 + [429]
    clock.advance(30)
    held = await client.post(
        "/api/v1/auth/login/mfa", json={"mfa_token": token, "code": code_at(secret, clock)}
    )
    assert held.status_code == 429
    assert held.json()["type"].endswith("/too-many-attempts")
    assert int(held.headers["retry-after"]) > 0


async def test_sensitive_actions_need_a_fresh_mfa_proof(app: AppPair, clock: FakeClock) -> None:
    client, _ = app
    secret, _ = await _mfa_user(client, clock, "gil@example.com")
    clock.advance(30)
    tokens = (
        await client.post(
            "/api/v1/auth/login/mfa",
            json={
                "mfa_token": await _challenge(client, "gil@example.com"),
                "code": code_at(secret, clock),
            },
        )
    ).json()
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    clock.advance(6 * 60)
    stale = await client.post("/api/v1/auth/password/change", json=change, headers=bearer(tokens))
    assert stale.status_code == 403
    assert stale.json()["type"].endswith("/mfa-required")
    bad_header = await client.post(
        "/api/v1/auth/password/change",
        json=change,
        headers={**bearer(tokens), "X-MFA-Code": "123456"},
    )
    assert bad_header.status_code == 403

    stepped = await client.post(
        "/api/v1/auth/mfa/step-up", json={"code": code_at(secret, clock)}, headers=bearer(tokens)
    )
    assert stepped.status_code == 200
    fresh = stepped.json()
    assert claims(fresh)["mfa_at"] == int(clock.now().timestamp())
    assert "otp" in claims(fresh)["amr"]
    # The step-up spent the session's older refresh token; the new one carries on.
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": fresh["refresh_token"]}
    )
    assert refreshed.status_code == 200
    assert claims(refreshed.json())["mfa_at"] == claims(fresh)["mfa_at"]
    ok = await client.post(
        "/api/v1/auth/password/change", json=change, headers=bearer(refreshed.json())
    )
    assert ok.status_code == 204


async def test_a_valid_unused_x_mfa_code_passes_the_guard_once(
    app: AppPair, clock: FakeClock
) -> None:
    client, _ = app
    secret, _ = await _mfa_user(client, clock, "hal@example.com")
    clock.advance(30)
    code = code_at(secret, clock)
    tokens = (
        await client.post(
            "/api/v1/auth/login/mfa",
            json={"mfa_token": await _challenge(client, "hal@example.com"), "code": code},
        )
    ).json()
    clock.advance(6 * 60)
    replayed = await client.delete(
        "/api/v1/users/me", headers={**bearer(tokens), "X-MFA-Code": code}
    )
    assert replayed.status_code == 403
    deleted = await client.delete(
        "/api/v1/users/me", headers={**bearer(tokens), "X-MFA-Code": code_at(secret, clock)}
    )
    assert deleted.status_code == 204


async def test_users_without_mfa_pass_the_guard(app: AppPair) -> None:
    client, _ = app
    await register(client, "ida@example.com")
    tokens = await login(client, "ida@example.com")
    deleted = await client.delete("/api/v1/users/me", headers=bearer(tokens))
    assert deleted.status_code == 204


async def test_disable_needs_a_valid_code(app: AppPair, clock: FakeClock) -> None:
    client, _ = app
    secret, codes = await _mfa_user(client, clock, "jon@example.com")
    clock.advance(30)
    tokens = (
        await client.post(
            "/api/v1/auth/login/mfa",
            json={"mfa_token": await _challenge(client, "jon@example.com"), "code": codes[1]},
        )
    ).json()
    wrong = await client.post(
        "/api/v1/auth/mfa/disable", json={"code": "999999"}, headers=bearer(tokens)
    )
    assert wrong.status_code == 403
    assert wrong.json()["type"].endswith("/mfa-required")
    off = await client.post(
        "/api/v1/auth/mfa/disable", json={"code": code_at(secret, clock)}, headers=bearer(tokens)
    )
    assert off.status_code == 204
    plain = await login(client, "jon@example.com")
    assert "access_token" in plain
    again = await client.post(
        "/api/v1/auth/mfa/disable", json={"code": "123456"}, headers=bearer(plain)
    )
    assert again.status_code == 409
