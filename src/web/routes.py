"""Every feature's route handlers, in one list the app factory mounts."""

from __future__ import annotations

from typing import Any

from web.ai import AIController
from web.auth import AuthController
from web.billing import BillingController, FakeCheckoutController, StripeWebhookController
from web.health import HealthController
from web.tasks import TasksController
from web.users import InvitationsController, OrgsController, UsersController

__all__ = ["ROUTE_HANDLERS"]

ROUTE_HANDLERS: list[Any] = [
    HealthController,
    BillingController,
    StripeWebhookController,
    FakeCheckoutController,
    AuthController,
    UsersController,
    OrgsController,
    InvitationsController,
    AIController,
    TasksController,
]
