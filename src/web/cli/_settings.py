"""Settings for CLI commands: a bad value is a clear message and a non-zero exit, not a trace."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import rich_click as click
from litestar.cli._utils import LitestarEnv

from core.errors import ConfigurationError
from core.settings import Settings
from infra.db.engine import create_database, database_url_for

__all__ = [
    "cli_settings",
    "configuration_errors_as_usage",
    "ensure_database_reachable",
    "load_app_env",
]


@contextmanager
def configuration_errors_as_usage() -> Iterator[None]:
    """Turn a `ConfigurationError` (it names the variable) into a one-line CLI error."""
    try:
        yield
    except ConfigurationError as exc:
        raise click.UsageError(f"invalid configuration: {exc.detail}") from exc


def cli_settings() -> Settings:
    with configuration_errors_as_usage():
        from web.features import load_app_settings

        return load_app_settings()


def load_app_env(app_path: str) -> LitestarEnv:
    """Litestar's own commands (`routes`, `schema`) build the app; bad settings fail cleanly."""
    with configuration_errors_as_usage():
        return LitestarEnv.from_env(app_path)


def ensure_database_reachable(settings: Settings) -> None:
    async def ping() -> None:
        database = create_database(database_url_for(settings))
        try:
            await asyncio.wait_for(database.ping(), timeout=10)
        finally:
            await database.dispose()

    try:
        asyncio.run(ping())
    except Exception as exc:
        variable = "DATABASE_URL" if settings.database_url else "DATA_DIR"
        raise click.ClickException(
            f"{variable}: cannot reach the database ({type(exc).__name__}: {exc})"
        ) from exc
