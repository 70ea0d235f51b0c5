"""Tasks (202 + poll): submit long work as an owner-scoped job and read its status."""

from modules.tasks.ports import TaskKinds
from modules.tasks.service import TaskService, TaskStatus, TaskView, task_status

__all__ = ["TaskKinds", "TaskService", "TaskStatus", "TaskView", "task_status"]
