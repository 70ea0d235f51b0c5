from __future__ import annotations

import msgspec
import pytest

from background.jobs import JobContext, JobRegistry
from core.errors import InputError
from infra.jobs import MemoryJobStore
from tests.conftest import FakeClock


class Ping(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    count: int


async def ping(payload: Ping, context: JobContext) -> None:
    return None


def test_validate_task_accepts_only_task_kinds_and_their_schema() -> None:
    registry = JobRegistry()
    registry.register("ping", Ping, ping, task=True)
    registry.register("internal", Ping, ping)
    assert registry.task_kinds() == ["ping"]
    assert registry.names() == ["internal", "ping"]
    assert registry.validate_task("ping", b'{ "count" : 2 }') == b'{"count":2}'
    with pytest.raises(InputError) as unknown:
        registry.validate_task("internal", b'{"count": 2}')
    assert unknown.value.slug == "unknown-task-kind"
    with pytest.raises(InputError) as invalid:
        registry.validate_task("ping", b'{"count": "two"}')
    assert invalid.value.errors[0].field == "payload"
    with pytest.raises(InputError):
        registry.validate_task("ping", b'{"count": 1, "extra": true}')


def test_a_name_registers_once() -> None:
    registry = JobRegistry()
    registry.register("ping", Ping, ping)
    with pytest.raises(ValueError, match="already registered"):
        registry.register("ping", Ping, ping)


async def test_enqueue_encodes_and_uses_the_definitions_max_attempts(clock: FakeClock) -> None:
    registry = JobRegistry()
    registry.register("ping", Ping, ping, max_attempts=9)
    store = MemoryJobStore(clock)
    job = await registry.enqueue(store, "ping", Ping(count=3), owner_id="u")
    assert (job.payload, job.max_attempts, job.owner_id) == (b'{"count":3}', 9, "u")
    assert registry.max_attempts_for("ping") == 9
    assert registry.max_attempts_for("unknown") == 5
    with pytest.raises(KeyError):
        await registry.enqueue(store, "unknown", Ping(count=1))
    with pytest.raises(msgspec.ValidationError):
        await registry.enqueue(store, "ping", {"count": "x"})
