"""The project's identity: the one module the template renders with the new project's name.

`copier copy` renders `project.py.jinja` beside this file; settings and the CLI read these
constants, so a generated project is renamed without touching any other code.
"""

from __future__ import annotations

__all__ = ["DESCRIPTION", "PROJECT_NAME", "PROJECT_SLUG"]

PROJECT_NAME = "Bulkhead"
PROJECT_SLUG = "bulkhead"
DESCRIPTION = "A backend-only SaaS foundation whose failure modes are structurally impossible."
