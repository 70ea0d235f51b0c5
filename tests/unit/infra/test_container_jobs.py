from __future__ import annotations

from collections.abc import Callable

from core.settings import Settings
from infra.jobs import RedisJobStore, SqlJobStore
from web.features import build_app_container


async def test_jobs_use_redis_when_configured(make_settings: Callable[..., Settings]) -> None:
    container = build_app_container(make_settings(REDIS_URL="redis://127.0.0.1:6379/0"))
    try:
        assert isinstance(container.jobs, RedisJobStore)
        probe = container.probes["jobs"]
        assert probe is not None
        assert probe.adapter == "redis"
        assert "kv" not in container.purgers
    finally:
        await container.aclose()


async def test_jobs_fall_back_to_the_database(make_settings: Callable[..., Settings]) -> None:
    container = build_app_container(make_settings())
    try:
        assert isinstance(container.jobs, SqlJobStore)
        probe = container.probes["jobs"]
        assert probe is not None
        assert probe.adapter == "sqlite"
        assert {"kv", "idempotency"} <= set(container.purgers)
    finally:
        await container.aclose()
