"""Job store port: durable jobs with leases, fencing tokens and dead letters.

The life of a job:

    enqueue ──► pending ──claim──► running ──complete──► done
                  ▲                  │
                  │   fail(retry) /  │ fail(no retry) / attempts spent
                  │   lease lapsed   ▼
                  └───────────────  dead ──retry_dead──► pending

A claim is atomic (one winner however many workers race) and hands out a fresh `token`.
Every later call about that run (`heartbeat`, `complete`, `fail`, `release`) must present the
token, so a worker whose lease lapsed and whose job was recovered and claimed again (a
"zombie") is fenced off: its late calls return False/None and change nothing.
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Literal, Protocol

import msgspec

from core.ports.unit_of_work import UnitOfWork

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "FINISHED_STATES",
    "JOB_STATES",
    "LIVE_STATES",
    "MAX_ERROR_LENGTH",
    "PRIORITY_MAX",
    "PRIORITY_MIN",
    "Claim",
    "Job",
    "JobState",
    "JobStore",
    "Recovered",
    "check_enqueue",
]

JobState = Literal["pending", "running", "done", "dead"]
"""`dead` is the dead-letter state: failed for good, kept, retryable with `retry_dead`."""

JOB_STATES: tuple[JobState, ...] = ("pending", "running", "done", "dead")
LIVE_STATES: tuple[JobState, ...] = ("pending", "running")
FINISHED_STATES: tuple[JobState, ...] = ("done", "dead")

PRIORITY_MIN = -100
PRIORITY_MAX = 100
DEFAULT_MAX_ATTEMPTS = 5
MAX_ERROR_LENGTH = 2000


class Job(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    """The handler's name (`email.send`); the Tasks API calls it the task's `kind`."""
    payload: bytes
    """JSON, decoded by the handler into its msgspec payload type."""
    state: JobState
    priority: int
    """Higher runs first among due jobs."""
    run_at: datetime
    attempts: int
    """How many times the job was claimed; kept when a lapsed lease is recovered."""
    max_attempts: int
    created_at: datetime
    updated_at: datetime
    dedup_key: str | None = None
    owner_id: str | None = None
    worker_id: str | None = None
    lease_expires_at: datetime | None = None
    last_error: str | None = None
    result: bytes | None = None


class Claim(msgspec.Struct, frozen=True, kw_only=True):
    """A running job and the fencing token that proves this worker holds its lease."""

    job: Job
    token: str

    @property
    def attempt(self) -> int:
        return self.job.attempts


class Recovered(msgspec.Struct, frozen=True, kw_only=True):
    """What `recover_expired` did: jobs put back to pending, and jobs dead-lettered."""

    requeued: tuple[str, ...] = ()
    dead: tuple[str, ...] = ()


def check_enqueue(name: str, priority: int, max_attempts: int) -> None:
    """Shared argument checks, so every adapter refuses the same inputs."""
    if not name:
        raise ValueError("a job needs a name")
    if not PRIORITY_MIN <= priority <= PRIORITY_MAX:
        raise ValueError(f"priority must be within [{PRIORITY_MIN}, {PRIORITY_MAX}]")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")


class JobStore(Protocol):
    @property
    def adapter(self) -> str:
        """`postgres`, `sqlite`, `redis` or `memory`."""
        ...

    async def enqueue(
        self,
        name: str,
        payload: bytes = b"null",
        *,
        run_at: datetime | None = None,
        priority: int = 0,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        dedup_key: str | None = None,
        owner_id: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> Job:
        """Persist a new pending job and return it.

        With `dedup_key`, while a job with that key is pending or running this is a no-op
        that returns the existing job. With `uow` on a SQL store of the same database the
        insert joins that transaction (transactional outbox); other stores ignore it, so
        call them after the commit.
        """
        ...

    async def claim_next(self, worker_id: str, lease_seconds: float) -> Claim | None:
        """Claim the due pending job of highest priority (then earliest `run_at`), if any."""
        ...

    async def claim(self, job_id: str, worker_id: str, lease_seconds: float) -> Claim | None:
        """Claim this job if it is pending and due; None when someone else won or it is not."""
        ...

    async def heartbeat(self, job_id: str, token: str, lease_seconds: float) -> bool:
        """Extend the lease to now + `lease_seconds`; False when the lease is no longer ours."""
        ...

    async def complete(self, job_id: str, token: str, result: bytes | None = None) -> bool:
        """Mark done (fenced by `token`); False when the lease was lost."""
        ...

    async def fail(
        self, job_id: str, token: str, error: str, *, retry_delay: float | None
    ) -> JobState | None:
        """Record a failed attempt (fenced by `token`).

        Back to pending after `retry_delay` seconds while attempts remain; dead when
        `retry_delay` is None or attempts are spent. Returns the new state, None when fenced.
        """
        ...

    async def release(self, job_id: str, token: str) -> bool:
        """Give a running job back unfinished (graceful shutdown): pending, attempt not counted."""
        ...

    async def recover_expired(self) -> Recovered:
        """Running jobs whose lease lapsed: pending (attempts kept), or dead when spent."""
        ...

    async def get(self, job_id: str) -> Job | None: ...

    async def list(
        self,
        *,
        state: JobState | None = None,
        owner_id: str | None = None,
        limit: int = 100,
    ) -> builtins.list[Job]:
        """Newest first."""
        ...

    async def retry_dead(self, job_id: str) -> bool:
        """A dead letter back to pending with fresh attempts; False when not dead (or when a
        live job now holds its dedup key)."""
        ...

    async def purge_finished(self, before: datetime) -> int:
        """Delete done jobs last updated before `before`; dead letters are kept."""
        ...

    async def ping(self) -> None: ...
