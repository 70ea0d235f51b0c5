"""`bulkhead worker`: run jobs until SIGTERM/SIGINT, then drain in-flight work and exit."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

import rich_click as click

from core.logging import configure_logging, get_logger
from core.settings import Settings
from web.cli._settings import cli_settings, ensure_database_reachable
from web.features import build_app_container, default_job_runtime

__all__ = ["worker_command"]

_log = get_logger(__name__)
_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@click.command(name="worker")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=None,
    help="Jobs run at once (default: JOB_CONCURRENCY).",
)
@click.option(
    "--drain-seconds",
    type=click.FloatRange(min=0),
    default=None,
    help="Grace for in-flight jobs on SIGTERM (default: JOB_DRAIN_SECONDS).",
)
def worker_command(concurrency: int | None, drain_seconds: float | None) -> None:
    """Run the job worker (lease length from JOB_LEASE_SECONDS)."""
    settings = cli_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    ensure_database_reachable(settings)
    asyncio.run(serve(settings, concurrency=concurrency, drain_seconds=drain_seconds))


async def serve(
    settings: Settings, *, concurrency: int | None = None, drain_seconds: float | None = None
) -> None:
    container = build_app_container(settings)
    try:
        worker = default_job_runtime(container).worker(
            concurrency=concurrency, drain_seconds=drain_seconds
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in _SIGNALS:
            loop.add_signal_handler(signum, _stopper(stop, signum))
        try:
            await worker.run(stop)
        finally:
            for signum in _SIGNALS:
                loop.remove_signal_handler(signum)
    finally:
        await container.aclose()


def _stopper(stop: asyncio.Event, signum: signal.Signals) -> Callable[[], None]:
    def request_stop() -> None:
        _log.info("worker.signal", signal=signum.name)
        stop.set()

    return request_stop
