"""`/api/v1/ai`: complete, stream (SSE) and usage."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from ai import LLMStream
from common.principal import Principal
from core.errors import BulkheadError
from core.logging import get_logger
from core.ports.llm import ChatMessage
from infra.container import Container
from web.ai.dependencies import llm_client, require_org_member
from web.ai.schemas import CompletionCreate, CompletionOut, UsageOut
from web.problems import STATUS_BY_KIND

__all__ = ["AIController"]

_log = get_logger(__name__)


class StreamProblem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The `error` event's data: the problem+json the request would have failed with."""

    type: str
    title: str
    status: int
    detail: str
    retry_after: int | None = None


def _messages(data: CompletionCreate) -> list[ChatMessage]:
    messages = [ChatMessage(role="user", content=data.prompt)]
    if data.system:
        messages.insert(0, ChatMessage(role="system", content=data.system))
    return messages


def _problem(error: BulkheadError) -> StreamProblem:
    return StreamProblem(
        type=f"/problems/{error.slug}",
        title=error.title,
        status=STATUS_BY_KIND[error.kind],
        detail=error.detail,
        retry_after=error.retry_after,
    )


def _event(event: str, data: msgspec.Struct) -> ServerSentEventMessage:
    return ServerSentEventMessage(event=event, data=msgspec.json.encode(data).decode())


async def _events(stream: LLMStream) -> AsyncGenerator[ServerSentEventMessage, None]:
    """`delta` events, then `done` (usage and cost) or one `error` event (a problem)."""
    try:
        async for text in stream:
            yield ServerSentEventMessage(
                event="delta", data=msgspec.json.encode({"text": text}).decode()
            )
        if stream.result is not None:
            yield _event("done", CompletionOut.of(stream.result))
    except BulkheadError as error:
        yield _event("error", _problem(error))
    except Exception:
        _log.exception("ai.stream.failed")
        problem = StreamProblem(
            type="/problems/internal-error",
            title="Internal server error",
            status=500,
            detail="The stream failed unexpectedly",
        )
        yield _event("error", problem)
    finally:
        await stream.aclose()


class AIController(Controller):
    path = "/api/v1/ai"
    tags = ["ai"]

    @post("/complete", status_code=200, summary="One completion, paid from the caller's budget")
    async def complete(
        self, data: CompletionCreate, principal: Principal, container: Container
    ) -> CompletionOut:
        await require_org_member(container, principal.user_id, data.org_id)
        result = await llm_client(container).complete(
            user_id=principal.user_id,
            org_id=data.org_id,
            feature=data.feature,
            messages=_messages(data),
            max_tokens=data.max_tokens,
            model=data.model,
        )
        return CompletionOut.of(result)

    @post(
        "/stream",
        status_code=200,
        summary="A streamed completion (SSE): delta events, then done or error",
    )
    async def stream(
        self, data: CompletionCreate, principal: Principal, container: Container
    ) -> ServerSentEvent:
        await require_org_member(container, principal.user_id, data.org_id)
        stream = await llm_client(container).stream(
            user_id=principal.user_id,
            org_id=data.org_id,
            feature=data.feature,
            messages=_messages(data),
            max_tokens=data.max_tokens,
            model=data.model,
        )
        return ServerSentEvent(_events(stream))

    @get("/usage", summary="Budget windows and today's spend per feature")
    async def usage(
        self,
        principal: Principal,
        container: Container,
        org_id: Annotated[str | None, Parameter(query="org_id")] = None,
    ) -> UsageOut:
        await require_org_member(container, principal.user_id, org_id)
        report = await llm_client(container).usage(principal.user_id, org_id)
        return UsageOut.of(report)
