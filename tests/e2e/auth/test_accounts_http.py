"""Register, login, refresh rotation, sessions, logout, profile — over HTTP on both databases."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import jwt
import pytest

from core.settings import Settings
from infra.container import Container
from tests.conftest import issue_access_token
from tests.e2e.auth.conftest import (
    PASSWORD,
    AppFactory,
    Client,
    bearer,
    in_app,
    login,
    register,
)

AppPair = tuple[Client, Container]


async def test_register_returns_the_user_and_refuses_a_second_account(app: AppPair) -> None:
    client, _ = app
    user = await register(client, "Ann@Example.com", name="Ann")
    assert set(user) >= {"id", "email", "name", "email_verified", "mfa_enabled", "created_at"}
    assert user["email"] == "ann@example.com"
    assert (user["name"], user["email_verified"], user["mfa_enabled"]) == ("Ann", False, False)
    again = await client.post(
        "/api/v1/auth/register", json={"email": "ANN@example.com", "password": PASSWORD}
    )
    assert again.status_code == 409
    assert again.json()["type"].endswith("/email-taken")


async def test_register_refuses_weak_passwords_and_bad_input(app: AppPair) -> None:
    client, _ = app
    for password in ("short pass", "password1234", "qwertyqwerty", "aaaaaaaaaaaaaaa"):
        response = await client.post(
            "/api/v1/auth/register", json={"email": "bob@example.com", "password": password}
        )
        assert response.status_code == 400, password
        body = response.json()
        assert body["type"].endswith("/weak-password")
        assert body["errors"][0]["field"] == "password"
    bad_email = await client.post(
        "/api/v1/auth/register", json={"email": "not-an-email", "password": PASSWORD}
    )
    assert bad_email.status_code == 400
    unknown_field = await client.post(
        "/api/v1/auth/register",
        json={"email": "bob@example.com", "password": PASSWORD, "admin": True},
    )
    assert unknown_field.status_code == 400


async def test_unknown_email_and_wrong_password_get_the_same_401(app: AppPair) -> None:
    client, _ = app
    await register(client, "cat@example.com")
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": "cat@example.com", "password": "not the password"}
    )
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "not the password"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["type"].endswith("/invalid-credentials")
    assert wrong.headers["www-authenticate"] == unknown.headers["www-authenticate"] == "Bearer"


async def test_login_issues_a_bearer_pair_that_reaches_users_me(app: AppPair) -> None:
    client, _ = app
    user = await register(client, "dan@example.com")
    tokens = await login(client, "DAN@example.com")
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 900
    assert tokens["refresh_token"]
    me = await client.get("/api/v1/users/me", headers=bearer(tokens))
    assert me.status_code == 200
    assert me.json() == user
    anonymous = await client.get("/api/v1/users/me")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    forged = await client.get("/api/v1/users/me", headers={"Authorization": "Bearer a.b.c"})
    assert forged.status_code == 401
    guarded = await client.delete("/api/v1/users/me")
    assert guarded.status_code == 401
    refresh_as_access = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert refresh_as_access.status_code == 401


async def test_refresh_rotates_and_a_reused_token_revokes_the_family(app: AppPair) -> None:
    client, _ = app
    await register(client, "eve@example.com")
    first = await login(client, "eve@example.com")
    rotated = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert (await client.get("/api/v1/users/me", headers=bearer(second))).status_code == 200

    reused = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert reused.status_code == 401
    assert reused.json()["type"].endswith("/refresh-token-reused")
    # The whole family is gone: the legitimate holder's newer token is dead too.
    after = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert after.status_code == 401
    assert after.json()["type"].endswith("/invalid-refresh-token")
    garbage = await client.post("/api/v1/auth/refresh", json={"refresh_token": "garbage"})
    assert garbage.status_code == 401


async def test_two_concurrent_refreshes_with_one_token_one_wins_and_the_family_dies(
    app: AppPair,
) -> None:
    client, _ = app
    await register(client, "fay@example.com")
    tokens = await login(client, "fay@example.com")
    body = {"refresh_token": tokens["refresh_token"]}
    responses = await asyncio.gather(
        *(client.post("/api/v1/auth/refresh", json=body) for _ in range(2))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 401]
    (winner,) = [r.json() for r in responses if r.status_code == 200]
    (loser,) = [r.json() for r in responses if r.status_code == 401]
    assert loser["type"].endswith("/refresh-token-reused")
    revoked = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": winner["refresh_token"]}
    )
    assert revoked.status_code == 401


async def test_sessions_are_listed_and_revoked_one_by_one(app: AppPair) -> None:
    client, _ = app
    await register(client, "gil@example.com")
    await register(client, "hal@example.com")
    laptop = await login(client, "gil@example.com")
    phone = await login(client, "gil@example.com")
    stranger = await login(client, "hal@example.com")

    listed = await client.get("/api/v1/auth/sessions", headers=bearer(laptop))
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert len(items) == 2
    assert set(items[0]) >= {"id", "created_at", "last_used_at", "ip", "user_agent", "current"}
    current = [item for item in items if item["current"]]
    other = [item for item in items if not item["current"]]
    assert len(current) == len(other) == 1

    strangers = await client.get("/api/v1/auth/sessions", headers=bearer(stranger))
    (stranger_session,) = strangers.json()["items"]
    forbidden = await client.delete(
        f"/api/v1/auth/sessions/{stranger_session['id']}", headers=bearer(laptop)
    )
    assert forbidden.status_code == 404

    revoked = await client.delete(f"/api/v1/auth/sessions/{other[0]['id']}", headers=bearer(laptop))
    assert revoked.status_code == 204
    dead = await client.post("/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    assert dead.status_code == 401
    remaining = await client.get("/api/v1/auth/sessions", headers=bearer(laptop))
    assert [item["id"] for item in remaining.json()["items"]] == [current[0]["id"]]
    again = await client.delete(f"/api/v1/auth/sessions/{other[0]['id']}", headers=bearer(laptop))
    assert again.status_code == 404


async def test_logout_revokes_the_family(app: AppPair) -> None:
    client, _ = app
    await register(client, "ida@example.com")
    tokens = await login(client, "ida@example.com")
    out = await client.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert out.status_code == 204
    after = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert after.status_code == 401
    unknown = await client.post("/api/v1/auth/logout", json={"refresh_token": "unknown"})
    assert unknown.status_code == 204
    missing = await client.post("/api/v1/auth/logout", json={})
    assert missing.status_code == 400


async def test_profile_update_and_account_deletion(app: AppPair) -> None:
    client, _ = app
    await register(client, "jon@example.com")
    tokens = await login(client, "jon@example.com")
    renamed = await client.patch(
        "/api/v1/users/me", json={"name": "  Jon  "}, headers=bearer(tokens)
    )
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Jon"
    unchanged = await client.patch("/api/v1/users/me", json={}, headers=bearer(tokens))
    assert unchanged.json()["name"] == "Jon"
    too_long = await client.patch(
        "/api/v1/users/me", json={"name": "x" * 201}, headers=bearer(tokens)
    )
    assert too_long.status_code == 400

    deleted = await client.delete("/api/v1/users/me", headers=bearer(tokens))
    assert deleted.status_code == 204
    gone = await client.post(
        "/api/v1/auth/login", json={"email": "jon@example.com", "password": PASSWORD}
    )
    assert gone.status_code == 401
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refresh.status_code == 401
    me = await client.get("/api/v1/users/me", headers=bearer(tokens))
    assert me.status_code == 401


async def test_security_events_are_audited_with_ip_and_request_id(app: AppPair) -> None:
    client, container = app
    user = await register(client, "kim@example.com")
    await client.post(
        "/api/v1/auth/login",
        json={"email": "kim@example.com", "password": "wrong password!"},
        headers={"X-Request-ID": "req-failed-1"},
    )
    await client.post(
        "/api/v1/auth/login",
        json={"email": "kim@example.com", "password": PASSWORD},
        headers={"X-Request-ID": "req-ok-1", "User-Agent": "pytest-agent"},
    )
    events = in_app(client, container.audit.events_for, user["id"])
    by_name = {event.event: event for event in events}
    assert {"user.registered", "login.failed", "login.succeeded"} <= set(by_name)
    assert by_name["login.failed"].request_id == "req-failed-1"
    ok = by_name["login.succeeded"]
    assert (ok.request_id, ok.user_agent, ok.ip) == ("req-ok-1", "pytest-agent", "testclient")
    assert ok.occurred_at == container.clock.now()


async def test_refresh_cookie_transport(apps: AppFactory, database_env: dict[str, str]) -> None:
    async with apps.client(
        base_url="https://testserver.local", AUTH_REFRESH_COOKIE="true", **database_env
    ) as (client, _):
        await register(client, "lou@example.com")
        response = await client.post(
            "/api/v1/auth/login", json={"email": "lou@example.com", "password": PASSWORD}
        )
        assert response.status_code == 200
        assert response.json()["refresh_token"] is None
        cookie = response.headers["set-cookie"].lower()
        for attribute in ("httponly", "secure", "samesite=strict", "path=/api/v1/auth"):
            assert attribute in cookie
        rotated = await client.post("/api/v1/auth/refresh", json={})
        assert rotated.status_code == 200, rotated.text
        assert rotated.json()["access_token"]
        out = await client.post("/api/v1/auth/logout", json={})
        assert out.status_code == 204
        client.cookies.clear()
        missing = await client.post("/api/v1/auth/refresh", json={})
        assert missing.status_code == 400


def _forged_tokens(settings: Settings, user_id: str, now: datetime) -> dict[str, str]:
    """Access tokens an attacker could present, each wrong in exactly one way."""
    good = issue_access_token(settings, user_id, now=now)
    claims = jwt.decode(good, options={"verify_signature": False})
    return {
        "alg-none": jwt.encode(claims, key=None, algorithm="none"),  # type: ignore[arg-type]
        "wrong-alg": jwt.encode(claims, settings.secret, algorithm="HS512"),
        "other-key": jwt.encode(claims, "another-key-of-a-perfectly-fine-length!", "HS256"),
        "wrong-aud": jwt.encode({**claims, "aud": "other-api"}, settings.secret, "HS256"),
        "wrong-iss": jwt.encode({**claims, "iss": "someone-else"}, settings.secret, "HS256"),
        "wrong-typ": jwt.encode({**claims, "typ": "mfa"}, settings.secret, "HS256"),
        "expired": issue_access_token(settings, user_id, now=now - timedelta(minutes=16)),
        "no-exp": jwt.encode(
            {k: v for k, v in claims.items() if k != "exp"}, settings.secret, "HS256"
        ),
    }


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
async def test_forged_or_stale_access_tokens_are_401_on_plain_and_guarded_routes(
    app: AppPair,
) -> None:
    client, container = app
    user = await register(client, "max@example.com")
    settings, now = container.settings, container.clock.now()
    genuine = issue_access_token(settings, user["id"], now=now)
    ok = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {genuine}"})
    assert ok.status_code == 200, "the control token works, so each refusal below is its flaw"
    for flaw, token in _forged_tokens(settings, user["id"], now).items():
        headers = {"Authorization": f"Bearer {token}"}
        for response in (
            await client.get("/api/v1/users/me", headers=headers),
            await client.delete("/api/v1/users/me", headers=headers),
        ):
            assert response.status_code == 401, (flaw, response.text)
            assert response.headers["www-authenticate"] == "Bearer", flaw
            assert response.headers["content-type"].startswith("application/problem+json")
    assert (
        await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {genuine}"})
    ).status_code == 200


async def test_an_idempotent_login_replays_without_storing_its_tokens_in_clear(
    app: AppPair,
) -> None:
    client, container = app
    await register(client, "ned@example.com")
    body = {"email": "ned@example.com", "password": PASSWORD}
    headers = {"Idempotency-Key": "login-once"}
    first = await client.post("/api/v1/auth/login", json=body, headers=headers)
    again = await client.post("/api/v1/auth/login", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    record = in_app(client, container.idempotency.get, "http:ip:testclient:login-once")
    assert record is not None
    assert record.response is not None
    for secret in (first.json()["refresh_token"], first.json()["access_token"]):
        assert secret.encode() not in record.response
    sessions = await client.get("/api/v1/auth/sessions", headers=bearer(first.json()))
    assert len(sessions.json()["items"]) == 1, "the replay opened no second session"
