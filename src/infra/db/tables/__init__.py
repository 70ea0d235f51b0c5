"""Every table, one file per feature; importing this package registers them all on `Base`."""

from infra.db.tables._base import Base, UtcDateTime
from infra.db.tables.auth import (
    AuditEventRow,
    OneTimeTokenRow,
    RecoveryCodeRow,
    RefreshFamilyRow,
    RefreshTokenRow,
    UserRow,
)
from infra.db.tables.billing import (
    BillingCustomer,
    BillingPayment,
    BillingSubscription,
    BillingWebhookReview,
)
from infra.db.tables.idempotency import IdempotencyKey
from infra.db.tables.jobs import JobRow
from infra.db.tables.kv import KvEntry
from infra.db.tables.llm import LlmBudgetHold, LlmBudgetReservation, LlmBudgetWindow, LlmUsageRow
from infra.db.tables.orgs import OrgInvitationRow, OrgMemberRow, OrgRow

__all__ = [
    "AuditEventRow",
    "Base",
    "BillingCustomer",
    "BillingPayment",
    "BillingSubscription",
    "BillingWebhookReview",
    "IdempotencyKey",
    "JobRow",
    "KvEntry",
    "LlmBudgetHold",
    "LlmBudgetReservation",
    "LlmBudgetWindow",
    "LlmUsageRow",
    "OneTimeTokenRow",
    "OrgInvitationRow",
    "OrgMemberRow",
    "OrgRow",
    "RecoveryCodeRow",
    "RefreshFamilyRow",
    "RefreshTokenRow",
    "UserRow",
    "UtcDateTime",
]
