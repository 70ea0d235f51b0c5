"""The layer packages resolve into this checkout's src/, never an installed copy.

The layers are the root packages the import contracts name (`ai` is absent from a project
generated without the AI feature).
"""

from __future__ import annotations

import configparser
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
_CONTRACTS = configparser.ConfigParser()
_CONTRACTS.read(REPO / ".importlinter")
LAYERS = tuple(_CONTRACTS["importlinter"]["root_packages"].split())


def test_the_layers_are_the_house_rules() -> None:
    core_to_web = ("core", "common", "policies", "modules", "infra", "background", "web")
    assert [name for name in LAYERS if name != "ai"] == list(core_to_web)


def test_src_is_not_a_package() -> None:
    assert not (SRC / "__init__.py").exists()
    assert sorted(p.name for p in SRC.iterdir() if (p / "__init__.py").is_file()) == sorted(LAYERS)


@pytest.mark.parametrize("name", LAYERS)
def test_layer_imports_from_src(name: str) -> None:
    module = importlib.import_module(name)

    assert Path(module.__file__ or "").resolve() == SRC / name / "__init__.py"


def test_layers_resolve_into_src_from_any_directory(tmp_path: Path) -> None:
    """A fresh interpreter, away from the repo and without PYTHONPATH, finds the same files."""
    # find_spec locates each package the way `import` would, without running it.
    code = (
        "import importlib.util, json; "
        f"print(json.dumps([importlib.util.find_spec(n).origin for n in {list(LAYERS)!r}]))"
    )
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    files = [Path(file).resolve() for file in json.loads(result.stdout)]
    assert files == [SRC / name / "__init__.py" for name in LAYERS]
