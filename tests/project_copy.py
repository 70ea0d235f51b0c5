"""Run the project's own tools on a copy of it (scaffolding and template tests).

The copy is checked with this repository's virtualenv: `PYTHONPATH=<copy>/src` puts the copy's
packages ahead of the editable install, so nothing is installed and nothing leaves the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

__all__ = ["BIN", "REPO", "copy_sources", "run_tool", "tool_env"]

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
_CACHES = shutil.ignore_patterns(
    "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"
)
_OUTPUT_TAIL = 6000


def copy_sources(destination: Path) -> Path:
    """Copy what the code tools read (src, tests and their configuration) to `destination`."""
    destination.mkdir(parents=True, exist_ok=True)
    for folder in ("src", "tests"):
        shutil.copytree(REPO / folder, destination / folder, ignore=_CACHES)
    for name in ("pyproject.toml", ".importlinter"):
        shutil.copy2(REPO / name, destination / name)
    return destination


def tool_env(project: Path, *, services: bool = True) -> dict[str, str]:
    """The environment for a tool run in `project`: its own src first, no coverage hooks."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COV_CORE_", "COVERAGE_"))
    }
    env["PYTHONPATH"] = str(project / "src")
    if not services:
        for key in ("TEST_DATABASE_URL", "TEST_REDIS_URL", "BULKHEAD_REQUIRE_SERVICES"):
            env.pop(key, None)
    return env


def run_tool(
    args: Sequence[str | Path],
    project: Path,
    *,
    timeout: float = 180,
    services: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a tool from this virtualenv in `project`; a non-zero exit fails with its output."""
    command = [str(BIN / str(args[0])) if (BIN / str(args[0])).exists() else str(args[0])]
    command += [str(arg) for arg in args[1:]]
    result = subprocess.run(
        command,
        cwd=project,
        env=tool_env(project, services=services),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-_OUTPUT_TAIL:]
        pytest.fail(f"{' '.join(command)} exited {result.returncode} in {project}:\n{output}")
    return result
