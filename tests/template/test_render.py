"""`copier copy` of the whole template (from a git commit of the working tree), checked.

The generated project is checked with this repository's virtualenv (its own src first on
PYTHONPATH): import contracts, ruff on what rendering changed, and a fast unit subset that
includes the OpenAPI title and the CLI help (tests/unit/web/test_project_identity.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import copier
import pytest
import yaml

from tests.project_copy import REPO, run_tool
from tests.template._template_repo import commit_all, git_identity, write_template

pytestmark = pytest.mark.slow

TEMPLATE_ONLY = ("copier.yml", "tests/template/")
RENDERED = {"pyproject.toml", "uv.lock", "README.md", ".env.example", "src/core/project.py"}
UNIT_SUBSET = ["tests/unit/core", "tests/unit/web/test_project_identity.py"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working tree as one commit: what `copier copy <this repo>` would read."""
    return write_template(tmp_path_factory.mktemp("render") / "template")


@pytest.fixture(scope="module")
def project(template: Path) -> Path:
    destination = template.parent / "acme-cloud"
    with git_identity():
        commit_all(template, "the template")
        copier.run_copy(
            str(template),
            destination,
            data={"project_name": "Acme Cloud"},
            defaults=True,
            unsafe=True,
            vcs_ref="HEAD",
            quiet=True,
        )
    return destination


def test_the_project_is_named_and_free_of_template_machinery(project: Path) -> None:
    assert 'name = "acme-cloud"' in (project / "pyproject.toml").read_text()
    assert (project / "README.md").read_text().startswith("# Acme Cloud\n")
    assert 'PROJECT_NAME = "Acme Cloud"' in (project / "src/core/project.py").read_text()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "Acme Cloud"
    assert answers["_commit"]
    assert (project / ".github/workflows/ci.yml").is_file()
    assert (project / ".python-version").read_text() == "3.11\n"
    assert not (project / "copier.yml").exists()
    assert not (project / "tests/template").exists()
    assert not list(project.rglob("*.jinja"))


def test_everything_else_is_copied_verbatim(template: Path, project: Path) -> None:
    files = [path for path in template.rglob("*") if path.is_file() and ".git" not in path.parts]
    assert len(files) > 50
    for path in files:
        name = path.relative_to(template).as_posix()
        if name in RENDERED:
            continue
        if name.startswith(TEMPLATE_ONLY) or name.endswith(".jinja"):
            assert not (project / name).exists(), name
            continue
        assert (project / name).read_bytes() == path.read_bytes(), name
    assert (project / ".ci/run").stat().st_mode & 0o111


def test_the_project_keeps_its_contracts_and_passes_its_unit_subset(project: Path) -> None:
    run_tool(["lint-imports", "--no-cache"], project)
    run_tool(["ruff", "check", "src/core/project.py"], project)
    run_tool(["ruff", "format", "--check", "src/core/project.py"], project)
    result = run_tool(
        ["python", "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *UNIT_SUBSET],
        project,
        services=False,
    )
    assert " passed" in result.stdout


def test_the_lock_matches_the_renamed_project(project: Path) -> None:
    uv = shutil.which("uv") or str(REPO / ".tools/bin/uv")
    if not Path(uv).exists():
        pytest.skip("uv is not installed here (make bootstraps it into .tools/)")
    run_tool([uv, "lock", "--check", "--offline"], project)
