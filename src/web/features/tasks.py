"""The Tasks API: start a registered job kind (202 + Location) and poll it."""

from web.features import Feature
from web.tasks import TasksController

FEATURE = Feature(name="tasks", routes=(TasksController,))
