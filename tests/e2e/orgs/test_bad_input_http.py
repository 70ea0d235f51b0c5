"""Hostile input to every organisation route: a problem+json 4xx, never a 500 (both databases)."""

from __future__ import annotations

import pytest

from infra.container import Container
from tests.e2e.auth.conftest import Client, bearer, login, register
from tests.e2e.auth.test_bad_input_http import PATH_IDS, _assert_problem, _bodies

AppPair = tuple[Client, Container]

BODIES: dict[tuple[str, str], list[str]] = {
    ("POST", "/api/v1/orgs"): ["name"],
    ("POST", "/api/v1/invitations/accept"): ["token"],
}


async def test_org_bodies_answer_bad_input_with_a_4xx(app: AppPair) -> None:
    client, _ = app
    await register(client, "fuzz@example.com")
    headers = bearer(await login(client, "fuzz@example.com"))
    for (method, path), fields in BODIES.items():
        for body in _bodies(fields):
            response = await client.request(method, path, json=body, headers=headers)
            _assert_problem(response, (method, path, body))


@pytest.mark.parametrize("raw", PATH_IDS)
async def test_hostile_org_and_member_ids_answer_with_a_4xx(app: AppPair, raw: str) -> None:
    client, _ = app
    await register(client, "paths@example.com")
    headers = bearer(await login(client, "paths@example.com"))
    for method, path, body in (
        ("GET", f"/api/v1/orgs/{raw}/members", None),
        ("POST", f"/api/v1/orgs/{raw}/invitations", {"email": "a@example.com", "role": "member"}),
        ("PATCH", f"/api/v1/orgs/{raw}/members/{raw}", {"role": "member"}),
        ("DELETE", f"/api/v1/orgs/{raw}/members/{raw}", None),
    ):
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code >= 400, (method, path)
        _assert_problem(response, (method, path))
