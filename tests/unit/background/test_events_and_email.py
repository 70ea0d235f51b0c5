from __future__ import annotations

import random

import pytest

from background.events import EventBus
from background.jobs import JobContext, JobRegistry, RetryableJobRunner
from background.jobs.demo import DemoSleep, demo_sleep
from background.jobs.email import EMAIL_JOB, JobEmailOutbox, register_email_job
from common.events import PaymentReceived, UserRegistered, event_name
from core.ports.email import EmailDeliveryError, EmailMessage
from infra.email.console import ConsoleEmailSender
from infra.jobs import MemoryJobStore
from tests.conftest import FakeClock


class FailingSender:
    adapter = "fake"

    def __init__(self, *, retryable: bool) -> None:
        self.retryable = retryable

    async def send(self, message: EmailMessage) -> str:
        raise EmailDeliveryError("provider said no", retryable=self.retryable)

    async def ping(self) -> None:
        return None


async def test_published_events_run_every_subscriber_as_its_own_job(clock: FakeClock) -> None:
    store = MemoryJobStore(clock)
    registry = JobRegistry()
    bus = EventBus(store, registry)
    seen: list[tuple[str, str]] = []

    async def welcome(event: UserRegistered, context: JobContext) -> None:
        seen.append(("welcome", event.email))

    async def crm(event: UserRegistered, context: JobContext) -> None:
        seen.append(("crm", event.user_id))

    assert bus.subscribe(UserRegistered, "welcome", welcome) == "event.user.registered.welcome"
    bus.subscribe(UserRegistered, "crm", crm)
    event = UserRegistered(user_id="u1", email="a@b.c")
    await bus.publish(event)
    await bus.publish(event)  # the same occurrence again: deduplicated
    await bus.publish(PaymentReceived(payment_id="p", amount_cents=100, currency="usd"))
    assert len(await store.list()) == 2
    runner = RetryableJobRunner(store, registry)
    while (claim := await store.claim_next("w", 30)) is not None:
        assert await runner.run(claim) == "done"
    assert sorted(seen) == [("crm", "u1"), ("welcome", "a@b.c")]
    assert bus.subscribers(PaymentReceived) == []
    with pytest.raises(TypeError):
        await bus.publish(EmailMessage(to="x", subject="s", text="t"))
    assert event_name(UserRegistered) == "user.registered"


async def test_email_goes_out_through_a_job(clock: FakeClock) -> None:
    store = MemoryJobStore(clock)
    registry = JobRegistry()
    sender = ConsoleEmailSender("noreply@example.com")
    register_email_job(registry, sender)
    outbox = JobEmailOutbox(store, registry)
    job_id = await outbox.queue(EmailMessage(to="a@b.c", subject="Hi", text="Hello"))
    assert sender.outbox == type(sender.outbox)(maxlen=sender.outbox.maxlen)
    claim = await store.claim(job_id, "w", 30)
    assert claim is not None
    assert await RetryableJobRunner(store, registry).run(claim) == "done"
    assert [message.to for _, message in sender.outbox] == ["a@b.c"]
    job = await store.get(job_id)
    assert job is not None
    assert job.name == EMAIL_JOB
    assert job.result is not None


@pytest.mark.parametrize(("retryable", "outcome"), [(True, "retry"), (False, "dead")])
async def test_email_delivery_errors_retry_unless_permanent(
    clock: FakeClock, retryable: bool, outcome: str
) -> None:
    store = MemoryJobStore(clock)
    registry = JobRegistry()
    register_email_job(registry, FailingSender(retryable=retryable))
    job_id = await JobEmailOutbox(store, registry).queue(
        EmailMessage(to="a@b.c", subject="Hi", text="Hello")
    )
    claim = await store.claim(job_id, "w", 30)
    assert claim is not None
    runner = RetryableJobRunner(store, registry, rng=random.Random(1))
    assert await runner.run(claim) == outcome


async def test_demo_sleep_fails_the_planned_number_of_times(clock: FakeClock) -> None:
    context = JobContext("j", "demo.sleep", 1, 5, "u", clock.now())
    with pytest.raises(Exception, match="planned failure 1 of 2"):
        await demo_sleep(DemoSleep(seconds=0, fail_times=2), context)
    third = JobContext("j", "demo.sleep", 3, 5, "u", clock.now())
    result = await demo_sleep(DemoSleep(seconds=0, fail_times=2), third)
    assert (result.slept_seconds, result.attempt) == (0, 3)
