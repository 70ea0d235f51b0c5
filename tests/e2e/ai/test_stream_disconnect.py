"""A client that hangs up mid-stream: the provider stream is cancelled and what was used is paid."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import msgspec

from ai._tokens import estimate_prompt_tokens
from core.ports.llm import ChatMessage
from core.settings import Settings
from infra.llm import FakeBehaviour, FakeLLMProvider
from infra.llm.install import LLMAdapters
from tests.conftest import issue_access_token
from tests.e2e.ai._app import build_app
from tests.e2e.ai.conftest import PROMPT
from web.ai import llm_client
from web.features import build_app_container


async def test_a_disconnect_cancels_the_stream_and_settles_what_was_used(
    sqlite_env: dict[str, str], ai_settings: Callable[..., Settings]
) -> None:
    settings = ai_settings(sqlite_env)
    container = build_app_container(settings)
    gate = asyncio.Event()  # never opened: the model stalls after its first token

    async def stall(seconds: float) -> None:
        await gate.wait()

    provider = FakeLLMProvider(behaviour=FakeBehaviour(chunk_delay_seconds=1), sleep=stall)
    container.services.get(LLMAdapters).provider = provider
    app = build_app(settings, container)
    body = msgspec.json.encode({"feature": "chat", "prompt": PROMPT, "max_tokens": 40})
    token = issue_access_token(settings, "user-1")
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/ai/stream",
        "raw_path": b"/api/v1/ai/stream",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    hung_up = asyncio.Event()
    delivered = False
    chunks: list[bytes] = []
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await hung_up.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])
        elif message.get("body"):
            chunks.append(message["body"])
            if b"event: delta" in message["body"]:
                hung_up.set()

    try:
        await asyncio.wait_for(app(scope, receive, send), timeout=30)

        client = llm_client(container)
        deadline = time.monotonic() + 10
        while True:
            hourly = (await client.usage("user-1")).windows[0]
            if hourly.reserved_tokens == 0 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.01)
    finally:
        await container.aclose()

    prompt_estimate = estimate_prompt_tokens([ChatMessage(role="user", content=PROMPT)])
    assert statuses == [200]
    assert sum(chunk.count(b"event: delta") for chunk in chunks) == 1
    assert not any(b"event: done" in chunk for chunk in chunks)
    assert hourly.reserved_tokens == 0
    assert hourly.used_tokens == prompt_estimate + 1
    assert provider.calls == 1
