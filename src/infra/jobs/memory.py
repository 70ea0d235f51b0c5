"""In-process job store: for unit tests, where durability does not matter.

No method awaits between reading and writing, so on one event loop every call is atomic.
"""

from __future__ import annotations

import builtins
from datetime import datetime, timedelta

import msgspec

from common.ids import new_id
from core.ports.clock import Clock
from core.ports.jobs import (
    DEFAULT_MAX_ATTEMPTS,
    LIVE_STATES,
    MAX_ERROR_LENGTH,
    Claim,
    Job,
    JobState,
    Recovered,
    check_enqueue,
)
from core.ports.unit_of_work import UnitOfWork

__all__ = ["MemoryJobStore"]

_replace = msgspec.structs.replace


class MemoryJobStore:
    adapter = "memory"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._jobs: dict[str, Job] = {}
        self._tokens: dict[str, str] = {}

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
        check_enqueue(name, priority, max_attempts)
        if dedup_key is not None:
            for job in self._jobs.values():
                if job.dedup_key == dedup_key and job.state in LIVE_STATES:
                    return job
        now = self._clock.now()
        job = Job(
            id=new_id(),
            name=name,
            payload=payload,
            state="pending",
            priority=priority,
            run_at=run_at or now,
            attempts=0,
            max_attempts=max_attempts,
            created_at=now,
            updated_at=now,
            dedup_key=dedup_key,
            owner_id=owner_id,
        )
        self._jobs[job.id] = job
        return job

    def _take(self, job: Job, worker_id: str, lease_seconds: float) -> Claim:
        now = self._clock.now()
        token = new_id()
        claimed = _replace(
            job,
            state="running",
            attempts=job.attempts + 1,
            worker_id=worker_id,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            updated_at=now,
        )
        self._jobs[job.id] = claimed
        self._tokens[job.id] = token
        return Claim(job=claimed, token=token)

    def _claimable(self, job: Job) -> bool:
        return job.state == "pending" and job.run_at <= self._clock.now()

    async def claim_next(self, worker_id: str, lease_seconds: float) -> Claim | None:
        due = [job for job in self._jobs.values() if self._claimable(job)]
        if not due:
            return None
        best = min(due, key=lambda job: (-job.priority, job.run_at, job.id))
        return self._take(best, worker_id, lease_seconds)

    async def claim(self, job_id: str, worker_id: str, lease_seconds: float) -> Claim | None:
        job = self._jobs.get(job_id)
        if job is None or not self._claimable(job):
            return None
        return self._take(job, worker_id, lease_seconds)

    def _held(self, job_id: str, token: str) -> Job | None:
        job = self._jobs.get(job_id)
        if job is None or job.state != "running" or self._tokens.get(job_id) != token:
            return None
        return job

    def _settle(self, job: Job, state: JobState, **changes: object) -> Job:
        self._tokens.pop(job.id, None)
        settled = _replace(
            job,
            state=state,
            worker_id=None,
            lease_expires_at=None,
            updated_at=self._clock.now(),
            **changes,
        )
        self._jobs[job.id] = settled
        return settled

    async def heartbeat(self, job_id: str, token: str, lease_seconds: float) -> bool:
        job = self._held(job_id, token)
        if job is None:
            return False
        now = self._clock.now()
        self._jobs[job_id] = _replace(
            job, lease_expires_at=now + timedelta(seconds=lease_seconds), updated_at=now
        )
        return True

    async def complete(self, job_id: str, token: str, result: bytes | None = None) -> bool:
        job = self._held(job_id, token)
        if job is None:
            return False
        self._settle(job, "done", result=result, last_error=None)
        return True

    async def fail(
        self, job_id: str, token: str, error: str, *, retry_delay: float | None
    ) -> JobState | None:
        job = self._held(job_id, token)
        if job is None:
            return None
        error = error[:MAX_ERROR_LENGTH]
        if retry_delay is None or job.attempts >= job.max_attempts:
            return self._settle(job, "dead", last_error=error).state
        run_at = self._clock.now() + timedelta(seconds=retry_delay)
        return self._settle(job, "pending", last_error=error, run_at=run_at).state

    async def release(self, job_id: str, token: str) -> bool:
        job = self._held(job_id, token)
        if job is None:
            return False
        self._settle(job, "pending", attempts=job.attempts - 1, run_at=self._clock.now())
        return True

    async def recover_expired(self) -> Recovered:
        now = self._clock.now()
        requeued: list[str] = []
        dead: list[str] = []
        for job in list(self._jobs.values()):
            if job.state != "running" or job.lease_expires_at is None:
                continue
            if job.lease_expires_at > now:
                continue
            if job.attempts >= job.max_attempts:
                self._settle(job, "dead", last_error="lease expired: worker lost")
                dead.append(job.id)
            else:
                self._settle(job, "pending", run_at=now)
                requeued.append(job.id)
        return Recovered(requeued=tuple(requeued), dead=tuple(dead))

    async def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    async def list(
        self,
        *,
        state: JobState | None = None,
        owner_id: str | None = None,
        limit: int = 100,
    ) -> builtins.list[Job]:
        jobs = [
            job
            for job in self._jobs.values()
            if (state is None or job.state == state)
            and (owner_id is None or job.owner_id == owner_id)
        ]
        jobs.sort(key=lambda job: job.id, reverse=True)
        return jobs[:limit]

    async def retry_dead(self, job_id: str) -> bool:
        job = self._jobs.get(job_id)
        if job is None or job.state != "dead":
            return False
        if job.dedup_key is not None and any(
            other.dedup_key == job.dedup_key and other.state in LIVE_STATES
            for other in self._jobs.values()
        ):
            return False
        self._settle(job, "pending", attempts=0, run_at=self._clock.now())
        return True

    async def purge_finished(self, before: datetime) -> int:
        old = [
            job.id for job in self._jobs.values() if job.state == "done" and job.updated_at < before
        ]
        for job_id in old:
            del self._jobs[job_id]
        return len(old)

    async def ping(self) -> None:
        return None
