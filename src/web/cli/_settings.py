"""Settings for CLI commands: a bad value is a clear message and a non-zero exit, not a trace."""

from __future__ import annotations

import asyncio

import rich_click as click

from core.errors import ConfigurationError
from core.settings import Settings, load_settings
from infra.db.engine import create_database, database_url_for

__all__ = ["cli_settings", "ensure_database_reachable"]


def cli_settings() -> Settings:
    try:
        return load_settings()
    except ConfigurationError as exc:
        raise click.UsageError(f"invalid configuration: {exc.detail}") from exc


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
