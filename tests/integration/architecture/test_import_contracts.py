"""Every import-linter contract can fail: inject one breach per contract into a copy of the
tree and watch `lint-imports` name exactly that contract."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTROL = "control"

# contract id in .importlinter -> files (relative to src/) that breach it and nothing else;
# a project generated without a feature has fewer contracts, and checks only those it has
BREACHES: dict[str, dict[str, str]] = {
    "layers": {"core/_breach.py": "import web\n"},
    "infra-protected": {"background/_breach.py": "import infra.container\n"},
    "inner-layers-framework-free": {"modules/_breach.py": "import sqlalchemy\n"},
    "modules-independent": {
        "modules/breach_a/__init__.py": "",
        "modules/breach_b/__init__.py": "import modules.breach_a\n",
    },
    "acyclic-siblings": {
        "common/breach_alpha/__init__.py": "import common.breach_beta\n",
        "common/breach_beta/__init__.py": "import common.breach_alpha\n",
    },
    "llm-gateway-only": {"modules/_breach_llm.py": "import core.ports.llm\n"},
    "org-roles-with-orgs": {"modules/_breach_roles.py": "import policies.roles\n"},
    "billing-self-contained": {"web/_breach_billing.py": "import web.billing\n"},
    "ai-self-contained": {"web/_breach_ai.py": "import infra.llm\n"},
    "blueprints-self-contained": {"web/_breach_blueprints.py": "import web.blueprints\n"},
}


@dataclass(frozen=True)
class LintRun:
    returncode: int
    output: str
    """stdout and stderr with whitespace collapsed: Rich may wrap long contract names."""


def _contract_names() -> dict[str, str]:
    config = configparser.ConfigParser()
    config.read(REPO / ".importlinter")
    prefix = "importlinter:contract:"
    return {
        section.removeprefix(prefix): " ".join(config[section]["name"].split())
        for section in config.sections()
        if section.startswith(prefix)
    }


PRESENT = {
    contract: breach for contract, breach in BREACHES.items() if contract in _contract_names()
}
"""The breaches of the contracts this project's .importlinter holds."""


def _tree_with(root: Path, breach: dict[str, str]) -> Path:
    shutil.copytree(REPO / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / ".importlinter", root / ".importlinter")
    for relative, source in breach.items():
        path = root / "src" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root


@pytest.fixture(scope="module")
def lint_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LintRun]:
    """`lint-imports` over the unmodified copy and over one copy per breach, run side by side
    (cwd the copy, PYTHONPATH its src/, so the copy is what gets linted)."""
    cases = {CONTROL: {}, **PRESENT}
    processes = {}
    for case, breach in cases.items():
        root = _tree_with(tmp_path_factory.mktemp(f"lint-{case}"), breach)
        env = {**os.environ, "PYTHONPATH": str(root / "src"), "COLUMNS": "400", "NO_COLOR": "1"}
        processes[case] = subprocess.Popen(
            [str(LINT_IMPORTS), "--no-cache"],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    runs = {}
    for case, process in processes.items():
        stdout, _ = process.communicate(timeout=120)
        runs[case] = LintRun(process.returncode, " ".join(stdout.split()))
    return runs


def test_every_contract_has_an_injected_breach() -> None:
    assert set(_contract_names()) <= set(BREACHES)


def test_the_unmodified_tree_keeps_every_contract(lint_runs: dict[str, LintRun]) -> None:
    run = lint_runs[CONTROL]

    assert run.returncode == 0, run.output
    for name in _contract_names().values():
        assert f"{name} KEPT" in run.output
    assert f"Contracts: {len(PRESENT)} kept, 0 broken." in run.output


@pytest.mark.parametrize("contract", sorted(PRESENT))
def test_an_injected_breach_fails_and_names_its_contract(
    lint_runs: dict[str, LintRun], contract: str
) -> None:
    run = lint_runs[contract]

    assert run.returncode != 0, run.output
    names = _contract_names()
    assert f"{names[contract]} BROKEN" in run.output
    for other, name in names.items():
        if other != contract:
            assert f"{name} KEPT" in run.output, f"{other} should not be broken by this breach"
    assert f"Contracts: {len(PRESENT) - 1} kept, 1 broken." in run.output
