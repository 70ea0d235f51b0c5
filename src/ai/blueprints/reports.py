"""Blueprint: the AI Report Generator, run as the `report.generate` job (202 + poll).

An outline call, then one call per section, all under the job's own token budget: the budget
is checked between steps and enforced by the gateway on each call, so a report that would
overspend stops with `JobBudgetExceededError` (the job fails for good: `budget_exceeded`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated

import msgspec

from ai.errors import BudgetExceededError, JobBudgetExceededError
from ai.gateway import LLMClient
from ai.types import JobBudget
from background.jobs import NonRetryableError
from background.jobs.registry import JobContext
from core.ports.llm import ChatMessage, LLMUsage

__all__ = [
    "DEFAULT_JOB_BUDGET_TOKENS",
    "FEATURE",
    "TASK_KIND",
    "Report",
    "ReportRequest",
    "ReportSection",
    "generate_report",
    "job_budget_for",
    "report_job_handler",
]

TASK_KIND = "report.generate"
FEATURE = "report.generate"
DEFAULT_JOB_BUDGET_TOKENS = 20_000
_JOB_BUDGET_LIFETIME = timedelta(days=1)
_OUTLINE_TOKENS = 200


class ReportRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The `report.generate` task payload."""

    topic: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    sections: Annotated[int, msgspec.Meta(ge=1, le=8)] = 3
    words_per_section: Annotated[int, msgspec.Meta(ge=20, le=800)] = 150
    org_id: str | None = None
    budget_tokens: Annotated[int, msgspec.Meta(ge=1, le=200_000)] = DEFAULT_JOB_BUDGET_TOKENS
    """The job's cap: the report stops (and the job fails) rather than spend more."""


class ReportSection(msgspec.Struct, frozen=True, kw_only=True):
    heading: str
    body: str


class Report(msgspec.Struct, frozen=True, kw_only=True):
    topic: str
    sections: list[ReportSection]
    usage: LLMUsage
    cost_micro_usd: int


def job_budget_for(job_id: str, request: ReportRequest, created_at: datetime) -> JobBudget:
    """The job's cap, fixed from its payload and creation time (the same on every attempt)."""
    return JobBudget(
        job_id=job_id,
        limit_tokens=request.budget_tokens,
        expires_at=created_at + _JOB_BUDGET_LIFETIME,
    )


def _headings(outline: str, count: int) -> list[str]:
    lines = [line.strip(" -*#\t0123456789.)") for line in outline.splitlines()]
    headings = [line for line in lines if line][:count]
    if len(headings) == count:
        return headings
    words = outline.split() or ["Section"]
    size = max(1, len(words) // count)
    return [
        " ".join(words[i * size : (i + 1) * size]).capitalize() or f"Section {i + 1}"
        for i in range(count)
    ]


async def generate_report(
    client: LLMClient, request: ReportRequest, *, user_id: str, job: JobBudget
) -> Report:
    input_tokens = output_tokens = cost = 0

    async def step(prompt: str, max_tokens: int) -> str:
        nonlocal input_tokens, output_tokens, cost
        await client.check_job_budget(job)
        result = await client.complete(
            user_id=user_id,
            org_id=request.org_id,
            feature=FEATURE,
            messages=[
                ChatMessage(role="system", content="You write concise business reports."),
                ChatMessage(role="user", content=prompt),
            ],
            max_tokens=max_tokens,
            job=job,
        )
        input_tokens += result.usage.input_tokens
        output_tokens += result.usage.output_tokens
        cost += result.cost_micro_usd
        return result.text

    outline = await step(
        f"List exactly {request.sections} section headings, one per line, for a report on: "
        f"{request.topic}",
        _OUTLINE_TOKENS,
    )
    sections = []
    for heading in _headings(outline, request.sections):
        body = await step(
            f"Write the section '{heading}' of a report on {request.topic}, "
            f"in at most {request.words_per_section} words.",
            request.words_per_section * 2,
        )
        sections.append(ReportSection(heading=heading, body=body))
    return Report(
        topic=request.topic,
        sections=sections,
        usage=LLMUsage(input_tokens=input_tokens, output_tokens=output_tokens),
        cost_micro_usd=cost,
    )


def report_job_handler(
    client: LLMClient,
) -> Callable[[ReportRequest, JobContext], Awaitable[Report]]:
    """The `report.generate` handler: the job's owner pays, under the job's own cap.

    Running out of budget fails the job for good (reason `budget_exceeded`): retrying cannot
    help before a human raises the cap or the window resets (`bulkhead jobs retry` then).
    """

    async def generate(request: ReportRequest, context: JobContext) -> Report:
        if context.owner_id is None:
            raise NonRetryableError("report.generate needs an owner to bill")
        job = job_budget_for(context.job_id, request, context.created_at)
        try:
            return await generate_report(client, request, user_id=context.owner_id, job=job)
        except BudgetExceededError as exc:
            raise NonRetryableError(f"{JobBudgetExceededError.reason}: {exc.detail}") from exc

    return generate
