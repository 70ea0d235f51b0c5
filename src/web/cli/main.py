"""Entry point of the `bulkhead` console script."""

from __future__ import annotations

import rich_click as click
from litestar.cli._utils import LitestarEnv, LitestarGroup
from litestar.cli.commands.core import routes_command
from litestar.cli.commands.schema import schema_group

from web.cli.db import db_group
from web.cli.run import run_command

__all__ = ["APP_PATH", "bulkhead", "main"]

APP_PATH = "web.app:create_app"


@click.group(cls=LitestarGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def bulkhead(ctx: click.Context) -> None:
    """Bulkhead: the API, its worker and its maintenance commands."""
    if ctx.obj is None:
        ctx.obj = lambda: LitestarEnv.from_env(APP_PATH)


bulkhead.add_command(run_command)
bulkhead.add_command(db_group)
bulkhead.add_command(routes_command)
bulkhead.add_command(schema_group)


def main() -> None:
    bulkhead()
