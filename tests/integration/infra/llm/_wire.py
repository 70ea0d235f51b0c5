"""A local HTTP server that answers like a model provider, scripted per test (no network).

`WireServer` is a raw ASGI app served by uvicorn on a loopback port. Each request takes the
next scripted `Reply` (JSON, or server-sent events sent one by one) and is recorded, so a
test can check exactly what the adapter put on the wire.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    """JSON body (ignored when `events` is set)."""
    events: list[str] | None = None
    """Raw SSE blocks (`event: x\\ndata: {...}`), each sent as its own chunk."""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    """Never answer (the client's timeout must fire)."""
    stall_after: int | None = None
    """Send this many events, then go silent."""


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class WireServer:
    replies: list[Reply] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                await send({"type": f"{message['type']}.complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.requests.append(
            Recorded(
                method=scope["method"],
                path=scope["path"],
                headers={k.decode(): v.decode() for k, v in scope["headers"]},
                body=json.loads(raw) if raw else None,
            )
        )
        reply = self.replies.pop(0) if self.replies else Reply(body={})
        if reply.hang:
            await asyncio.Event().wait()
        headers = [(k.encode(), v.encode()) for k, v in reply.headers.items()]
        if reply.events is None:
            payload = (
                reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": reply.status,
                    "headers": [(b"content-type", b"application/json"), *headers],
                }
            )
            await send({"type": "http.response.body", "body": payload})
            return
        await send(
            {
                "type": "http.response.start",
                "status": reply.status,
                "headers": [(b"content-type", b"text/event-stream"), *headers],
            }
        )
        for sent, block in enumerate(reply.events):
            if reply.stall_after == sent:
                await asyncio.Event().wait()
            await send(
                {"type": "http.response.body", "body": (block + "\n\n").encode(), "more_body": True}
            )
        await send({"type": "http.response.body", "body": b""})


@asynccontextmanager
async def serve(app: WireServer) -> AsyncIterator[str]:
    """Serve `app` on a loopback port for the block; yields its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False)
    )
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        if task.done() or time.monotonic() > deadline:
            raise RuntimeError("the wire server did not start")
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True
        await task


def sse(data: Any, event: str | None = None) -> str:
    line = f"data: {data if isinstance(data, str) else json.dumps(data)}"
    return f"event: {event}\n{line}" if event else line
