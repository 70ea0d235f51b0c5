"""The budget under fire: 200 concurrent calls, two processes, and a restart."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from core.settings import Settings
from tests.conftest import issue_access_token
from tests.e2e.ai.conftest import (
    JWT_SECRET,
    MAX_TOKENS,
    PROMPT,
    WORST_CASE,
    AIHarness,
    open_harness,
)

FITS = 10
BUDGET = FITS * WORST_CASE
CALLS = 200
BUDGET_ENV = {"LLM_BUDGET_USER_HOURLY_TOKENS": str(BUDGET)}


def assert_refusal(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["type"] == "/problems/budget-exceeded"
    assert 1 <= int(response.headers["Retry-After"]) <= 3600


async def hourly_window(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, int]:
    usage = await client.get("/api/v1/ai/usage", headers=headers)
    assert usage.status_code == 200
    hourly: dict[str, int] = usage.json()["windows"][0]
    assert (hourly["scope"], hourly["period"]) == ("user", "hour")
    return hourly


async def test_200_concurrent_calls_never_overspend(
    store_env: dict[str, str], ai_settings: Callable[..., Settings]
) -> None:
    async with open_harness(ai_settings(store_env, **BUDGET_ENV)) as harness:
        responses = await asyncio.gather(*(harness.complete() for _ in range(CALLS)))

        ok = [r for r in responses if r.status_code == 200]
        for refused in (r for r in responses if r.status_code != 200):
            assert_refusal(refused)
        charged = sum(
            r.json()["usage"]["input_tokens"] + r.json()["usage"]["output_tokens"] for r in ok
        )
        hourly = await hourly_window(harness.client, harness.auth())
        assert len(ok) == FITS
        assert harness.provider.calls == FITS
        assert hourly["used_tokens"] == charged <= BUDGET
        assert hourly["reserved_tokens"] == 0
        assert_refusal(await harness.complete())
        assert harness.provider.calls == FITS


async def test_spent_budget_is_still_spent_after_a_restart(
    store_env: dict[str, str], ai_settings: Callable[..., Settings]
) -> None:
    settings = ai_settings(store_env, **BUDGET_ENV)
    async with open_harness(settings) as before:
        for _ in range(FITS):
            assert (await before.complete()).status_code == 200
        spent = (await hourly_window(before.client, before.auth()))["used_tokens"]

    async with open_harness(settings) as after:
        assert_refusal(await after.complete())
        assert after.provider.calls == 0
        assert (await hourly_window(after.client, after.auth()))["used_tokens"] == spent > 0


async def start_server(
    env: dict[str, str],
) -> tuple[asyncio.subprocess.Process, httpx.AsyncClient]:
    """The app in its own OS process (`python -m tests.e2e.ai._app`), and a client for it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.e2e.ai._app",
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    port = int(await asyncio.wait_for(process.stdout.readline(), timeout=60))
    client = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        timeout=60.0,
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=50),
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            if (await client.get("/health/live")).status_code == 200:
                return process, client
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.05)


@asynccontextmanager
async def other_process(env: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    process, client = await start_server(env)
    try:
        yield client
    finally:
        await client.aclose()
        process.terminate()
        await process.wait()


@pytest.mark.slow
async def test_two_processes_share_one_budget(
    store_env: dict[str, str], ai_settings: Callable[..., Settings]
) -> None:
    """This test process serves the app, and so does a second OS process, on one store."""
    settings = ai_settings(store_env, **BUDGET_ENV)
    env = {k: v for k, v in store_env.items() if k != "STORE"}
    env.update(BUDGET_ENV, JWT_SECRET=JWT_SECRET, APP_ENV="test", LOG_LEVEL="WARNING")
    env["DATA_DIR"] = settings.data_dir
    headers = {"Authorization": f"Bearer {issue_access_token(settings, 'user-1')}"}
    body = {"feature": "chat", "prompt": PROMPT, "max_tokens": MAX_TOKENS}

    async with open_harness(settings) as here, other_process(env) as there:
        servers = (here.client, there)
        responses = await asyncio.gather(
            *(
                servers[i % 2].post("/api/v1/ai/complete", json=body, headers=headers)
                for i in range(CALLS)
            )
        )
        there_calls = (await there.get("/api/test/llm/calls")).json()["calls"]
        calls = (here.provider.calls, there_calls)
        hourly = await hourly_window(there, headers)

    ok = [r for r in responses if r.status_code == 200]
    for refused in (r for r in responses if r.status_code != 200):
        assert_refusal(refused)
    assert len(ok) == FITS
    assert sum(calls) == FITS
    assert hourly["used_tokens"] <= BUDGET
    assert hourly["reserved_tokens"] == 0


def test_the_worst_case_fits_exactly_ten() -> None:
    actual = WORST_CASE - 1  # the fake model's count (see conftest.PROMPT)
    assert FITS * actual + WORST_CASE > BUDGET >= FITS * WORST_CASE


async def test_the_harness_counts_provider_calls(
    sqlite_env: dict[str, str], ai_settings: Callable[..., Settings]
) -> None:
    async with open_harness(ai_settings(sqlite_env)) as harness:
        await harness.complete()
        calls = await harness.client.get("/api/test/llm/calls")

    assert calls.json() == {"calls": 1}
    assert isinstance(harness, AIHarness)
