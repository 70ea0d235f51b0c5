"""`/api/v1/tasks`: accept long work (202) and let its owner poll it."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import Provide

from common.principal import Principal
from modules.tasks import TaskService
from web.jobs import JobRuntime
from web.tasks.schemas import Task, TaskAccepted, TaskCreate

__all__ = ["TasksController"]

PATH = "/api/v1/tasks"


def provide_tasks(state: State) -> TaskService:
    runtime: JobRuntime = state.job_runtime
    return TaskService(runtime.container.jobs, runtime.registry)


class TasksController(Controller):
    path = PATH
    tags = ["tasks"]
    dependencies = {"tasks": Provide(provide_tasks, sync_to_thread=False)}

    @post("/", status_code=202, summary="Submit a task; poll its URL for the outcome")
    async def submit(
        self, data: TaskCreate, principal: Principal, tasks: TaskService
    ) -> TaskAccepted:
        job = await tasks.submit(principal.user_id, data.kind, msgspec.json.encode(data.payload))
        return TaskAccepted(status="accepted", job_id=job.id, poll_url=f"{PATH}/{job.id}")

    @get("/{job_id:str}", summary="A task of the caller: status, attempts, result or error")
    async def read(self, job_id: str, principal: Principal, tasks: TaskService) -> Task:
        view = await tasks.get(principal.user_id, job_id)
        return Task(
            job_id=view.job_id,
            kind=view.kind,
            status=view.status,
            attempts=view.attempts,
            result=None if view.result is None else msgspec.Raw(view.result),
            error=view.error,
            created_at=view.created_at,
            updated_at=view.updated_at,
        )
