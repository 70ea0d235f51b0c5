"""The Tasks API end to end: 202, then poll while the in-process worker runs the job."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from core.settings import Settings
from tests.conftest import issue_access_token
from web.app import create_app

Client = AsyncTestClient[Litestar]


@pytest.fixture(params=["sqlite", "postgres"])
def database_env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "sqlite":
        return {"DATABASE_URL": request.getfixturevalue("sqlite_url")}
    request.getfixturevalue("postgres_database")
    return {"DATABASE_URL": request.getfixturevalue("postgres_server").url}


@pytest.fixture
async def served(
    make_settings: Callable[..., Settings], database_env: dict[str, str]
) -> AsyncIterator[tuple[Client, Settings]]:
    settings = make_settings(JOB_POLL_MS="20", JOB_BACKOFF_BASE_MS="50", **database_env)
    async with AsyncTestClient(create_app(settings, run_worker=True)) as client:
        yield client, settings


def _auth(settings: Settings, user_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_access_token(settings, user_id)}"}


async def _poll(client: Client, url: str, headers: dict[str, str], status: str) -> Any:
    deadline = time.monotonic() + 20
    while True:
        body = (await client.get(url, headers=headers)).json()
        if body["status"] == status:
            return body
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.05)


async def test_a_task_is_accepted_then_done_after_a_planned_retry(
    served: tuple[Client, Settings],
) -> None:
    client, settings = served
    alice = _auth(settings, "alice")
    response = await client.post(
        "/api/v1/tasks",
        json={"kind": "demo.sleep", "payload": {"seconds": 0.05, "fail_times": 1}},
        headers=alice,
    )
    assert response.status_code == 202
    accepted = response.json()
    assert accepted["status"] == "accepted"
    assert accepted["poll_url"] == f"/api/v1/tasks/{accepted['job_id']}"
    done = await _poll(client, accepted["poll_url"], alice, "done")
    assert done["job_id"] == accepted["job_id"]
    assert done["kind"] == "demo.sleep"
    assert done["attempts"] == 2
    assert done["result"] == {"slept_seconds": 0.05, "attempt": 2}
    assert done["error"] is None
    assert done["created_at"] <= done["updated_at"]


async def test_a_task_that_keeps_failing_ends_failed_with_its_error(
    served: tuple[Client, Settings],
) -> None:
    client, settings = served
    bob = _auth(settings, "bob")
    response = await client.post(
        "/api/v1/tasks",
        json={"kind": "demo.sleep", "payload": {"seconds": 0, "fail_times": 99}},
        headers=bob,
    )
    failed = await _poll(client, response.json()["poll_url"], bob, "failed")
    assert failed["attempts"] == 5
    assert failed["error"] == "DemoFailureError: planned failure 5 of 99"
    assert failed["result"] is None


async def test_bad_tasks_are_400_and_other_users_tasks_404(
    served: tuple[Client, Settings],
) -> None:
    client, settings = served
    alice, mallory = _auth(settings, "alice"), _auth(settings, "mallory")
    unknown = await client.post(
        "/api/v1/tasks", json={"kind": "rm.rf", "payload": {}}, headers=alice
    )
    assert unknown.status_code == 400
    assert unknown.json()["type"].endswith("/unknown-task-kind")
    invalid = await client.post(
        "/api/v1/tasks", json={"kind": "demo.sleep", "payload": {"seconds": -1}}, headers=alice
    )
    assert invalid.status_code == 400
    assert invalid.json()["errors"][0]["field"] == "payload"
    missing = await client.post("/api/v1/tasks", json={"kind": "demo.sleep"}, headers=alice)
    assert missing.status_code == 400
    internal = await client.post(
        "/api/v1/tasks", json={"kind": "email.send", "payload": {}}, headers=alice
    )
    assert internal.status_code == 400
    mine = await client.post(
        "/api/v1/tasks", json={"kind": "demo.sleep", "payload": {"seconds": 0}}, headers=alice
    )
    url = mine.json()["poll_url"]
    assert (await client.get(url, headers=mallory)).status_code == 404
    assert (await client.get("/api/v1/tasks/nope", headers=alice)).status_code == 404
    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers=alice)).status_code == 200


async def test_demo_sleep_is_not_offered_in_production(
    make_settings: Callable[..., Settings], postgres_server: Any
) -> None:
    settings = make_settings(
        APP_ENV="prod",
        JWT_SECRET="p" * 40,
        ARGON2_TIME_COST="2",
        DATABASE_URL=postgres_server.url,
    )
    async with AsyncTestClient(create_app(settings)) as client:
        response = await client.post(
            "/api/v1/tasks",
            json={"kind": "demo.sleep", "payload": {"seconds": 0}},
            headers=_auth(settings, "alice"),
        )
    assert response.status_code == 400


async def test_readiness_reports_the_job_store(served: tuple[Client, Settings]) -> None:
    client, _ = served
    body = (await client.get("/health/ready")).json()
    assert body["services"]["jobs"]["status"] == "ok"
    assert body["services"]["jobs"]["adapter"] in ("sqlite", "postgres")


async def test_the_openapi_document_describes_tasks(served: tuple[Client, Settings]) -> None:
    client, _ = served
    document = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/tasks" in document["paths"]
    assert "/api/v1/tasks/{job_id}" in document["paths"]
