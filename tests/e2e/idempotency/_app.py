"""A test-only app: the real app factory plus routes whose side effects can be counted.

Each mutating route adds one to the `effects` counter in the container's key-value store
(SQL or Redis), so a test sees exactly how many times a handler really ran, across
processes. Run as a module it serves the app with uvicorn:

    python -m tests.e2e.idempotency._app PORT   (settings from the environment)
"""

from __future__ import annotations

import asyncio
import sys

import msgspec
import uvicorn
from litestar import Controller, Litestar, Response, delete, get, post
from litestar.exceptions import HTTPException

from common.principal import Principal
from core.settings import Settings
from infra.container import Container
from web.app import create_app
from web.features import load_app_settings
from web.idempotency import REQUIRED_OPT

EFFECTS = "effects"
GATE = "gate"


class Order(msgspec.Struct, frozen=True):
    id: str
    effect: int
    item: str


class OrderCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    item: str


async def _effect(container: Container) -> int:
    return await container.kv.incr(EFFECTS)


class ProbeController(Controller):
    path = "/api/test"

    @post("/orders")
    async def create(self, data: OrderCreate, container: Container) -> Response[Order]:
        effect = await _effect(container)
        order = Order(id=f"order-{effect}", effect=effect, item=data.item)
        return Response(order, status_code=201, headers={"Location": f"/api/test/{order.id}"})

    @post("/gated")
    async def gated(self, container: Container) -> Order:
        """Runs until the test opens the gate, so repeats meet it in flight."""
        effect = await _effect(container)
        while await container.kv.get(GATE) is None:  # noqa: ASYNC110 - the gate is in the store
            await asyncio.sleep(0.01)
        return Order(id=f"order-{effect}", effect=effect, item="gated")

    @post("/gate", status_code=204)
    async def open_gate(self, container: Container) -> None:
        await container.kv.set(GATE, "open")

    @post("/fail", status_code=200)
    async def fail(self, container: Container) -> None:
        await _effect(container)
        raise RuntimeError("the handler crashed")

    @post("/unavailable", status_code=200)
    async def unavailable(self, container: Container) -> None:
        await _effect(container)
        raise HTTPException(status_code=503, detail="try later")

    @post("/throttled", status_code=200)
    async def throttled(self, container: Container) -> Response[dict[str, str]]:
        await _effect(container)
        return Response({"status": "slow down"}, status_code=429, headers={"Retry-After": "3"})

    @post("/mine")
    async def mine(self, principal: Principal, container: Container) -> dict[str, object]:
        return {"user_id": principal.user_id, "effect": await _effect(container)}

    @post("/strict", opt={REQUIRED_OPT: True})
    async def strict(self, container: Container) -> dict[str, int]:
        return {"effect": await _effect(container)}

    @delete("/orders/{order_id:str}")
    async def remove(self, order_id: str, container: Container) -> None:
        await _effect(container)

    @get("/orders")
    async def read(self, container: Container) -> dict[str, int]:
        return {"effects": int(await container.kv.get(EFFECTS) or 0)}


class WebhookProbeController(Controller):
    path = "/webhooks/test"

    @post("/")
    async def receive(self, container: Container) -> dict[str, int]:
        return {"effect": await _effect(container)}


def build_app(settings: Settings, container: Container | None = None) -> Litestar:
    return create_app(
        settings, container=container, route_handlers=[ProbeController, WebhookProbeController]
    )


if __name__ == "__main__":
    uvicorn.run(
        build_app(load_app_settings(env_file=None)),
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_config=None,
        access_log=False,
    )
