"""Email verification, password reset and change: single-use, expiring, ending sessions."""

from __future__ import annotations

from infra.container import Container
from tests.conftest import FakeClock
from tests.e2e.auth.conftest import (
    NEW_PASSWORD,
    PASSWORD,
    Client,
    bearer,
    login,
    mailed_token,
    register,
)

AppPair = tuple[Client, Container]


async def test_email_verification_token_works_once(app: AppPair) -> None:
    client, container = app
    await register(client, "ann@example.com")
    token = mailed_token(container, "ann@example.com", "Verify")
    verified = await client.post("/api/v1/auth/email/verify", json={"token": token})
    assert verified.status_code == 204
    tokens = await login(client, "ann@example.com")
    me = await client.get("/api/v1/users/me", headers=bearer(tokens))
    assert me.json()["email_verified"] is True
    again = await client.post("/api/v1/auth/email/verify", json={"token": token})
    assert again.status_code == 400
    assert again.json()["type"].endswith("/invalid-token")


async def test_email_verification_token_expires_after_a_day(app: AppPair, clock: FakeClock) -> None:
    client, container = app
    await register(client, "bob@example.com")
    tokens = await login(client, "bob@example.com")
    token = mailed_token(container, "bob@example.com", "Verify")
    clock.advance(24 * 3600 + 1)
    expired = await client.post("/api/v1/auth/email/verify", json={"token": token})
    assert expired.status_code == 400
    clock.advance(-(24 * 3600 + 1))
    resend = await client.post("/api/v1/auth/email/verify/resend", headers=bearer(tokens))
    assert resend.status_code == 202
    fresh = mailed_token(container, "bob@example.com", "Verify")
    assert fresh != token
    assert (
        await client.post("/api/v1/auth/email/verify", json={"token": fresh})
    ).status_code == 204


async def test_forgot_password_answers_202_whether_or_not_the_account_exists(
    app: AppPair,
) -> None:
    client, container = app
    await register(client, "cat@example.com")
    known = await client.post("/api/v1/auth/password/forgot", json={"email": "cat@example.com"})
    unknown = await client.post("/api/v1/auth/password/forgot", json={"email": "no@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert mailed_token(container, "cat@example.com", "Reset")
    outbox = container.email.outbox  # type: ignore[attr-defined]
    assert not any(message.to == "no@example.com" for _, message in outbox)


async def test_password_reset_is_single_use_and_revokes_every_session(app: AppPair) -> None:
    client, container = app
    await register(client, "dan@example.com")
    old_session = await login(client, "dan@example.com")
    await client.post("/api/v1/auth/password/forgot", json={"email": "dan@example.com"})
    token = mailed_token(container, "dan@example.com", "Reset")

    weak = await client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": "password1234"}
    )
    assert weak.status_code == 400
    reset = await client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": NEW_PASSWORD}
    )
    assert reset.status_code == 204
    again = await client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": "another fine passphrase"}
    )
    assert again.status_code == 400
    assert again.json()["type"].endswith("/invalid-token")

    dead = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": old_session["refresh_token"]}
    )
    assert dead.status_code == 401
    old_password = await client.post(
        "/api/v1/auth/login", json={"email": "dan@example.com", "password": PASSWORD}
    )
    assert old_password.status_code == 401
    await login(client, "dan@example.com", NEW_PASSWORD)


async def test_password_reset_token_expires_after_an_hour(app: AppPair, clock: FakeClock) -> None:
    client, container = app
    await register(client, "eve@example.com")
    await client.post("/api/v1/auth/password/forgot", json={"email": "eve@example.com"})
    token = mailed_token(container, "eve@example.com", "Reset")
    clock.advance(3601)
    expired = await client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": NEW_PASSWORD}
    )
    assert expired.status_code == 400


async def test_password_change_needs_the_current_password_and_ends_sessions(
    app: AppPair,
) -> None:
    client, _ = app
    await register(client, "fay@example.com")
    tokens = await login(client, "fay@example.com")
    other = await login(client, "fay@example.com")
    wrong = await client.post(
        "/api/v1/auth/password/change",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=bearer(tokens),
    )
    assert wrong.status_code == 403
    assert wrong.json()["type"].endswith("/invalid-credentials")
    weak = await client.post(
        "/api/v1/auth/password/change",
        json={"current_password": PASSWORD, "new_password": "fay@example.com"},
        headers=bearer(tokens),
    )
    assert weak.status_code == 400
    assert weak.json()["errors"][0]["field"] == "new_password"
    same = await client.post(
        "/api/v1/auth/password/change",
        json={"current_password": PASSWORD, "new_password": PASSWORD},
        headers=bearer(tokens),
    )
    assert same.status_code == 400
    changed = await client.post(
        "/api/v1/auth/password/change",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(tokens),
    )
    assert changed.status_code == 204
    for session in (tokens, other):
        refreshed = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}
        )
        assert refreshed.status_code == 401
    await login(client, "fay@example.com", NEW_PASSWORD)
