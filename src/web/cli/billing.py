"""`bulkhead billing sync-plans`: make the provider's products and prices match the plans.

Creates a product and a monthly price (with lookup key `bulkhead_<plan>_<interval>` and
`bulkhead_plan` metadata) for each paid plan that has none, and checks configured or existing
prices against the plan. Safe to re-run: creates carry idempotency keys and found prices are
never duplicated. A price that disagrees with its plan is reported and the exit code is 1.
"""

from __future__ import annotations

import asyncio

import rich_click as click

from core.errors import BulkheadError
from core.settings import Settings
from infra.billing.install import BillingAdapters
from modules.billing import PlanPrices, PlanSyncResult
from web.cli._settings import cli_settings
from web.features import build_app_container

__all__ = ["billing_group"]


@click.group(name="billing")
def billing_group() -> None:
    """Billing: plans at the payment provider."""


async def _sync(settings: Settings) -> tuple[str, list[PlanSyncResult]]:
    container = build_app_container(settings)
    try:
        specs = PlanPrices.from_settings(settings).specs()
        payments = container.services.get(BillingAdapters).payments
        return payments.adapter, await payments.sync_plans(specs)
    finally:
        await container.aclose()


@billing_group.command(name="sync-plans")
def sync_plans_command() -> None:
    """Create or check the provider's products and prices for every paid plan."""
    settings = cli_settings()
    try:
        adapter, results = asyncio.run(_sync(settings))
    except BulkheadError as exc:
        raise click.ClickException(f"{exc.slug}: {exc.detail}") from exc
    click.echo(f"gateway: {adapter}")
    click.echo(f"{'PLAN':6}  {'ACTION':8}  {'PRICE':32}  {'PRODUCT':24}  DETAIL")
    for result in results:
        click.echo(
            f"{result.plan_id:6}  {result.action:8}  {result.price_id:32}  "
            f"{result.product_id or '-':24}  {result.detail or ''}"
        )
    configured = PlanPrices.from_settings(settings)
    unset = [r for r in results if configured.price_id(r.plan_id) is None]
    if adapter == "stripe" and unset:
        click.echo("optional: pin the prices in settings (found by lookup key otherwise):")
        for result in unset:
            click.echo(f"  STRIPE_PRICE_{result.plan_id.upper()}={result.price_id}")
    if any(result.action == "mismatch" for result in results):
        raise click.ClickException("some provider prices disagree with the plans (see DETAIL)")
