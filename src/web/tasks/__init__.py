"""The Tasks API (202 + poll)."""

from web.tasks.controller import TasksController

__all__ = ["TasksController"]
