"""`bulkhead new module` on a copy of this project: the result is green straight away."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.project_copy import REPO, copy_sources, run_tool
from web.cli.main import bulkhead

pytestmark = pytest.mark.slow

NAME = "field_notes"
GENERATED_TESTS = [
    f"tests/unit/modules/{NAME}",
    f"tests/integration/infra/{NAME}",
    f"tests/e2e/{NAME}",
]
SHARED = [
    "src/infra/container.py",
    "src/web/routes.py",
    "src/web/features/__init__.py",
    "src/infra/db/tables/__init__.py",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = copy_sources(tmp_path_factory.mktemp("scaffold") / "project")
    result = CliRunner().invoke(bulkhead, ["new", "module", NAME, "--root", str(root)])
    assert result.exit_code == 0, result.output
    return root, result.output


def _created(output: str) -> list[str]:
    return [line.split(maxsplit=1)[1] for line in output.splitlines() if line.startswith("created")]


def test_every_layer_gets_its_part_and_no_shared_file_is_edited(
    project: tuple[Path, str],
) -> None:
    root, output = project
    created = _created(output)
    for path in (
        f"src/modules/{NAME}/use_cases.py",
        f"src/modules/{NAME}/ports.py",
        f"src/infra/{NAME}/sql.py",
        f"src/infra/{NAME}/install.py",
        f"src/infra/db/tables/{NAME}.py",
        f"src/infra/db/migrations/versions/{NAME}_0001_{NAME}.py",
        f"src/web/{NAME}/controller.py",
        f"src/web/features/{NAME}.py",
        f"tests/unit/modules/{NAME}/test_use_cases.py",
    ):
        assert path in created
        assert (root / path).is_file()
    assert "edited" not in output
    for path in SHARED:
        assert (root / path).read_bytes() == (REPO / path).read_bytes()
    migration = (root / f"src/infra/db/migrations/versions/{NAME}_0001_{NAME}.py").read_text()
    assert f'branch_labels = ("{NAME}",)' in migration
    assert 'down_revision = "0001"' in migration


def test_the_registry_of_the_result_holds_the_feature(project: tuple[Path, str]) -> None:
    root, _ = project
    probe = (
        "from web.features import FEATURES; "
        f"feature = next(feature for feature in FEATURES if feature.name == {NAME!r}); "
        "print(feature.migrations, *(route.__name__ for route in feature.routes))"
    )
    result = run_tool(["python", "-c", probe], root, services=False)
    assert result.stdout.split() == [NAME, "FieldNotesController"]


def _python_files(output: str) -> list[str]:
    return [path for path in _created(output) if path.endswith(".py")]


def test_the_result_keeps_the_import_contracts_and_ruff(project: tuple[Path, str]) -> None:
    root, output = project
    run_tool(["lint-imports", "--no-cache"], root)
    run_tool(["ruff", "check", *_python_files(output)], root)
    run_tool(["ruff", "format", "--check", *_python_files(output)], root)


def test_the_result_type_checks(project: tuple[Path, str]) -> None:
    root, output = project
    if (REPO / ".mypy_cache").is_dir():
        # Same relative paths and mtimes here: only what the scaffold touched is re-checked.
        shutil.copytree(REPO / ".mypy_cache", root / ".mypy_cache")
    checked = [path for path in _python_files(output) if path.startswith("src/")]
    run_tool(["mypy", "--follow-imports=silent", *checked], root)


def test_the_generated_tests_and_the_migration_round_trip_pass(
    project: tuple[Path, str],
) -> None:
    root, _ = project
    result = run_tool(
        [
            "python",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *GENERATED_TESTS,
            "tests/integration/infra/test_migrations.py",
        ],
        root,
    )
    assert " passed" in result.stdout
    assert " failed" not in result.stdout
