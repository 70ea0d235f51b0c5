"""Build throwaway git repositories holding this template, as `copier` reads it from git."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.project_copy import REPO

__all__ = [
    "SUFFIX",
    "commit_all",
    "git",
    "git_identity",
    "identity_files",
    "twins",
    "working_tree_files",
    "write_template",
]

SUFFIX = ".jinja"

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Template Test",
    "GIT_AUTHOR_EMAIL": "template-test@example.com",
    "GIT_COMMITTER_NAME": "Template Test",
    "GIT_COMMITTER_EMAIL": "template-test@example.com",
    "GIT_CONFIG_COUNT": "2",
    "GIT_CONFIG_KEY_0": "commit.gpgsign",
    "GIT_CONFIG_VALUE_0": "false",
    "GIT_CONFIG_KEY_1": "init.defaultBranch",
    "GIT_CONFIG_VALUE_1": "main",
}


@contextmanager
def git_identity() -> Iterator[None]:
    """Let git (ours and copier's) commit on a machine without a configured identity."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in _GIT_ENV.items():
            patch.setenv(key, value)
        yield


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **_GIT_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"git {' '.join(args)} failed in {cwd}:\n{result.stdout}{result.stderr}")
    return result.stdout


def working_tree_files() -> list[Path]:
    """What a commit of the working tree would hold: tracked and untracked, not ignored."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("the template tests read the working tree through git")
    listed = git("ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=REPO)
    names = sorted({name for name in listed.split("\0") if name})
    return [Path(name) for name in names if (REPO / name).is_file()]


def twins() -> list[Path]:
    """Plain files that a `.jinja` twin replaces in generated projects."""
    templates = [path for path in working_tree_files() if path.name.endswith(SUFFIX)]
    return [
        plain
        for plain in (path.with_name(path.name.removesuffix(SUFFIX)) for path in templates)
        if (REPO / plain).is_file()
    ]


def identity_files() -> list[Path]:
    """The template's own part: copier.yml, every `.jinja` file and the plain twins."""
    templates = [path for path in working_tree_files() if path.name.endswith(SUFFIX)]
    return [Path("copier.yml"), *templates, *twins()]


def write_template(destination: Path, files: list[Path] | None = None) -> Path:
    """Copy the working tree (or `files` of it) to `destination`."""
    for relative in working_tree_files() if files is None else files:
        (destination / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, destination / relative)
    return destination


def commit_all(repository: Path, message: str, tag: str | None = None) -> None:
    """Commit everything in `repository` (creating it), optionally tagged, packed small."""
    if not (repository / ".git").exists():
        git("init", "--quiet", cwd=repository)
    git("add", "--all", cwd=repository)
    git("commit", "--quiet", "--no-verify", "-m", message, cwd=repository)
    if tag is not None:
        git("tag", tag, cwd=repository)
    # One pack instead of loose objects: copier walks the clone, .git included.
    git("repack", "-a", "-d", "-q", cwd=repository)
