"""Billing: plans at the payment provider, checkout and portal, and webhooks applied once."""

from modules.billing._events import SubscriptionObject
from modules.billing._models import (
    AccountRef,
    AccountType,
    Customer,
    Payment,
    PaymentRecord,
    PaymentStatus,
    ReviewItem,
    Subscription,
    SubscriptionChange,
)
from modules.billing._signature import (
    DEFAULT_TOLERANCE_SECONDS,
    InvalidSignatureError,
    sign_payload,
    verify_signature,
)
from modules.billing.catalog import PLAN_METADATA_KEY, PlanPrices, lookup_key_for
from modules.billing.ports import (
    BillingStore,
    CheckoutRequest,
    CheckoutSession,
    GatewaySubscription,
    OrgRoles,
    PaymentGateway,
    PlanPriceSpec,
    PlanSyncResult,
    UserEmails,
)
from modules.billing.receipts import ReceiptSender, receipt_message
from modules.billing.service import (
    BillingService,
    BillingUrls,
    SubscriptionView,
    current_subscription,
)
from modules.billing.webhooks import (
    HANDLED_EVENT_TYPES,
    StripeWebhookProcessor,
    WebhookResult,
    payment_event_id,
)

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "HANDLED_EVENT_TYPES",
    "PLAN_METADATA_KEY",
    "AccountRef",
    "AccountType",
    "BillingService",
    "BillingStore",
    "BillingUrls",
    "CheckoutRequest",
    "CheckoutSession",
    "Customer",
    "GatewaySubscription",
    "InvalidSignatureError",
    "OrgRoles",
    "Payment",
    "PaymentGateway",
    "PaymentRecord",
    "PaymentStatus",
    "PlanPriceSpec",
    "PlanPrices",
    "PlanSyncResult",
    "ReceiptSender",
    "ReviewItem",
    "StripeWebhookProcessor",
    "Subscription",
    "SubscriptionChange",
    "SubscriptionObject",
    "SubscriptionView",
    "UserEmails",
    "WebhookResult",
    "current_subscription",
    "lookup_key_for",
    "payment_event_id",
    "receipt_message",
    "sign_payload",
    "verify_signature",
]
