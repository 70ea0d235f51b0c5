"""The `.jinja` twins: with the default answers they give back the repository's own files.

Only `copier.yml`, the `*.jinja` files and their plain siblings are rendered here (a plain
folder, no git), so this runs in a second or two.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml

from tests.project_copy import REPO
from tests.template._template_repo import SUFFIX, identity_files, twins, write_template

ACME = {
    "project_name": "Acme Cloud",
    "description": "Cloud things for teams.",
    "author_name": "Ada Lovelace",
    "author_email": "ada@example.com",
    "python_version": "3.12",
}


def _render(template: Path, destination: Path, data: dict[str, Any]) -> Path:
    copier.run_copy(str(template), destination, data=data, defaults=True, unsafe=True, quiet=True)
    return destination


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("twins"), identity_files())


@pytest.fixture(scope="module")
def default_project(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _render(template, tmp_path_factory.mktemp("default") / "project", {})


@pytest.fixture(scope="module")
def acme_project(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = {**ACME, "with_ai": False}
    return _render(template, tmp_path_factory.mktemp("acme") / "project", data)


def test_the_identity_files_all_havetwins() -> None:
    assert {str(path) for path in twins()} >= {
        "pyproject.toml",
        "uv.lock",
        "README.md",
        ".env.example",
        "src/core/project.py",
    }


def test_twins_render_the_repository_files_byte_for_byte(default_project: Path) -> None:
    for plain in twins():
        rendered = (default_project / plain).read_bytes()
        assert rendered == (REPO / plain).read_bytes(), (
            f"{plain}.jinja no longer renders {plain} with the default answers: "
            f"update the twin (or copier.yml's defaults) to match {plain}"
        )
    assert not list(default_project.rglob(f"*{SUFFIX}"))


def test_the_project_identity_reaches_every_twin(acme_project: Path) -> None:
    project = acme_project

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert pyproject["name"] == "acme-cloud"
    assert pyproject["description"] == ACME["description"]
    assert pyproject["authors"] == [{"name": "Ada Lovelace", "email": "ada@example.com"}]
    lock = (project / "uv.lock").read_text()
    assert '[[package]]\nname = "acme-cloud"\nversion = ' in lock
    assert 'name = "bulkhead"' not in lock
    assert (project / "README.md").read_text().splitlines()[0] == "# Acme Cloud"
    assert "\nAPP_NAME=Acme Cloud\n" in (project / ".env.example").read_text()
    identity: dict[str, Any] = {}
    exec((project / "src/core/project.py").read_text(), identity)
    assert identity["PROJECT_NAME"] == "Acme Cloud"
    assert identity["PROJECT_SLUG"] == "acme-cloud"
    assert identity["DESCRIPTION"] == ACME["description"]
    assert (project / ".python-version").read_text() == "3.12\n"


def test_the_generated_ci_workflow_runs_ci_run_with_postgres_and_redis(
    acme_project: Path,
) -> None:
    workflow = yaml.safe_load((acme_project / ".github/workflows/ci.yml").read_text())
    job = workflow["jobs"]["test"]
    assert {"postgres", "redis"} <= set(job["services"])
    assert job["env"]["TEST_DATABASE_URL"].startswith("postgresql://")
    assert job["env"]["TEST_REDIS_URL"].startswith("redis://")
    steps = job["steps"]
    assert any(step.get("with", {}).get("python-version") == "3.12" for step in steps)
    assert any(step.get("run") == "bash .ci/run" for step in steps)


def test_the_answers_file_records_every_answer(acme_project: Path) -> None:
    answers = yaml.safe_load((acme_project / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "Acme Cloud"
    assert answers["project_slug"] == "acme-cloud"
    assert answers["python_version"] == "3.12"
    assert (answers["with_ai"], answers["with_blueprints"]) == (False, False)
    assert (answers["with_billing"], answers["with_orgs"]) == (True, True)


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Acme Cloud", "acme-cloud"), ("ACME -- Cloud 2!", "acme-cloud-2"), ("Bulkhead", "bulkhead")],
)
def test_the_slug_is_derived_from_the_name(
    template: Path, tmp_path: Path, name: str, slug: str
) -> None:
    project = _render(template, tmp_path / "project", {"project_name": name})
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["project_slug"] == slug


@pytest.mark.parametrize(
    "data",
    [
        {"project_slug": "Acme_Cloud"},
        {"project_slug": "-acme"},
        {"project_slug": "acme--cloud"},
        {"project_name": 'Acme "Cloud"'},
        {"project_name": "Acme #1"},
        {"project_name": " Acme"},
        {"description": "two\nlines"},
        {"author_email": "not-an-address"},
        {"with_ai": False, "with_blueprints": True},
    ],
)
def test_bad_answers_are_refused(template: Path, tmp_path: Path, data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="Validation error"):
        _render(template, tmp_path / "project", data)
    assert not (tmp_path / "project" / "pyproject.toml").exists()
