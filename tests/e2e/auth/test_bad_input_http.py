"""Hostile input to every auth and profile route: a problem+json 4xx, never a 500.

PostgreSQL refuses NUL characters in text, so a NUL that reaches a query would be a 500 there
and not on SQLite: every case runs on both databases.
"""

from __future__ import annotations

from typing import Any

import pytest

from infra.container import Container
from tests.e2e.auth.conftest import Client, bearer, login, register

AppPair = tuple[Client, Container]

NASTY_STRINGS = [
    "nul\x00byte@example.com",
    "\x00",
    "x" * 5000,
    "ünïcødé@exämple.com",
    "\ud7ff\ue000",
    "' OR 1=1 --",
    "",
    " ",
]
NASTY_VALUES: list[Any] = [*NASTY_STRINGS, None, 12, True, [], {}, 1.5]

ANONYMOUS_BODIES: dict[str, list[str]] = {
    "/api/v1/auth/register": ["email", "password", "name"],
    "/api/v1/auth/login": ["email", "password"],
    "/api/v1/auth/login/mfa": ["mfa_token", "code"],
    "/api/v1/auth/refresh": ["refresh_token"],
    "/api/v1/auth/logout": ["refresh_token"],
    "/api/v1/auth/password/forgot": ["email"],
    "/api/v1/auth/password/reset": ["token", "password"],
    "/api/v1/auth/email/verify": ["token"],
}
SIGNED_IN_BODIES: dict[tuple[str, str], list[str]] = {
    ("POST", "/api/v1/auth/mfa/enable"): ["code"],
    ("POST", "/api/v1/auth/mfa/disable"): ["code"],
    ("POST", "/api/v1/auth/mfa/step-up"): ["code"],
    ("POST", "/api/v1/auth/password/change"): ["current_password", "new_password"],
    ("PATCH", "/api/v1/users/me"): ["name"],
}
PATH_IDS = ["nul%00id", "x" * 3000, "%E2%80%AE", "..%2F..%2Fetc"]


def _assert_problem(response: Any, context: object) -> None:
    """Refused as a client error in problem+json, or (harmless input) accepted."""
    assert response.status_code < 500, (context, response.status_code, response.text)
    if response.status_code >= 400:
        content_type = response.headers["content-type"]
        assert content_type.startswith("application/problem+json"), context


def _bodies(fields: list[str]) -> list[Any]:
    """Each field set to each nasty value (the others valid-looking), plus broken shapes."""
    valid = {field: "tangerine orbit cactus 47" for field in fields}
    if "email" in valid:
        valid["email"] = "someone@example.com"
    bodies: list[Any] = [[], "text", 7, None]
    for field in fields:
        bodies.extend({**valid, field: value} for value in NASTY_VALUES)
    return bodies


@pytest.mark.parametrize("path", sorted(ANONYMOUS_BODIES))
async def test_anonymous_routes_answer_bad_input_with_a_4xx(app: AppPair, path: str) -> None:
    client, _ = app
    for body in _bodies(ANONYMOUS_BODIES[path]):
        _assert_problem(await client.post(path, json=body), (path, body))
    malformed = await client.post(
        path, content=b'{"email": ', headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 400
    _assert_problem(malformed, (path, "malformed"))


async def test_signed_in_routes_answer_bad_input_with_a_4xx(app: AppPair) -> None:
    client, _ = app
    await register(client, "fuzz@example.com")
    headers = bearer(await login(client, "fuzz@example.com"))
    for (method, path), fields in SIGNED_IN_BODIES.items():
        for body in _bodies(fields):
            response = await client.request(method, path, json=body, headers=headers)
            _assert_problem(response, (method, path, body))


async def test_hostile_path_ids_and_headers_answer_with_a_4xx(app: AppPair) -> None:
    client, _ = app
    await register(client, "paths@example.com")
    headers = bearer(await login(client, "paths@example.com"))
    for raw in PATH_IDS:
        response = await client.delete(f"/api/v1/auth/sessions/{raw}", headers=headers)
        assert response.status_code >= 400, raw
        _assert_problem(response, raw)
    for value in ("Bearer", "Bearer \x7f", "Basic abc", "Bearer " + "a." * 2000):
        response = await client.get("/api/v1/users/me", headers={"Authorization": value})
        assert response.status_code == 401, value
    guarded = await client.delete(
        "/api/v1/users/me", headers={**headers, "X-MFA-Code": "\x7f" * 100}
    )
    assert guarded.status_code == 204, "a user without MFA passes whatever the header holds"
