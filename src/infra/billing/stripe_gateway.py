"""The Stripe payment gateway: the official SDK's `StripeClient`, async, over httpx.

Every create carries an idempotency key, so an SDK retry (after a timeout or a 5xx, up to
`max_network_retries`, with Stripe's own backoff) can never create twice. `api_base` points
the SDK elsewhere (tests run it against a local server that plays Stripe's API).
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec
import stripe

from core.errors import ServiceUnavailableError, UnprocessableError
from core.logging import get_logger
from modules.billing import (
    PLAN_METADATA_KEY,
    AccountRef,
    CheckoutRequest,
    CheckoutSession,
    GatewaySubscription,
    PlanPriceSpec,
    PlanSyncResult,
    SubscriptionObject,
)

__all__ = ["StripePaymentGateway"]

_T = TypeVar("_T")
_log = get_logger(__name__)


class _Recurring(msgspec.Struct, frozen=True):
    interval: str | None = None


class _Price(msgspec.Struct, frozen=True):
    id: str
    unit_amount: int | None = None
    currency: str = "usd"
    recurring: _Recurring | None = None
    product: str | None = None
    active: bool = True


def _price_of(obj: stripe.Price) -> _Price:
    data = obj.to_dict()
    product = data.get("product")
    if isinstance(product, dict):
        data["product"] = product.get("id")
    return msgspec.convert(data, type=_Price, strict=False)


def _mismatch(spec: PlanPriceSpec, price: _Price) -> str | None:
    interval = price.recurring.interval if price.recurring else None
    if (price.unit_amount, price.currency, interval) == (
        spec.price_cents,
        spec.currency,
        spec.interval,
    ):
        return None
    return (
        f"provider has {price.unit_amount} {price.currency}/{interval}, "
        f"plan says {spec.price_cents} {spec.currency}/{spec.interval}"
    )


class StripePaymentGateway:
    adapter = "stripe"

    def __init__(
        self,
        api_key: str,
        *,
        api_base: str | None = None,
        timeout_seconds: float = 20.0,
        max_network_retries: int = 2,
    ) -> None:
        self._http = stripe.HTTPXClient(timeout=timeout_seconds)
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else {},
            max_network_retries=max_network_retries,
            http_client=self._http,
        )

    async def _call(self, operation: str, call: Awaitable[_T]) -> _T:
        try:
            return await call
        except stripe.InvalidRequestError as exc:
            _log.warning("billing.stripe.rejected", operation=operation, code=exc.code)
            raise UnprocessableError(
                f"The payment provider refused the request ({exc.code or 'invalid_request'})",
                slug="payment-provider-rejected",
            ) from exc
        except stripe.StripeError as exc:
            _log.error(
                "billing.stripe.unavailable",
                operation=operation,
                error_type=type(exc).__name__,
                status=exc.http_status,
            )
            raise ServiceUnavailableError(
                "The payment provider is unavailable; try again shortly",
                slug="payment-provider-unavailable",
                retry_after=5,
            ) from exc

    async def create_customer(self, account: AccountRef, email: str | None, key: str) -> str:
        params: dict[str, Any] = {
            "metadata": {"account_type": account.type, "account_id": account.id}
        }
        if email:
            params["email"] = email
        customer = await self._call(
            "customers.create",
            self._client.v1.customers.create_async(
                params=params,  # type: ignore[arg-type]  # built as a plain dict
                options={"idempotency_key": key},
            ),
        )
        return customer.id

    async def _price_by_lookup_key(self, lookup_key: str) -> _Price | None:
        found = await self._call(
            "prices.list",
            self._client.v1.prices.list_async(
                params={"lookup_keys": [lookup_key], "active": True, "limit": 1}
            ),
        )
        return _price_of(found.data[0]) if found.data else None

    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        price_id = request.price_id
        if price_id is None:
            price = await self._price_by_lookup_key(request.price_lookup_key)
            if price is None:
                raise UnprocessableError(
                    "This plan has no price at the provider yet: run `bulkhead billing "
                    "sync-plans` or set its STRIPE_PRICE_* setting",
                    slug="plan-not-available",
                )
            price_id = price.id
        metadata = {
            "account_type": request.account.type,
            "account_id": request.account.id,
            "plan": request.plan_id,
        }
        params: dict[str, Any] = {
            "mode": "subscription",
            "customer": request.customer_id,
            "client_reference_id": request.account.reference,
            "line_items": [{"price": price_id, "quantity": 1}],
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        session = await self._call(
            "checkout.sessions.create",
            self._client.v1.checkout.sessions.create_async(
                params=params,  # type: ignore[arg-type]  # built as a plain dict
                options={"idempotency_key": request.idempotency_key},
            ),
        )
        if not session.url:
            raise ServiceUnavailableError(
                "The payment provider returned no checkout URL",
                slug="payment-provider-unavailable",
            )
        return CheckoutSession(id=session.id, url=session.url)

    async def create_portal_session(self, customer_id: str, return_url: str) -> str:
        session = await self._call(
            "billing_portal.sessions.create",
            self._client.v1.billing_portal.sessions.create_async(
                params={"customer": customer_id, "return_url": return_url}
            ),
        )
        return session.url

    async def retrieve_subscription(self, subscription_id: str) -> GatewaySubscription | None:
        async def retrieve() -> stripe.Subscription | None:
            try:
                return await self._client.v1.subscriptions.retrieve_async(subscription_id)
            except stripe.InvalidRequestError as exc:
                if exc.http_status == 404:
                    return None
                raise

        found = await self._call("subscriptions.retrieve", retrieve())
        if found is None:
            return None
        data = found.to_dict()
        if isinstance(data.get("customer"), dict):
            data["customer"] = data["customer"].get("id")
        subscription = msgspec.convert(data, type=SubscriptionObject, strict=False)
        period_end = subscription.period_end
        return GatewaySubscription(
            id=subscription.id,
            customer_id=subscription.customer,
            status=subscription.status,
            price_id=subscription.price.id if subscription.price else None,
            current_period_end=datetime.fromtimestamp(period_end, UTC) if period_end else None,
            cancel_at_period_end=subscription.cancel_at_period_end,
        )

    async def update_customer_email(self, customer_id: str, email: str, key: str) -> None:
        await self._call(
            "customers.update",
            self._client.v1.customers.update_async(
                customer_id, params={"email": email}, options={"idempotency_key": key}
            ),
        )

    async def sync_plans(self, plans: Sequence[PlanPriceSpec]) -> list[PlanSyncResult]:
        return [await self._sync_plan(spec) for spec in plans]

    async def _sync_plan(self, spec: PlanPriceSpec) -> PlanSyncResult:
        if spec.price_id:
            price = _price_of(
                await self._call(
                    "prices.retrieve", self._client.v1.prices.retrieve_async(spec.price_id)
                )
            )
        else:
            found = await self._price_by_lookup_key(spec.lookup_key)
            if found is None:
                return await self._create_price(spec)
            price = found
        problem = _mismatch(spec, price)
        return PlanSyncResult(
            plan_id=spec.plan_id,
            price_id=price.id,
            product_id=price.product,
            action="mismatch" if problem else "exists",
            detail=problem,
        )

    async def _create_price(self, spec: PlanPriceSpec) -> PlanSyncResult:
        metadata = {PLAN_METADATA_KEY: spec.plan_id}
        params: dict[str, Any] = {
            "unit_amount": spec.price_cents,
            "currency": spec.currency,
            "recurring": {"interval": spec.interval},
            "lookup_key": spec.lookup_key,
            "metadata": metadata,
            "product_data": {"name": spec.name, "metadata": metadata},
        }
        key = f"sync-plans:{spec.lookup_key}:{spec.price_cents}:{spec.currency}"
        created = _price_of(
            await self._call(
                "prices.create",
                self._client.v1.prices.create_async(
                    params=params,  # type: ignore[arg-type]  # built as a plain dict
                    options={"idempotency_key": key},
                ),
            )
        )
        return PlanSyncResult(
            plan_id=spec.plan_id, price_id=created.id, product_id=created.product, action="created"
        )

    async def ping(self) -> None:
        await self._call("balance.retrieve", self._client.v1.balance.retrieve_async())

    async def aclose(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]  # untyped in the SDK
