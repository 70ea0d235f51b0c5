"""The worker loop: N slots claim and run jobs; leases are kept alive by heartbeats.

- One claimer loop per worker feeds N concurrent jobs.
- Each running job gets a heartbeat every third of the lease, so a job longer than the lease
  is never recovered while its worker lives; a heartbeat that finds the lease lost cancels
  the job (its result could not be recorded anyway: completion is fenced).
- `recover_expired` runs at start and periodically, so jobs of crashed workers come back.
- When `stop` is set, slots stop claiming; in-flight jobs get `drain_seconds` to finish;
  whatever is still running then is cancelled and released back to pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Awaitable, Callable

from background.jobs.runner import RetryableJobRunner
from common.ids import new_id
from core.logging import get_logger
from core.ports.jobs import Claim, JobStore

__all__ = ["Worker", "default_worker_id"]

_log = get_logger(__name__)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{new_id()[-6:]}"


class Worker:
    def __init__(
        self,
        store: JobStore,
        runner: RetryableJobRunner,
        *,
        concurrency: int = 4,
        lease_seconds: float = 30.0,
        poll_seconds: float = 0.5,
        maintenance_seconds: float | None = None,
        drain_seconds: float = 30.0,
        worker_id: str | None = None,
        on_maintenance: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.store = store
        self.runner = runner
        self.worker_id = worker_id or default_worker_id()
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.maintenance_seconds = maintenance_seconds or max(lease_seconds / 2, 0.05)
        self.drain_seconds = drain_seconds
        self._on_maintenance = on_maintenance
        self.in_flight: dict[str, Claim] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, then drain and return."""
        _log.info("worker.start", worker_id=self.worker_id, concurrency=self.concurrency)
        await self._maintain_once()
        maintenance = asyncio.create_task(self._maintain(stop))
        running: set[asyncio.Task[None]] = set()
        try:
            await self._claim_loop(stop, running)
        finally:
            _log.info("worker.draining", worker_id=self.worker_id, in_flight=len(running))
            late: set[asyncio.Task[None]] = set()
            if running:
                _, late = await asyncio.wait(set(running), timeout=self.drain_seconds)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            maintenance.cancel()
            await asyncio.gather(maintenance, return_exceptions=True)
            _log.info("worker.stop", worker_id=self.worker_id, released=len(late))

    async def _claim_loop(self, stop: asyncio.Event, running: set[asyncio.Task[None]]) -> None:
        # One claimer per process feeds up to `concurrency` jobs. While the queue is empty it
        # probes with a single claim per `poll_seconds` (SQLite has one write lock to share);
        # once a probe finds work it claims for every free slot at once.
        burst = 1
        while not stop.is_set():
            free = self.concurrency - len(running)
            if free <= 0:
                await _wait_any(running, stop)
                continue
            claims = await asyncio.gather(*(self._claim() for _ in range(min(free, burst))))
            found = [claim for claim in claims if claim is not None]
            for claim in found:
                task = asyncio.create_task(self.execute(claim))
                running.add(task)
                task.add_done_callback(running.discard)
            if found:
                burst = self.concurrency
            else:
                burst = 1
                await _wait(stop, self.poll_seconds)

    async def _claim(self) -> Claim | None:
        try:
            return await self.store.claim_next(self.worker_id, self.lease_seconds)
        except Exception as exc:
            _log.error("worker.claim_failed", worker_id=self.worker_id, error=repr(exc))
            return None

    async def execute(self, claim: Claim) -> None:
        """Run one claimed job with heartbeats; on cancellation, release it unfinished."""
        job_id = claim.job.id
        self.in_flight[job_id] = claim
        run = asyncio.create_task(self.runner.run(claim))
        beat = asyncio.create_task(self._heartbeat(claim, run))
        try:
            await run
        except asyncio.CancelledError:
            if not run.done():
                run.cancel()
            await asyncio.gather(run, return_exceptions=True)
            if not self._lease_was_lost(beat):
                await self._release(claim)
            if _cancelling():
                raise
        except Exception as exc:
            _log.error("worker.run_failed", job_id=job_id, error=repr(exc))
        finally:
            beat.cancel()
            await asyncio.gather(beat, return_exceptions=True)
            self.in_flight.pop(job_id, None)

    @staticmethod
    def _lease_was_lost(beat: asyncio.Task[bool]) -> bool:
        return beat.done() and not beat.cancelled() and beat.result() is False

    async def _release(self, claim: Claim) -> None:
        try:
            released = await self.store.release(claim.job.id, claim.token)
        except Exception as exc:
            _log.error("job.release_failed", job_id=claim.job.id, error=repr(exc))
            return
        _log.info("job.released", job_id=claim.job.id, name=claim.job.name, released=released)

    async def _heartbeat(self, claim: Claim, run: asyncio.Task[object]) -> bool:
        interval = self.lease_seconds / 3
        while True:
            await asyncio.sleep(interval)
            try:
                held = await self.store.heartbeat(claim.job.id, claim.token, self.lease_seconds)
            except Exception as exc:
                _log.error("job.heartbeat_failed", job_id=claim.job.id, error=repr(exc))
                continue
            if not held:
                _log.warning("job.lease_lost", job_id=claim.job.id, name=claim.job.name)
                run.cancel()
                return False

    async def _maintain(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await _wait(stop, self.maintenance_seconds)
            if not stop.is_set():
                await self._maintain_once()

    async def _maintain_once(self) -> None:
        try:
            recovered = await self.store.recover_expired()
            for job_id in recovered.requeued:
                _log.warning("job.recovered", job_id=job_id, state="pending")
            for job_id in recovered.dead:
                _log.error("job.dead_letter", job_id=job_id, reason="lease_expired")
            if self._on_maintenance is not None:
                await self._on_maintenance()
        except Exception as exc:
            _log.error("worker.maintenance_failed", worker_id=self.worker_id, error=repr(exc))


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    """Idle until `seconds` pass or `stop` is set, whichever comes first."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _wait_any(running: set[asyncio.Task[None]], stop: asyncio.Event) -> None:
    """Until one running job finishes or `stop` is set."""
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({*running, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()


def _cancelling() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
