"""`report.generate` over the Tasks API: 202 + poll, run under the job's own token budget."""

from __future__ import annotations

from tests.e2e.ai.conftest import AIHarness
from web.features import default_job_runtime


async def run_next_job(harness: AIHarness) -> None:
    runtime = default_job_runtime(harness.container)
    claim = await harness.container.jobs.claim_next("test-worker", 60)
    assert claim is not None
    await runtime.runner().run(claim)


async def test_a_report_is_a_task_run_under_a_job_budget(harness: AIHarness) -> None:
    accepted = await harness.client.post(
        "/api/v1/tasks",
        json={"kind": "report.generate", "payload": {"topic": "Churn", "sections": 2}},
        headers=harness.auth(),
    )
    assert accepted.status_code == 202, accepted.text
    poll_url = accepted.json()["poll_url"]

    await run_next_job(harness)

    task = (await harness.client.get(poll_url, headers=harness.auth())).json()
    assert task["status"] == "done", task
    assert [len(s["body"]) > 0 for s in task["result"]["sections"]] == [True, True]
    assert harness.provider.calls == 3


async def test_a_report_over_its_job_budget_fails_with_budget_exceeded(
    harness: AIHarness,
) -> None:
    payload = {"topic": "Churn", "sections": 8, "budget_tokens": 600}
    accepted = await harness.client.post(
        "/api/v1/tasks",
        json={"kind": "report.generate", "payload": payload},
        headers=harness.auth(),
    )

    await run_next_job(harness)

    task = (await harness.client.get(accepted.json()["poll_url"], headers=harness.auth())).json()
    assert task["status"] == "failed"
    assert task["attempts"] == 1
    assert "budget_exceeded" in task["error"]


async def test_a_bad_report_payload_is_400(harness: AIHarness) -> None:
    response = await harness.client.post(
        "/api/v1/tasks",
        json={"kind": "report.generate", "payload": {"topic": "", "sections": 99}},
        headers=harness.auth(),
    )
    assert response.status_code == 400
