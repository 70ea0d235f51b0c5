from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FakeClock
from tests.project_copy import BIN, REPO
from web.cli.new_module import (
    MAX_NAME_LENGTH,
    ModuleNames,
    ScaffoldError,
    check_name,
    new_group,
    plan_module,
    write_scaffold,
)

LONGEST = "abcdefghijk_lmnopqrstuvw"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The project's src/ alone: enough to plan a module against the real registry and tables."""
    shutil.copytree(REPO / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _listing(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*.py")}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Notes", "lowercase"),
        ("2notes", "lowercase"),
        ("notes_", "lowercase"),
        ("blog__posts", "lowercase"),
        ("blog-posts", "lowercase"),
        ("x" * (MAX_NAME_LENGTH + 1), "at most"),
        ("class", "keyword"),
        ("match", "keyword"),
        ("infra", "layer"),
        ("tests", "layer"),
    ],
)
def test_a_name_that_is_no_plain_identifier_is_refused(name: str, reason: str) -> None:
    with pytest.raises(ScaffoldError, match=reason):
        check_name(name)


@pytest.mark.parametrize(
    ("name", "resource", "feature"),
    [
        ("notes", "Note", "Notes"),
        ("blog_posts", "BlogPost", "BlogPosts"),
        ("categories", "Category", "Categories"),
        ("boxes", "Box", "Boxes"),
        ("status", "Status", "Status"),
        ("inventory", "Inventory", "Inventory"),
    ],
)
def test_names_are_spelled_for_each_use(name: str, resource: str, feature: str) -> None:
    names = ModuleNames.of(name)
    assert (names.resource_class, names.feature_class) == (resource, feature)
    assert names.substitutions("2026-01-01")["path"] == "/api/v1/" + name.replace("_", "-")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("kv", "src/infra/kv already exists"),
        ("kv_entries", "table 'kv_entries' is already declared"),
        ("auth", "src/modules/auth already exists"),
        ("principals", "bind Principal twice"),
    ],
)
def test_a_name_that_is_taken_is_refused_and_nothing_is_written(
    project: Path, name: str, message: str, clock: FakeClock
) -> None:
    before = _listing(project)
    with pytest.raises(ScaffoldError) as refused:
        plan_module(project, name, clock)
    assert message in str(refused.value)
    result = CliRunner().invoke(new_group, ["module", name, "--root", str(project)])
    assert result.exit_code == 2
    assert "Error" in result.output
    assert _listing(project) == before


def test_an_existing_alembic_branch_is_refused(project: Path, clock: FakeClock) -> None:
    versions = project / "src/infra/db/migrations/versions"
    (versions / "gadgets_0001_x.py").write_text('revision = "gadgets_0001"\n')
    with pytest.raises(ScaffoldError, match="Alembic branch 'gadgets'"):
        plan_module(project, "gadgets", clock)


@pytest.mark.parametrize(
    ("entry", "declaration", "message"),
    [
        (
            "tools",
            'FEATURE = Feature(name="gadgets")',
            r"feature 'gadgets' is already declared in src/web/features/tools\.py",
        ),
        (
            "tools",
            'FEATURE = Feature(name="tools", migrations="gadgets")',
            "Alembic branch 'gadgets' is already declared",
        ),
        ("gadgets", '"""An entry without its folders."""', r"features/gadgets\.py already exists"),
    ],
)
def test_a_name_the_registry_already_holds_is_refused(
    project: Path, entry: str, declaration: str, message: str, clock: FakeClock
) -> None:
    (project / f"src/web/features/{entry}.py").write_text(declaration + "\n")
    before = _listing(project)
    with pytest.raises(ScaffoldError, match=message):
        plan_module(project, "gadgets", clock)
    assert _listing(project) == before


def test_only_new_files_are_written_and_the_registry_entry_plugs_them_in(
    project: Path, clock: FakeClock
) -> None:
    before = _listing(project)
    scaffold = plan_module(project, "notes", clock)
    assert not any((project / path).exists() for path in scaffold.created)
    write_scaffold(project, scaffold)
    after = _listing(project)
    assert {path: after[path] for path in before} == before
    assert set(after) - set(before) == {
        str(path) for path in scaffold.created if path.suffix == ".py"
    }
    entry = (project / "src/web/features/notes.py").read_text()
    for declared in (
        'name="notes"',
        "routes=(NotesController,)",
        "install=install_notes",
        'migrations="notes"',
    ):
        assert declared in entry
    install = (project / "src/infra/notes/install.py").read_text()
    assert "container.services.provide(\n        NoteStore," in install
    controller = (project / "src/web/notes/controller.py").read_text()
    assert "container.services.get(NoteStore)" in controller


def test_a_folder_that_is_not_a_project_is_refused(tmp_path: Path, clock: FakeClock) -> None:
    with pytest.raises(ScaffoldError, match="run this from the project root"):
        plan_module(tmp_path, "notes", clock)


def test_a_second_scaffold_of_the_same_name_is_refused(project: Path, clock: FakeClock) -> None:
    write_scaffold(project, plan_module(project, "notes", clock))
    with pytest.raises(ScaffoldError, match="already exists"):
        plan_module(project, "notes", clock)


def test_an_existing_test_package_is_kept(project: Path, clock: FakeClock) -> None:
    package = project / "tests/unit/modules/__init__.py"
    package.parent.mkdir(parents=True)
    package.write_text('"""Kept."""\n')
    scaffold = plan_module(project, "notes", clock)
    assert Path("tests/unit/modules/__init__.py") not in scaffold.created
    assert Path("tests/unit/modules/notes/__init__.py") in scaffold.created


@pytest.mark.parametrize("name", ["ab", "gadgets", LONGEST])
def test_generated_files_are_ruff_clean_for_short_and_long_names(
    project: Path, tmp_path: Path, name: str, clock: FakeClock
) -> None:
    scaffold = plan_module(project, name, clock)
    out = tmp_path / "out"
    for path, content in scaffold.created.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(content)
    assert f"Create Date: {clock.now().date().isoformat()}" in "".join(scaffold.created.values())
    config = str(REPO / "pyproject.toml")
    # The copy is not where `tests` is first-party, so import order is checked under src/ only
    # (where NAME decides whether `infra.NAME` sorts before or after `infra.container`).
    for command in (
        ["check", "--config", config, "--extend-ignore", "I001", str(out)],
        ["check", "--config", config, "--select", "I", str(out / "src")],
        ["format", "--check", "--config", config, str(out)],
    ):
        result = subprocess.run(
            [str(BIN / "ruff"), *command], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_an_existing_generated_test_file_is_refused(project: Path, clock: FakeClock) -> None:
    existing = project / "tests/unit/modules/notes/test_use_cases.py"
    existing.parent.mkdir(parents=True)
    existing.write_text("def test_mine() -> None: ...\n")
    with pytest.raises(ScaffoldError, match=r"test_use_cases\.py already exists"):
        plan_module(project, "notes", clock)
