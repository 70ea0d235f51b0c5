"""Liveness, readiness per service and adapter, metrics and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import PostgresServer
from tests.integration.web.conftest import closed_port
from web.features import FEATURES

FEATURE_PROBES = {"billing": "billing", "ai": "llm"}
"""The readiness probe each feature adds, by feature name."""
SERVICES = {"database", "cache", "jobs", "email"} | {
    probe for feature, probe in FEATURE_PROBES.items() if feature in {f.name for f in FEATURES}
}


async def _ready(app: Litestar) -> tuple[int, dict[str, Any]]:
    async with AsyncTestClient(app) as client:
        response = await client.get("/health/ready")
    return response.status_code, response.json()


async def test_live(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_with_zero_config(make_app: Callable[..., Litestar]) -> None:
    """No DATABASE_URL, REDIS_URL or mail settings: SQLite under DATA_DIR and the console."""
    status, body = await _ready(make_app())

    assert status == 200
    assert body["status"] == "ok"
    services = body["services"]
    assert set(services) == SERVICES
    assert {name: services[name]["adapter"] for name in ("database", "cache", "email")} == {
        "database": "sqlite",
        "cache": "sqlite",
        "email": "console",
    }
    for name in ("database", "cache", "email"):
        assert services[name]["status"] == "ok"
        assert services[name]["latency_ms"] >= 0
        assert services[name]["detail"] is None
    for health in services.values():
        assert health["status"] in {"ok", "disabled"}
        assert set(health) == {"status", "adapter", "latency_ms", "detail"}


async def test_ready_switches_to_postgres_and_redis(
    make_app: Callable[..., Litestar], postgres_server: PostgresServer, redis_url: str
) -> None:
    status, body = await _ready(make_app(DATABASE_URL=postgres_server.url, REDIS_URL=redis_url))

    assert status == 200
    services = body["services"]
    assert (services["database"]["adapter"], services["database"]["status"]) == ("postgres", "ok")
    assert (services["cache"]["adapter"], services["cache"]["status"]) == ("redis", "ok")


async def test_ready_is_503_down_when_the_database_is_unreachable(
    make_app: Callable[..., Litestar],
) -> None:
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/bulkhead"

    status, body = await _ready(make_app(DATABASE_URL=url))

    assert status == 503
    assert body["status"] == "down"
    database = body["services"]["database"]
    assert (database["status"], database["adapter"], database["latency_ms"]) == (
        "down",
        "postgres",
        None,
    )
    assert database["detail"]


async def test_ready_is_degraded_not_down_when_only_email_fails(
    make_app: Callable[..., Litestar],
) -> None:
    status, body = await _ready(make_app(SMTP_URL=f"smtp://127.0.0.1:{closed_port()}"))

    assert status == 200
    assert body["status"] == "degraded"
    assert (body["services"]["email"]["status"], body["services"]["email"]["adapter"]) == (
        "down",
        "smtp",
    )
    assert body["services"]["database"]["status"] == "ok"


async def test_metrics_are_prometheus_text(client: AsyncTestClient[Litestar]) -> None:
    await client.get("/health/live")

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE bulkhead_requests_total counter" in response.text
    assert 'path="/health/live"' in response.text


async def test_openapi_document_is_3_1(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/schema/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert {"/health/live", "/health/ready"} <= set(document["paths"])
    assert "/metrics" not in document["paths"]


async def test_schema_serves_an_interactive_ui(client: AsyncTestClient[Litestar]) -> None:
    for path, marker in (("/schema", "scalar"), ("/schema/swagger", "swagger-ui")):
        response = await client.get(path)

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert marker in response.text
