"""A process killed between reserve and settle: its hold lapses; it never stays spent."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

import pytest
from redis.asyncio import Redis

from ai import GatewayConfig
from ai._tokens import estimate_prompt_tokens
from common.ids import new_id
from core.ports.budget import BudgetStore
from infra.budget import RedisBudgetStore, SqlBudgetStore
from infra.db.engine import create_database
from policies.budgets import usage_windows
from tests.conftest import FakeClock
from tests.integration.ai._crashing_call import LIMITS, MAX_TOKENS, PROMPT

HOLD = GatewayConfig().deadline_seconds + GatewayConfig().hold_margin_seconds
WORST_CASE = estimate_prompt_tokens(PROMPT) + MAX_TOKENS


@pytest.fixture(params=["sqlite", "postgres", "redis"])
def backend(request: pytest.FixtureRequest) -> tuple[str, str, str]:
    if request.param == "redis":
        request.getfixturevalue("redis_client")
        return (
            "redis",
            request.getfixturevalue("redis_url"),
            request.getfixturevalue("redis_prefix"),
        )
    if request.param == "sqlite":
        return "sqlite", request.getfixturevalue("sqlite_url"), ""
    request.getfixturevalue("postgres_database")
    return "postgres", request.getfixturevalue("postgres_server").url, ""


async def crash_after_reserving(backend: tuple[str, str, str], user_id: str) -> datetime:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.ai._crashing_call",
        *backend,
        user_id,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
        return datetime.fromisoformat(line.decode().strip())
    finally:
        process.kill()
        await process.wait()


@pytest.mark.slow
async def test_a_hold_left_by_a_killed_process_lapses(backend: tuple[str, str, str]) -> None:
    user_id = new_id()
    reserved_at = await crash_after_reserving(backend, user_id)
    clock = FakeClock(start=reserved_at)
    adapter, url, prefix = backend
    closers: list[object] = []
    if adapter == "redis":
        client = Redis.from_url(url)
        closers.append(client)
        store: BudgetStore = RedisBudgetStore(client, clock, prefix)
    else:
        database = create_database(url)
        closers.append(database)
        store = SqlBudgetStore(database, clock)
    windows = [
        w.window for w in usage_windows(LIMITS, user_id=user_id, org_id=None, now=reserved_at)
    ]
    try:
        held = await store.usage(windows)
        assert [(u.used, u.reserved) for u in held] == [(0, WORST_CASE)] * 2

        clock.advance(HOLD + 1)

        lapsed = await store.usage(windows)
        assert [(u.used, u.reserved) for u in lapsed] == [(0, 0)] * 2
        assert await store.expire() == 1
        assert await store.reserve(new_id(), windows, LIMITS.user_hourly_tokens, hold_seconds=60)
    finally:
        for closer in closers:
            if isinstance(closer, Redis):
                await closer.aclose()
            else:
                await closer.dispose()  # type: ignore[attr-defined]
