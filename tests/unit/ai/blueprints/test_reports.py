"""The report.generate blueprint: steps under a job budget that fails the job when spent."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from ai import JobBudgetExceededError
from ai.blueprints.reports import ReportRequest, _headings, job_budget_for, report_job_handler
from background.jobs import NonRetryableError
from background.jobs.registry import JobContext
from tests.unit.ai.conftest import Rig


def context(rig: Rig, job_id: str, owner_id: str | None = "u1") -> JobContext:
    return JobContext(
        job_id=job_id,
        name="report.generate",
        attempt=1,
        max_attempts=3,
        owner_id=owner_id,
        created_at=rig.clock.now(),
    )


async def test_a_report_is_an_outline_then_one_call_per_section(rig: Rig) -> None:
    handler = report_job_handler(rig.client)

    report = await handler(ReportRequest(topic="Quarterly churn", sections=2), context(rig, "j1"))

    assert len(report.sections) == 2
    assert all(section.heading and section.body for section in report.sections)
    assert rig.provider.calls == 3
    assert {r.feature for r in rig.ledger.records} == {"report.generate"}
    assert {(r.job_id, r.user_id) for r in rig.ledger.records} == {("j1", "u1")}
    assert report.usage.total_tokens == sum(
        r.input_tokens + r.output_tokens for r in rig.ledger.records
    )
    assert report.cost_micro_usd == sum(r.cost_micro_usd for r in rig.ledger.records)
    encoded = msgspec.json.decode(msgspec.json.encode(report))
    assert set(encoded) == {"topic", "sections", "usage", "cost_micro_usd"}


async def test_a_report_that_would_overspend_its_job_budget_fails_for_good(rig: Rig) -> None:
    handler = report_job_handler(rig.client)
    request = ReportRequest(topic="Churn", sections=8, budget_tokens=700)

    with pytest.raises(NonRetryableError, match=r"^budget_exceeded: ") as stopped:
        await handler(request, context(rig, "j2"))

    assert isinstance(stopped.value.__cause__, JobBudgetExceededError)
    charged = sum(r.charged_tokens for r in rig.ledger.records)
    assert 0 < charged <= 700
    assert rig.provider.calls < 9


async def test_a_report_without_an_owner_cannot_be_billed(rig: Rig) -> None:
    with pytest.raises(NonRetryableError):
        await report_job_handler(rig.client)(ReportRequest(topic="x"), context(rig, "j", None))
    assert rig.provider.calls == 0


def test_the_job_budget_is_fixed_by_the_job(rig: Rig) -> None:
    request = ReportRequest(topic="x", budget_tokens=1234)
    budget = job_budget_for("job-3", request, rig.clock.now())

    assert budget.limit_tokens == 1234
    assert budget.expires_at == rig.clock.now() + timedelta(days=1)


@pytest.mark.parametrize(
    "payload",
    [b"not json", b'{"topic": ""}', b'{"topic": "x", "sections": 99}', b'{"topic": "x", "y": 1}'],
)
def test_a_bad_payload_is_refused(payload: bytes) -> None:
    with pytest.raises(msgspec.DecodeError):
        msgspec.json.decode(payload, type=ReportRequest)


def test_headings_come_from_lines_or_are_cut_from_the_words() -> None:
    assert _headings("1. Intro\n2. Numbers\n- Outlook", 3) == ["Intro", "Numbers", "Outlook"]
    assert _headings("alpha beta gamma delta", 2) == ["Alpha beta", "Gamma delta"]
    assert _headings("", 2) == ["Section", "Section 2"]
