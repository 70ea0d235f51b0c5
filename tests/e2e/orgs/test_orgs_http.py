"""Organisations over HTTP: roles, invitations, the last owner, and 404 for other orgs."""

from __future__ import annotations

import asyncio
from typing import Any

from infra.container import Container
from tests.conftest import FakeClock
from tests.e2e.auth.conftest import Client, bearer, login, mailed_token, register

AppPair = tuple[Client, Container]


async def _user(client: Client, email: str) -> tuple[dict[str, Any], dict[str, str]]:
    user = await register(client, email)
    return user, bearer(await login(client, email))


async def _org(client: Client, headers: dict[str, str], name: str = "Acme") -> dict[str, Any]:
    response = await client.post("/api/v1/orgs", json={"name": name}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _join(
    client: Client,
    container: Container,
    org_id: str,
    inviter: dict[str, str],
    invitee: dict[str, str],
    email: str,
    role: str,
) -> dict[str, Any]:
    invited = await client.post(
        f"/api/v1/orgs/{org_id}/invitations", json={"email": email, "role": role}, headers=inviter
    )
    assert invited.status_code == 201, invited.text
    token = mailed_token(container, email, "invited")
    accepted = await client.post(
        "/api/v1/invitations/accept", json={"token": token}, headers=invitee
    )
    assert accepted.status_code == 200, accepted.text
    body: dict[str, Any] = accepted.json()
    return body


async def test_create_list_and_members(app: AppPair) -> None:
    client, _ = app
    owner, headers = await _user(client, "ann@example.com")
    org = await _org(client, headers)
    assert (org["name"], org["role"]) == ("Acme", "owner")
    assert set(org) >= {"id", "name", "role"}
    listed = await client.get("/api/v1/orgs", headers=headers)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [org["id"]]
    members = await client.get(f"/api/v1/orgs/{org['id']}/members", headers=headers)
    assert members.status_code == 200
    (member,) = members.json()["items"]
    assert (member["user_id"], member["email"], member["role"]) == (
        owner["id"],
        "ann@example.com",
        "owner",
    )
    empty = await client.post("/api/v1/orgs", json={"name": "  "}, headers=headers)
    assert empty.status_code == 400


async def test_another_orgs_data_is_404(app: AppPair) -> None:
    client, _ = app
    _, ann = await _user(client, "ann@example.com")
    _, bob = await _user(client, "bob@example.com")
    org = await _org(client, ann)
    members = await client.get(f"/api/v1/orgs/{org['id']}/members", headers=bob)
    assert members.status_code == 404
    invite = await client.post(
        f"/api/v1/orgs/{org['id']}/invitations",
        json={"email": "bob@example.com", "role": "admin"},
        headers=bob,
    )
    assert invite.status_code == 404
    missing = await client.get("/api/v1/orgs/does-not-exist/members", headers=ann)
    assert missing.status_code == 404
    assert (await client.get("/api/v1/orgs", headers=bob)).json()["items"] == []


async def test_invitations_are_single_use_and_for_the_invited_address(
    app: AppPair, clock: FakeClock
) -> None:
    client, container = app
    _, ann = await _user(client, "ann@example.com")
    bob_user, bob = await _user(client, "bob@example.com")
    _, eve = await _user(client, "eve@example.com")
    org = await _org(client, ann)
    invited = await client.post(
        f"/api/v1/orgs/{org['id']}/invitations",
        json={"email": "Bob@Example.com", "role": "admin"},
        headers=ann,
    )
    assert invited.status_code == 201
    assert (invited.json()["email"], invited.json()["role"]) == ("bob@example.com", "admin")
    assert "token" not in invited.json()
    token = mailed_token(container, "bob@example.com", "invited")

    stolen = await client.post("/api/v1/invitations/accept", json={"token": token}, headers=eve)
    assert stolen.status_code == 403
    accepted = await client.post("/api/v1/invitations/accept", json={"token": token}, headers=bob)
    assert accepted.status_code == 200
    assert accepted.json()["org_id"] == org["id"]
    assert (accepted.json()["user_id"], accepted.json()["role"]) == (bob_user["id"], "admin")
    again = await client.post("/api/v1/invitations/accept", json={"token": token}, headers=bob)
    assert again.status_code == 400
    assert (await client.get("/api/v1/orgs", headers=bob)).json()["items"][0]["role"] == "admin"

    await client.post(
        f"/api/v1/orgs/{org['id']}/invitations",
        json={"email": "eve@example.com", "role": "member"},
        headers=ann,
    )
    late = mailed_token(container, "eve@example.com", "invited")
    clock.advance(7 * 24 * 3600 + 1)
    eve = bearer(await login(client, "eve@example.com"))
    expired = await client.post("/api/v1/invitations/accept", json={"token": late}, headers=eve)
    assert expired.status_code == 400


async def test_who_may_invite_whom(app: AppPair) -> None:
    client, container = app
    _, ann = await _user(client, "ann@example.com")
    _, bob = await _user(client, "bob@example.com")
    _, cat = await _user(client, "cat@example.com")
    org = await _org(client, ann)
    await _join(client, container, org["id"], ann, bob, "bob@example.com", "admin")
    await _join(client, container, org["id"], bob, cat, "cat@example.com", "member")

    def invite(headers: dict[str, str], role: str) -> Any:
        return client.post(
            f"/api/v1/orgs/{org['id']}/invitations",
            json={"email": "dan@example.com", "role": role},
            headers=headers,
        )

    assert (await invite(cat, "member")).status_code == 403
    assert (await invite(bob, "owner")).status_code == 403
    assert (await invite(ann, "owner")).status_code == 201
    bad_role = await invite(ann, "emperor")
    assert bad_role.status_code == 400


async def test_the_last_owner_can_neither_leave_nor_be_demoted(app: AppPair) -> None:
    client, container = app
    ann_user, ann = await _user(client, "ann@example.com")
    bob_user, bob = await _user(client, "bob@example.com")
    org = await _org(client, ann)
    await _join(client, container, org["id"], ann, bob, "bob@example.com", "member")
    base = f"/api/v1/orgs/{org['id']}/members"

    demote = await client.patch(f"{base}/{ann_user['id']}", json={"role": "admin"}, headers=ann)
    assert demote.status_code == 409
    assert demote.json()["type"].endswith("/last-owner")
    leave = await client.delete(f"{base}/{ann_user['id']}", headers=ann)
    assert leave.status_code == 409
    member_acts = await client.patch(
        f"{base}/{ann_user['id']}", json={"role": "member"}, headers=bob
    )
    assert member_acts.status_code == 403
    delete_account = await client.delete("/api/v1/users/me", headers=ann)
    assert delete_account.status_code == 409

    promoted = await client.patch(f"{base}/{bob_user['id']}", json={"role": "owner"}, headers=ann)
    assert promoted.status_code == 200
    assert promoted.json()["role"] == "owner"
    left = await client.delete(f"{base}/{ann_user['id']}", headers=ann)
    assert left.status_code == 204
    assert (await client.get(base, headers=ann)).status_code == 404
    roles = await client.get(base, headers=bob)
    assert [(m["user_id"], m["role"]) for m in roles.json()["items"]] == [(bob_user["id"], "owner")]
    unknown = await client.delete(f"{base}/{ann_user['id']}", headers=bob)
    assert unknown.status_code == 404


async def test_two_owners_demoting_each_other_at_once_leave_one_owner(app: AppPair) -> None:
    client, container = app
    ann_user, ann = await _user(client, "ann@example.com")
    bob_user, bob = await _user(client, "bob@example.com")
    org = await _org(client, ann)
    await _join(client, container, org["id"], ann, bob, "bob@example.com", "owner")
    base = f"/api/v1/orgs/{org['id']}/members"
    responses = await asyncio.gather(
        client.patch(f"{base}/{bob_user['id']}", json={"role": "member"}, headers=ann),
        client.patch(f"{base}/{ann_user['id']}", json={"role": "member"}, headers=bob),
    )
    assert sorted(r.status_code for r in responses) in ([200, 403], [200, 409])
    members = (await client.get(base, headers=ann)).json()["items"]
    assert [m["role"] for m in members].count("owner") == 1


async def test_deleting_a_sole_owner_with_an_empty_org_deletes_the_org(app: AppPair) -> None:
    client, _ = app
    _, ann = await _user(client, "ann@example.com")
    await _org(client, ann)
    assert (await client.delete("/api/v1/users/me", headers=ann)).status_code == 204
