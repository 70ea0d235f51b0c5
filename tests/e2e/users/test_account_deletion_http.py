"""Deleting an account over HTTP when another feature has a say (the `AccountDeletionHook`)."""

from __future__ import annotations

from core.errors import ConflictError
from core.ports.unit_of_work import UnitOfWork
from infra.container import Container
from modules.users import AccountDeletionHook
from tests.e2e.auth.conftest import Client, bearer, login, register

AppPair = tuple[Client, Container]


class Refuses:
    async def before_delete(self, user_id: str, uow: UnitOfWork) -> dict[str, str]:
        raise ConflictError("Hand your things over first", slug="still-needed")


async def test_a_feature_refusing_the_deletion_is_a_problem_and_keeps_the_account(
    app: AppPair,
) -> None:
    client, container = app
    await register(client, "ivy@example.com")
    headers = bearer(await login(client, "ivy@example.com"))
    container.services.replace(AccountDeletionHook, Refuses())

    refused = await client.delete("/api/v1/users/me", headers=headers)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("/still-needed")
    assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 200
