"""`bulkhead users create-admin`: the first administrator, from the command line."""

from __future__ import annotations

import asyncio

import rich_click as click

from common.users import User
from core.errors import BulkheadError
from infra.db.engine import database_url_for
from infra.db.migrate import upgrade
from modules.auth import create_admin
from web.auth.dependencies import auth_deps
from web.cli._settings import cli_settings, ensure_database_reachable
from web.features import build_app_container

__all__ = ["users_group"]


@click.group(name="users")
def users_group() -> None:
    """User accounts."""


@users_group.command(name="create-admin")
@click.option("--email", required=True, help="The administrator's email address.")
@click.option("--name", default=None, help="Display name.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when omitted (at least 12 characters, not a common password).",
)
@click.option(
    "--promote",
    is_flag=True,
    default=False,
    help="If the account exists, make it an administrator (its password is kept).",
)
def create_admin_command(email: str, name: str | None, password: str, promote: bool) -> None:
    """Create a verified administrator account (the database is migrated first)."""
    settings = cli_settings()
    ensure_database_reachable(settings)
    upgrade(database_url_for(settings))

    async def run() -> User:
        container = build_app_container(settings)
        try:
            user = await create_admin(
                auth_deps(container), email=email, password=password, name=name, promote=promote
            )
        finally:
            await container.aclose()
        return user

    try:
        user = asyncio.run(run())
    except BulkheadError as exc:
        reasons = "; ".join(f"{error.field} {error.message}" for error in exc.errors)
        raise click.ClickException(f"{exc.slug}: {reasons or exc.detail}") from exc
    click.echo(f"administrator {user.email} ready (id {user.id})")
