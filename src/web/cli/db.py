"""`bulkhead db upgrade|downgrade`: Alembic migrations against the configured database."""

from __future__ import annotations

import rich_click as click

from infra.db.engine import database_url_for
from infra.db.migrate import downgrade, upgrade
from web.cli._settings import cli_settings, ensure_database_reachable

__all__ = ["db_group"]


@click.group(name="db")
def db_group() -> None:
    """Database migrations (Alembic)."""


@db_group.command(name="upgrade")
@click.argument("revision", default="heads")
def upgrade_command(revision: str) -> None:
    """Apply migrations up to REVISION (default: heads, every feature branch)."""
    settings = cli_settings()
    ensure_database_reachable(settings)
    upgrade(database_url_for(settings), revision)
    click.echo(f"database upgraded to {revision}")


@db_group.command(name="downgrade")
@click.argument("revision", default="-1")
def downgrade_command(revision: str) -> None:
    """Revert migrations down to REVISION (default: one step)."""
    settings = cli_settings()
    ensure_database_reachable(settings)
    downgrade(database_url_for(settings), revision)
    click.echo(f"database downgraded to {revision}")
