"""Redis job store: every state change is one Lua script, so it is atomic across processes.

A sorted set of ready jobs (by priority, then run time), one of scheduled jobs (by run time)
and one of leases (by expiry); a hash per job. Scripts live beside this file in `lua/`, each
prefixed with the shared helpers of `lua/_lib.lua`. Keys are built inside the scripts, so this
adapter targets a single Redis server (not Cluster).
"""

from __future__ import annotations

import builtins
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from redis.asyncio import Redis

from common.ids import new_id
from core.ports.clock import Clock
from core.ports.jobs import (
    DEFAULT_MAX_ATTEMPTS,
    MAX_ERROR_LENGTH,
    Claim,
    Job,
    JobState,
    Recovered,
    check_enqueue,
)
from core.ports.unit_of_work import UnitOfWork

__all__ = ["RedisJobStore"]

_LUA = Path(__file__).parent / "lua"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_LEASE_LOST = "lease expired: worker lost"
_BATCH = 500


def _script(name: str) -> str:
    return (_LUA / "_lib.lua").read_text() + "\n" + (_LUA / f"{name}.lua").read_text()


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICRO


def _moment(raw: bytes) -> datetime:
    return _EPOCH + timedelta(microseconds=int(raw))


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode()


def _job(flat: builtins.list[bytes]) -> Job:
    fields = {flat[i].decode(): flat[i + 1] for i in range(0, len(flat), 2)}
    return _job_from(fields)


def _job_from(fields: dict[str, bytes]) -> Job:
    lease = fields.get("lease_expires_at")
    return Job(
        id=fields["id"].decode(),
        name=fields["name"].decode(),
        payload=fields["payload"],
        state=cast(JobState, fields["state"].decode()),
        priority=int(fields["priority"]),
        run_at=_moment(fields["run_at"]),
        attempts=int(fields["attempts"]),
        max_attempts=int(fields["max_attempts"]),
        created_at=_moment(fields["created_at"]),
        updated_at=_moment(fields["updated_at"]),
        dedup_key=_text(fields.get("dedup_key")),
        owner_id=_text(fields.get("owner_id")),
        worker_id=_text(fields.get("worker_id")),
        lease_expires_at=None if lease is None else _moment(lease),
        last_error=_text(fields.get("last_error")),
        result=fields.get("result"),
    )


class RedisJobStore:
    adapter = "redis"

    def __init__(self, client: Redis, clock: Clock, prefix: str = "") -> None:
        self._client = client
        self._clock = clock
        self._prefix = f"{prefix}jobs:"
        self._scripts: dict[str, Any] = {
            name: client.register_script(_script(name))
            for name in (
                "enqueue",
                "claim",
                "heartbeat",
                "complete",
                "fail",
                "release",
                "recover",
                "retry_dead",
                "purge",
            )
        }

    async def _run(self, name: str, *args: Any) -> Any:
        return await self._scripts[name](keys=[], args=[self._prefix, *args])

    def _now(self) -> int:
        return _us(self._clock.now())

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
        now = self._now()
        flat = await self._run(
            "enqueue",
            new_id(),
            name,
            payload,
            priority,
            now if run_at is None else _us(run_at),
            max_attempts,
            dedup_key or "",
            owner_id or "",
            now,
        )
        return _job(flat)

    async def _claim(self, job_id: str, worker_id: str, lease_seconds: float) -> Claim | None:
        now = self._now()
        token = new_id()
        expires = now + int(lease_seconds * 1_000_000)
        flat = await self._run("claim", now, expires, token, worker_id, job_id)
        return None if not flat else Claim(job=_job(flat), token=token)

    async def claim_next(self, worker_id: str, lease_seconds: float) -> Claim | None:
        return await self._claim("", worker_id, lease_seconds)

    async def claim(self, job_id: str, worker_id: str, lease_seconds: float) -> Claim | None:
        if not job_id:
            return None
        return await self._claim(job_id, worker_id, lease_seconds)

    async def heartbeat(self, job_id: str, token: str, lease_seconds: float) -> bool:
        now = self._now()
        expires = now + int(lease_seconds * 1_000_000)
        return bool(await self._run("heartbeat", job_id, token, expires, now))

    async def complete(self, job_id: str, token: str, result: bytes | None = None) -> bool:
        has_result = "0" if result is None else "1"
        done = await self._run("complete", job_id, token, has_result, result or b"", self._now())
        return bool(done)

    async def fail(
        self, job_id: str, token: str, error: str, *, retry_delay: float | None
    ) -> JobState | None:
        now = self._now()
        retry_at = "" if retry_delay is None else now + int(retry_delay * 1_000_000)
        state = await self._run("fail", job_id, token, error[:MAX_ERROR_LENGTH], retry_at, now)
        return None if state is None else cast(JobState, state.decode())

    async def release(self, job_id: str, token: str) -> bool:
        return bool(await self._run("release", job_id, token, self._now()))

    async def recover_expired(self) -> Recovered:
        flat = await self._run("recover", self._now(), _BATCH, _LEASE_LOST)
        pairs = [(flat[i].decode(), flat[i + 1].decode()) for i in range(0, len(flat), 2)]
        return Recovered(
            requeued=tuple(sorted(job_id for job_id, state in pairs if state == "pending")),
            dead=tuple(sorted(job_id for job_id, state in pairs if state == "dead")),
        )

    async def get(self, job_id: str) -> Job | None:
        raw = await self._client.hgetall(f"{self._prefix}job:{job_id}")
        fields = cast(dict[bytes, bytes], raw)
        if not fields:
            return None
        return _job_from({key.decode(): value for key, value in fields.items()})

    async def _ids(self, index: str, start: int, stop: int) -> builtins.list[bytes]:
        return cast(builtins.list[bytes], await self._client.zrevrange(index, start, stop))

    async def _load(self, ids: builtins.list[bytes]) -> builtins.list[Job]:
        pipeline = self._client.pipeline(transaction=False)
        for job_id in ids:
            pipeline.hgetall(f"{self._prefix}job:{job_id.decode()}")
        jobs: builtins.list[Job] = []
        for fields in await pipeline.execute():
            if fields:
                jobs.append(_job_from({key.decode(): value for key, value in fields.items()}))
        return jobs

    async def list(
        self,
        *,
        state: JobState | None = None,
        owner_id: str | None = None,
        limit: int = 100,
    ) -> builtins.list[Job]:
        if owner_id is None:
            index = f"{self._prefix}state:{state}" if state else f"{self._prefix}all"
            return await self._load(await self._ids(index, 0, limit - 1))
        found: builtins.list[Job] = []
        start = 0
        while len(found) < limit:
            page = await self._ids(f"{self._prefix}owner:{owner_id}", start, start + _BATCH - 1)
            if not page:
                break
            found.extend(job for job in await self._load(page) if state in (None, job.state))
            start += _BATCH
        return found[:limit]

    async def retry_dead(self, job_id: str) -> bool:
        return bool(await self._run("retry_dead", job_id, self._now()))

    async def purge_finished(self, before: datetime) -> int:
        total = 0
        while True:
            purged = int(await self._run("purge", _us(before), _BATCH))
            total += purged
            if purged < _BATCH:
                return total

    async def ping(self) -> None:
        await self._client.ping()
