"""`bulkhead run`: serve the API (zero-config: SQLite, migrated on start)."""

from __future__ import annotations

import rich_click as click
import uvicorn

from infra.db.engine import database_url_for
from infra.db.migrate import upgrade
from web.app import create_app
from web.cli._settings import (
    cli_settings,
    configuration_errors_as_usage,
    ensure_database_reachable,
)

__all__ = ["run_command"]


@click.command(name="run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to bind.")
@click.option(
    "--migrate/--no-migrate",
    default=True,
    show_default=True,
    help="Apply database migrations before serving.",
)
@click.option(
    "--no-worker",
    is_flag=True,
    default=False,
    help="Do not run the in-process job worker (it runs by default in dev).",
)
def run_command(host: str, port: int, migrate: bool, no_worker: bool) -> None:
    """Serve the HTTP API."""
    settings = cli_settings()
    ensure_database_reachable(settings)
    if migrate:
        upgrade(database_url_for(settings))
    with configuration_errors_as_usage():
        app = create_app(settings, run_worker=settings.app_env == "dev" and not no_worker)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
