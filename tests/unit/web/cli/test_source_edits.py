from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.project_copy import BIN, REPO
from web.cli._source_edits import (
    SourceEditError,
    add_call_keyword,
    add_dataclass_field,
    add_from_import,
    add_list_item,
    add_to_all,
    assigned_names,
)

MODULE = '''"""A registration file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.ports.clock import Clock
from infra.billing import (
    BillingStore,
    SqlBillingStore,
)
from infra.kv.sql import SqlKeyValueStore
from web.health import HealthController

__all__ = ["ROUTES", "Container", "build"]

ROUTES: list[Any] = [
    HealthController,
]


@dataclass
class Container:
    clock: Clock
    billing: BillingStore
    probes: dict[str, Any] = field(default_factory=dict)
    """Readiness probes."""


def build(clock: Clock) -> Container:
    database = object()
    return Container(
        clock=clock,
        billing=SqlBillingStore(database),
    )
'''


def _ruff_accepts(tmp_path: Path, source: str) -> None:
    path = tmp_path / "registration.py"
    path.write_text(source)
    config = str(REPO / "pyproject.toml")
    for command in (
        ["check", "--select", "I,RUF022,E,W", "--config", config, str(path)],
        ["format", "--check", "--config", config, str(path)],
    ):
        result = subprocess.run(
            [str(BIN / "ruff"), *command], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_sample_is_clean_to_begin_with(tmp_path: Path) -> None:
    _ruff_accepts(tmp_path, MODULE)


@pytest.mark.parametrize(
    ("module", "after"),
    [
        ("common.clock", None),
        ("infra.accounts", "from core.ports.clock import Clock\n"),
        ("infra.kv.memory", "from infra.billing import (\n"),
        ("infra.kv_rollups", "from infra.kv.sql import SqlKeyValueStore\n"),
        ("modules.notes.ports", "from infra.kv.sql import SqlKeyValueStore\n"),
        ("web.notes", "from web.health import HealthController\n"),
    ],
)
def test_an_import_lands_where_isort_puts_it(
    tmp_path: Path, module: str, after: str | None
) -> None:
    edited = add_from_import(MODULE, module, "Thing")
    line = f"from {module} import Thing\n"
    if after is None:
        assert edited.index(line) < edited.index("from core.ports.clock import Clock\n")
    else:
        assert edited.index(after) < edited.index(line)
    assert edited.replace(line, "", 1) == MODULE
    _ruff_accepts(tmp_path, edited)


def test_an_import_needs_a_first_party_block() -> None:
    with pytest.raises(SourceEditError, match="first-party"):
        add_from_import("import os\n", "infra.notes", "Thing")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Alpha", '__all__ = ["ROUTES", "Alpha", "Container", "build"]\n'),
        ("MAX_SIZE", '__all__ = ["MAX_SIZE", "ROUTES", "Container", "build"]\n'),
        ("zoo", '__all__ = ["ROUTES", "Container", "build", "zoo"]\n'),
    ],
)
def test_all_stays_sorted_the_ruf022_way(name: str, expected: str) -> None:
    assert expected in add_to_all(MODULE, name)


def test_a_long_all_is_exploded_and_an_exploded_one_stays_so(tmp_path: Path) -> None:
    long_name = "AVeryLongExportedNameThatPushesTheLineOverTheLimitOfOneHundredCharacters"
    exploded = add_to_all(MODULE, long_name)
    assert f'__all__ = [\n    "ROUTES",\n    "{long_name}",\n    "Container",\n' in exploded
    again = add_to_all(exploded, "Beta")
    assert '    "Beta",\n    "Container",\n' in again
    _ruff_accepts(tmp_path, again)


def test_all_must_be_a_literal_list_of_strings() -> None:
    with pytest.raises(SourceEditError, match="literal"):
        add_to_all("__all__ = names()\n", "x")
    with pytest.raises(SourceEditError, match="strings"):
        add_to_all("__all__ = [NAME]\n", "x")


def test_a_list_item_is_appended_on_its_own_line(tmp_path: Path) -> None:
    edited = add_list_item(MODULE, "ROUTES", "NotesController")
    assert "    HealthController,\n    NotesController,\n]\n" in edited
    without_comma = MODULE.replace("    HealthController,\n", "    HealthController\n")
    assert "    HealthController,\n    NotesController,\n]" in add_list_item(
        without_comma, "ROUTES", "NotesController"
    )
    empty = MODULE.replace("[\n    HealthController,\n]", "[\n]")
    assert "[\n    NotesController,\n]" in add_list_item(empty, "ROUTES", "NotesController")
    _ruff_accepts(tmp_path, edited.replace("    NotesController,\n", "    HealthController,\n"))


def test_a_list_on_one_line_or_missing_is_refused() -> None:
    with pytest.raises(SourceEditError, match="one line"):
        add_list_item("ROUTES = [A, B]\n", "ROUTES", "C")
    with pytest.raises(SourceEditError, match="no `ROUTES"):
        add_list_item("OTHER = [\n    A,\n]\n", "ROUTES", "C")
    with pytest.raises(SourceEditError, match="own line"):
        add_list_item("ROUTES = [\n    A,\n    B]\n", "ROUTES", "C")


def test_a_field_goes_before_the_first_default() -> None:
    edited = add_dataclass_field(MODULE, "Container", "notes: NoteStore")
    assert "    billing: BillingStore\n    notes: NoteStore\n    probes:" in edited
    no_defaults = "class C:\n    a: int\n    b: str\n\n\nX = 1\n"
    assert add_dataclass_field(no_defaults, "C", "c: bytes").startswith(
        "class C:\n    a: int\n    b: str\n    c: bytes\n"
    )
    with pytest.raises(SourceEditError, match="no class"):
        add_dataclass_field(MODULE, "Missing", "x: int")
    with pytest.raises(SourceEditError, match="no fields"):
        add_dataclass_field("class C:\n    pass\n", "C", "x: int")


def test_a_keyword_goes_at_the_end_of_the_call() -> None:
    edited = add_call_keyword(MODULE, "build", "Container", "notes=SqlNoteStore(database)")
    expected = "        billing=SqlBillingStore(database),\n        notes=SqlNoteStore(database),\n"
    assert expected + "    )" in edited
    with pytest.raises(SourceEditError, match="no function"):
        add_call_keyword(MODULE, "missing", "Container", "x=1")
    with pytest.raises(SourceEditError, match="exactly one"):
        add_call_keyword(MODULE, "build", "Other", "x=1")
    one_line = "def build():\n    return Container(a=1)\n"
    with pytest.raises(SourceEditError, match="one line"):
        add_call_keyword(one_line, "build", "Container", "x=1")


def test_assigned_names_are_parameters_and_targets() -> None:
    assert assigned_names(MODULE, "build") == {"clock", "database"}
    with pytest.raises(SourceEditError, match="no function"):
        assigned_names(MODULE, "missing")
