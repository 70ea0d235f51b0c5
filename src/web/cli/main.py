"""Entry point of the `bulkhead` console script."""

from __future__ import annotations

import importlib

import rich_click as click
from litestar.cli._utils import LitestarGroup
from litestar.cli.commands.core import routes_command
from litestar.cli.commands.schema import schema_group

from core.project import PROJECT_NAME
from web.cli._settings import load_app_env
from web.cli.db import db_group
from web.cli.jobs import jobs_group
from web.cli.new_module import new_group
from web.cli.run import run_command
from web.cli.worker import worker_command
from web.features import FEATURES

__all__ = ["APP_PATH", "bulkhead", "main"]

APP_PATH = "web.app:create_app"


@click.group(
    cls=LitestarGroup,
    help=f"{PROJECT_NAME}: the API, its worker and its maintenance commands.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.pass_context
def bulkhead(ctx: click.Context) -> None:
    if ctx.obj is None:
        ctx.obj = lambda: load_app_env(APP_PATH)


bulkhead.add_command(run_command)
bulkhead.add_command(db_group)
bulkhead.add_command(new_group)
bulkhead.add_command(routes_command)
bulkhead.add_command(schema_group)
bulkhead.add_command(worker_command)
bulkhead.add_command(jobs_group)
for feature in FEATURES:
    for reference in feature.commands:
        module, attribute = reference.split(":")
        bulkhead.add_command(getattr(importlib.import_module(module), attribute))


def main() -> None:
    bulkhead()
