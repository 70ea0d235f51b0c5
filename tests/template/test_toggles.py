"""Feature toggles: a project rendered without a feature has none of it and still passes.

Each combination is rendered with `copier copy` (tasks on: without billing the lock is
redone), installed into its own virtualenv from its own lock (so an import of a removed
package cannot fall back to this repository's), and checked: import contracts, ruff, mypy
and its unit tests.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import copier
import pytest

from tests.project_copy import REPO
from tests.template._template_repo import commit_all, git_identity, write_template

pytestmark = pytest.mark.slow

ALL_OFF = {"with_billing": False, "with_ai": False, "with_orgs": False, "with_blueprints": False}
MIXED = {"with_billing": False, "with_ai": True, "with_orgs": True, "with_blueprints": False}
COMBINATIONS = {"all-off": ALL_OFF, "ai-and-orgs-only": MIXED}

FOOTPRINTS = {
    "billing": (r"\bmodules\.billing\b", r"\binfra\.billing\b", r"\bweb\.billing\b", "STRIPE_"),
    "ai": (r"\b(from|import) ai\b", r"\binfra\.llm\b", r"\bweb\.ai\b", "LLMSettings", "OPENAI_"),
    "orgs": (r"\bmodules\.orgs\b", r"\binfra\.orgs\b", r"\bweb\.orgs\b", "OrgsController"),
    "blueprints": (r"\bai\.blueprints\b", r"\bweb\.blueprints\b", "find_leads"),
}
"""What only a feature's own code says: none of it may be left once the feature is off."""

NAMES_EVERY_CONTRACT = {Path("tests/integration/architecture/test_import_contracts.py")}
"""It holds a breach for every contract a project may have, and checks only those it has."""

_TEXT_SUFFIXES = {".py", ".toml", ".md", ".example", ".yml", ".cfg", ""}


def _uv() -> str:
    found = shutil.which("uv") or str(REPO / ".tools/bin/uv")
    if not Path(found).exists():
        pytest.skip("uv is not installed here (make bootstraps it into .tools/)")
    return found


def _env() -> dict[str, str]:
    """This run's environment without this repository's virtualenv or coverage hooks."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT"}
        and not key.startswith(("COV_CORE_", "COVERAGE_"))
    }
    env["UV"] = _uv()
    for key in ("TEST_DATABASE_URL", "TEST_REDIS_URL", "BULKHEAD_REQUIRE_SERVICES"):
        env.pop(key, None)
    return env


def _run(args: list[str], project: Path, timeout: float = 300) -> str:
    result = subprocess.run(
        args, cwd=project, env=_env(), capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-6000:]
        pytest.fail(f"{' '.join(args)} exited {result.returncode} in {project}:\n{output}")
    return result.stdout


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    template = write_template(tmp_path_factory.mktemp("toggles") / "template")
    with git_identity():
        commit_all(template, "the template")
    return template


@pytest.fixture(scope="module", params=sorted(COMBINATIONS))
def project(request: pytest.FixtureRequest, template: Path) -> tuple[Path, dict[str, bool]]:
    answers = COMBINATIONS[request.param]
    destination = template.parent / request.param
    with git_identity(), pytest.MonkeyPatch.context() as patch:
        patch.setenv("UV", _uv())
        copier.run_copy(
            str(template),
            destination,
            data={"project_name": "Acme Cloud", **answers},
            defaults=True,
            unsafe=True,
            vcs_ref="HEAD",
            quiet=True,
        )
    return destination, answers


def _text_files(project: Path) -> list[Path]:
    skipped = {".venv", ".tools", ".git", "var"}
    return [
        path
        for path in project.rglob("*")
        if path.is_file()
        and not skipped.intersection(path.relative_to(project).parts)
        and path.suffix in _TEXT_SUFFIXES
        and path.name != "uv.lock"
        and path.relative_to(project) not in NAMES_EVERY_CONTRACT
    ]


def test_a_feature_toggled_off_leaves_nothing_behind(
    project: tuple[Path, dict[str, bool]],
) -> None:
    root, answers = project
    off = [name.removeprefix("with_") for name, on in answers.items() if not on]
    for feature in off:
        assert not (root / f"src/web/features/{feature}.py").exists(), feature
    leftovers = [
        f"{path.relative_to(root)}: {needle!r}"
        for path in _text_files(root)
        for feature in off
        for needle in FOOTPRINTS[feature]
        if re.search(needle, path.read_text(errors="replace"))
    ]
    assert leftovers == []
    if not answers["with_billing"]:
        assert '"stripe' not in (root / "pyproject.toml").read_text()
        assert 'name = "stripe"' not in (root / "uv.lock").read_text()


def test_the_features_left_on_are_all_there(project: tuple[Path, dict[str, bool]]) -> None:
    root, answers = project
    declared = {path.stem for path in (root / "src/web/features").glob("*.py")}
    on = {name.removeprefix("with_") for name, enabled in answers.items() if enabled}
    assert declared >= {"auth", "tasks"} | on
    assert not declared & {name.removeprefix("with_") for name in answers} - on


def test_the_project_installs_from_its_lock_and_passes_its_checks(
    project: tuple[Path, dict[str, bool]],
) -> None:
    root, _ = project
    uv = _uv()
    _run([uv, "sync", "--locked", "--quiet"], root, timeout=600)
    _run([uv, "run", "--locked", "lint-imports", "--no-cache"], root)
    _run([uv, "run", "--locked", "ruff", "check", "src", "tests", "bench"], root)
    _run([uv, "run", "--locked", "mypy", "src"], root, timeout=600)
    output = _run(
        [uv, "run", "--locked", "pytest", "tests/unit", "-q", "-x", "-p", "no:cacheprovider"],
        root,
        timeout=600,
    )
    assert " passed" in output
