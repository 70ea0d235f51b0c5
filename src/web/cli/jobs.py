"""`bulkhead jobs list|retry`: look at the queue and put dead letters back."""

from __future__ import annotations

import asyncio
from typing import get_args

import rich_click as click

from core.ports.jobs import Job, JobState
from core.settings import Settings
from web.cli._settings import cli_settings, ensure_database_reachable
from web.features import build_app_container

__all__ = ["jobs_group"]

_ERROR_WIDTH = 60


@click.group(name="jobs")
def jobs_group() -> None:
    """Durable jobs: list them, retry dead letters."""


@jobs_group.command(name="list")
@click.option(
    "--state", type=click.Choice(get_args(JobState)), default=None, help="Only this state."
)
@click.option("--owner", default=None, help="Only jobs of this owner (user id).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
def list_command(state: JobState | None, owner: str | None, limit: int) -> None:
    """Newest jobs first (`dead` are the dead letters)."""
    settings = _settings()

    async def fetch() -> list[Job]:
        container = build_app_container(settings)
        try:
            return await container.jobs.list(state=state, owner_id=owner, limit=limit)
        finally:
            await container.aclose()

    jobs = asyncio.run(fetch())
    if not jobs:
        click.echo("no jobs")
        return
    click.echo(f"{'ID':32}  {'NAME':24}  {'STATE':8}  {'TRIES':5}  {'RUN AT':25}  LAST ERROR")
    for job in jobs:
        error = (job.last_error or "").replace("\n", " ")[:_ERROR_WIDTH]
        tries = f"{job.attempts}/{job.max_attempts}"
        click.echo(
            f"{job.id:32}  {job.name[:24]:24}  {job.state:8}  {tries:5}  "
            f"{job.run_at.isoformat(timespec='seconds'):25}  {error}"
        )


@jobs_group.command(name="retry")
@click.argument("job_id")
def retry_command(job_id: str) -> None:
    """Put dead letter JOB_ID back to pending with fresh attempts."""
    settings = _settings()

    async def retry() -> bool:
        container = build_app_container(settings)
        try:
            return await container.jobs.retry_dead(job_id)
        finally:
            await container.aclose()

    if not asyncio.run(retry()):
        raise click.ClickException(
            f"job {job_id} is not a dead letter (or a live job now holds its dedup key)"
        )
    click.echo(f"job {job_id} is pending again")


def _settings() -> Settings:
    settings = cli_settings()
    ensure_database_reachable(settings)
    return settings
