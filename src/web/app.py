"""The Litestar app factory: the HTTP face of the composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController

from core.logging import configure_logging
from core.settings import Settings
from infra.container import Container
from web.auth.principal import provide_principal
from web.features import (
    build_app_container,
    default_job_runtime,
    install_features,
    load_app_settings,
)
from web.idempotency import IdempotencyMiddleware
from web.jobs.in_process import in_process_worker
from web.problems import exception_handlers
from web.request_id import RequestIdMiddleware, echo_request_id
from web.routes import route_handlers as core_and_feature_routes

__all__ = ["create_app"]

API_VERSION = "1.0.0"


class MetricsController(PrometheusController):
    path = "/metrics"
    include_in_schema = False


def create_app(
    settings: Settings | None = None,
    *,
    container: Container | None = None,
    route_handlers: Sequence[Any] = (),
    run_worker: bool = False,
) -> Litestar:
    """Build the app; the container is built here unless one is given (tests pass fakes)."""
    settings = settings or (container.settings if container else load_app_settings())
    configure_logging(level=settings.log_level, json=settings.log_json)
    owns_container = container is None
    app_container = install_features(container) if container else build_app_container(settings)
    job_runtime = default_job_runtime(app_container)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.container = app_container
        app.state.job_runtime = job_runtime
        try:
            async with in_process_worker(job_runtime, enabled=run_worker):
                yield
        finally:
            if owns_container:
                await app_container.aclose()

    return Litestar(
        route_handlers=[*core_and_feature_routes(), MetricsController, *route_handlers],
        lifespan=[lifespan],
        state=State({"container": app_container, "job_runtime": job_runtime}),
        dependencies={
            "container": Provide(_container, sync_to_thread=False),
            "principal": Provide(provide_principal),
        },
        middleware=[
            RequestIdMiddleware(),
            PrometheusConfig(app_name="bulkhead", prefix="bulkhead", group_path=True).middleware,
            IdempotencyMiddleware(),
        ],
        exception_handlers=exception_handlers,
        before_send=[echo_request_id],
        logging_config=None,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title=settings.app_name,
            version=API_VERSION,
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        debug=False,
    )


def _container(state: State) -> Container:
    container: Container = state.container
    return container
