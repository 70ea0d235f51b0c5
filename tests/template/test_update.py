"""`copier update`: a project made from v1 and edited by its owner takes v2 and keeps the edits.

The template here is the template's own part (copier.yml, the `.jinja` files and their plain
twins) plus the Makefile: the update machinery is the same as for the whole tree (test_render
renders that), and copier's per-path cost would make a whole-tree update take a minute.
"""

from __future__ import annotations

from pathlib import Path

import copier
import pytest
import yaml

from tests.template._template_repo import (
    commit_all,
    git,
    git_identity,
    identity_files,
    write_template,
)

pytestmark = pytest.mark.slow

OWNER_TARGET = "\nowner-report:\n\t@echo the owner's own target\n"
OWNER_NOTE = "\nOwner's note: this service runs in eu-west.\n"
TEMPLATE_HELP = "install, migrate the database and serve the API"
TEMPLATE_HELP_V2 = "install, migrate and serve the API"
UPGRADE_NOTES = "docs/UPGRADING.md"


def test_an_update_brings_the_new_version_and_keeps_the_owners_edits(tmp_path: Path) -> None:
    template = write_template(tmp_path / "template", [*identity_files(), Path("Makefile")])
    project = tmp_path / "acme-cloud"
    with git_identity():
        commit_all(template, "v1", tag="v1")
        copier.run_copy(
            str(template),
            project,
            data={"project_name": "Acme Cloud"},
            defaults=True,
            unsafe=True,
            quiet=True,
        )
        commit_all(project, "generated from the template's v1")

        with (project / "Makefile").open("a") as makefile:
            makefile.write(OWNER_TARGET)
        with (project / "README.md").open("a") as readme:
            readme.write(OWNER_NOTE)
        commit_all(project, "the owner's edits")

        makefile = (template / "Makefile").read_text()
        assert TEMPLATE_HELP in makefile
        (template / "Makefile").write_text(makefile.replace(TEMPLATE_HELP, TEMPLATE_HELP_V2))
        readme = (template / "README.md").read_text()
        title, _, body = readme.partition("\n")
        (template / "README.md").write_text(f"{title}\n\nNew in v2: an upgrade guide.\n{body}")
        (template / UPGRADE_NOTES).parent.mkdir(exist_ok=True)
        (template / UPGRADE_NOTES).write_text("# Upgrading\n")
        commit_all(template, "v2", tag="v2")

        copier.run_update(project, defaults=True, overwrite=True, unsafe=True, quiet=True)

    makefile = (project / "Makefile").read_text()
    assert TEMPLATE_HELP_V2 in makefile
    assert makefile.endswith(OWNER_TARGET)
    readme = (project / "README.md").read_text()
    assert readme.startswith("# Acme Cloud\n\nNew in v2: an upgrade guide.\n")
    assert readme.endswith(OWNER_NOTE)
    assert (project / UPGRADE_NOTES).read_text() == "# Upgrading\n"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert (answers["_commit"], answers["project_name"]) == ("v2", "Acme Cloud")
    assert 'name = "acme-cloud"' in (project / "pyproject.toml").read_text()
    changed = git("status", "--porcelain", cwd=project)
    assert not list(project.rglob("*.rej")), changed
    for line in changed.splitlines():
        path = project / line[3:]
        if path.is_file():
            assert "<<<<<<<" not in path.read_text(), line
