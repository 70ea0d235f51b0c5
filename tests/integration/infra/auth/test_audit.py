"""The SQL audit log: events commit with the change they describe, or not at all."""

from __future__ import annotations

import pytest

from core.ports.audit import AuditEvent
from infra.auth import SqlAuditLog
from infra.db.engine import Database
from infra.db.unit_of_work import sql_unit_of_work
from tests.conftest import FakeClock


async def test_events_are_recorded_and_listed_newest_first(
    database: Database, clock: FakeClock
) -> None:
    log = SqlAuditLog(database)
    await log.record(
        AuditEvent(
            event="login.failed",
            occurred_at=clock.now(),
            actor_id="u1",
            ip="203.0.113.5",
            request_id="r1",
            user_agent="x" * 600,
            detail={"failures": "3"},
        )
    )
    clock.advance(1)
    await log.record(AuditEvent(event="login.succeeded", occurred_at=clock.now(), actor_id="u1"))
    await log.record(AuditEvent(event="other", occurred_at=clock.now(), actor_id="u2"))
    events = await log.events_for("u1")
    assert [event.event for event in events] == ["login.succeeded", "login.failed"]
    failed = events[1]
    assert (failed.ip, failed.request_id, failed.detail) == ("203.0.113.5", "r1", {"failures": "3"})
    assert failed.user_agent == "x" * 512


async def test_an_event_in_a_rolled_back_unit_of_work_is_not_kept(
    database: Database, clock: FakeClock
) -> None:
    log = SqlAuditLog(database)

    async def failing_change() -> None:
        async with sql_unit_of_work(database) as uow:
            await log.record(
                AuditEvent(event="mfa.enabled", occurred_at=clock.now(), actor_id="u3"), uow
            )
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        await failing_change()
    assert await log.events_for("u3") == []
