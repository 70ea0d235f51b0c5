"""`bulkhead new module NAME`: scaffold a feature across the layers, green from the first run.

The files come from `module_template/` beside this module (paths and contents with `NAME` and
`$placeholders` filled in): use cases, models and their port in `modules/NAME`, memory and SQL
adapters and the `install` that puts the SQL store on `container.services` in `infra/NAME`, a
table module and a migration on the feature's own Alembic branch, a controller in `web/NAME`,
unit, contract and HTTP tests, and the registry entry `web/features/NAME.py` that plugs it all
in. Only new files are written: the app, the tables and the migrations find them by discovery.
Everything is checked before anything is written, so a refused NAME leaves the project untouched.
"""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import rich_click as click

from common.clock import SystemClock
from core.ports.clock import Clock

__all__ = [
    "MAX_NAME_LENGTH",
    "ModuleNames",
    "Scaffold",
    "ScaffoldError",
    "check_name",
    "new_group",
    "plan_module",
    "write_scaffold",
]

TEMPLATE_ROOT = Path(__file__).parent / "module_template"
MAX_NAME_LENGTH = 24
LAYERS = ("core", "common", "policies", "modules", "infra", "background", "ai", "web")
TABLES = Path("src/infra/db/tables")
VERSIONS = Path("src/infra/db/migrations/versions")
FEATURES = Path("src/web/features")
_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_PLACEHOLDER = "NAME"
_ONE_LINE_FROM_IMPORT = re.compile(r"from [\w.]+ import [^(]+")


class ScaffoldError(Exception):
    """NAME cannot be scaffolded here; the message says why and what to do."""


def _singular(name: str) -> str:
    head, _, last = name.rpartition("_")
    if last.endswith("ies") and len(last) > 3:
        last = last[:-3] + "y"
    elif last.endswith(("sses", "xes", "ches", "shes")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 1:
        last = last[:-1]
    return f"{head}_{last}" if head else last


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


@dataclass(frozen=True)
class ModuleNames:
    """Every spelling of NAME the templates need (`blog_posts` → `BlogPost`, `/blog-posts`)."""

    module: str
    resource: str
    resource_class: str
    feature_class: str

    @classmethod
    def of(cls, name: str) -> ModuleNames:
        resource = _singular(name)
        return cls(
            module=name,
            resource=resource,
            resource_class=_camel(resource),
            feature_class=_camel(name),
        )

    def substitutions(self, date: str) -> dict[str, str]:
        return {
            "module": self.module,
            "table": self.module,
            "resource": self.resource,
            "Resource": self.resource_class,
            "Feature": self.feature_class,
            "Title": self.module.replace("_", " ").capitalize(),
            "resource_words": self.resource.replace("_", " "),
            "path": "/api/v1/" + self.module.replace("_", "-"),
            "date": date,
        }


@dataclass(frozen=True)
class Scaffold:
    """What `write_scaffold` will write: new files only, by path under the project root."""

    created: dict[Path, str] = field(default_factory=dict)


def check_name(name: str) -> None:
    if not _NAME.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
        raise ScaffoldError(
            f"NAME must be lowercase letters and digits in words joined by single underscores "
            f"(like `invoices` or `blog_posts`), at most {MAX_NAME_LENGTH} characters; "
            f"got {name!r}"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise ScaffoldError(f"NAME {name!r} is a Python keyword")
    if name in LAYERS or name == "tests":
        raise ScaffoldError(f"NAME {name!r} is the name of a layer")


def _check_free(root: Path, names: ModuleNames) -> None:
    name = names.module
    taken = [root / "src" / layer / name for layer in LAYERS]
    taken += [root / "src" / layer / f"{name}.py" for layer in LAYERS]
    taken += [root / TABLES / f"{name}.py", root / FEATURES / f"{name}.py"]
    for path in taken:
        if path.exists():
            raise ScaffoldError(f"{path.relative_to(root)} already exists: pick another NAME")
    table = re.compile(rf"""__tablename__\s*=\s*["']{name}["']""")
    for path in sorted((root / TABLES).glob("*.py")):
        if table.search(path.read_text()):
            raise ScaffoldError(f"table {name!r} is already declared in {path.relative_to(root)}")
    branch = re.compile(rf"""["']{name}(?:_0001)?["']""")
    for path in sorted((root / VERSIONS).glob("*.py")):
        for line in path.read_text().splitlines():
            if line.startswith(("revision", "branch_labels")) and branch.search(line):
                raise ScaffoldError(
                    f"Alembic branch {name!r} already exists in {path.relative_to(root)}"
                )
    _check_declarations(root, name)


def _check_declarations(root: Path, name: str) -> None:
    """No registry entry may already use NAME as its feature name or its migration branch."""
    for path in sorted((root / FEATURES).glob("*.py")):
        try:
            tree = ast.parse(path.read_text())
        except SyntaxError as exc:
            raise ScaffoldError(f"{path.relative_to(root)} does not parse: {exc}") from exc
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Feature"):
                continue
            for argument in node.keywords:
                value = argument.value
                if argument.arg not in {"name", "migrations"} or not (
                    isinstance(value, ast.Constant) and value.value == name
                ):
                    continue
                what = "feature" if argument.arg == "name" else "Alembic branch"
                raise ScaffoldError(
                    f"{what} {name!r} is already declared in {path.relative_to(root)}"
                )


def _check_project(root: Path) -> None:
    for path in (FEATURES / "__init__.py", TABLES / "__init__.py", VERSIONS):
        if not (root / path).exists():
            raise ScaffoldError(
                f"{root / path} not found: run this from the project root or pass --root"
            )


def _module_bindings(source: str) -> list[str]:
    bound: list[str] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound += [alias.asname or alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            bound.append(node.name)
        elif isinstance(node, ast.Assign):
            bound += [target.id for target in node.targets if isinstance(target, ast.Name)]
    return bound


def _sort_import_runs(source: str) -> str:
    """Order each run of one-line `from ... import` statements by module, as isort does:
    where `infra.NAME` goes beside `infra.container` depends on NAME."""
    lines = source.splitlines(keepends=True)
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and _ONE_LINE_FROM_IMPORT.fullmatch(lines[end].rstrip("\n")):
            end += 1
        if end > start:
            lines[start:end] = sorted(lines[start:end], key=_imported_module)
        start = end + 1
    return "".join(lines)


def _imported_module(line: str) -> str:
    return line.split()[1].lower()


def _render(names: ModuleNames, date: str) -> dict[Path, str]:
    values = names.substitutions(date)
    files: dict[Path, str] = {}
    for template in sorted(TEMPLATE_ROOT.rglob("*.tmpl")):
        relative = template.relative_to(TEMPLATE_ROOT).with_suffix("")
        target = Path(*(part.replace(_PLACEHOLDER, names.module) for part in relative.parts))
        content = _sort_import_runs(Template(template.read_text()).substitute(values))
        bound = _module_bindings(content)
        clashes = sorted({item for item in bound if bound.count(item) > 1})
        if clashes:
            raise ScaffoldError(
                f"NAME {names.module!r} makes {target} bind {', '.join(clashes)} twice "
                "(a generated class name meets an imported one): pick another NAME"
            )
        files[target] = content
    return files


def plan_module(root: Path, name: str, clock: Clock) -> Scaffold:
    """Check NAME against the project at `root` and compute every file; writes nothing."""
    check_name(name)
    _check_project(root)
    names = ModuleNames.of(name)
    _check_free(root, names)
    created: dict[Path, str] = {}
    for path, content in _render(names, clock.now().date().isoformat()).items():
        if not (root / path).exists():
            created[path] = content
        elif path.name != "__init__.py" or content:
            raise ScaffoldError(f"{path} already exists: pick another NAME")
    return Scaffold(created=created)


def write_scaffold(root: Path, scaffold: Scaffold) -> None:
    for path, content in scaffold.created.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(content)


@click.group(name="new")
def new_group() -> None:
    """Scaffold code that follows the house rules."""


@new_group.command(name="module")
@click.argument("name")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="Project root (the folder with src/ and tests/).",
)
def new_module_command(name: str, root: Path) -> None:
    """Scaffold feature NAME in every layer: use cases and port, SQL adapter and its install,
    table and migration, controller, tests, and its registry entry web/features/NAME.py.
    Only new files are written; no shared file is edited."""
    try:
        scaffold = plan_module(root, name, SystemClock())
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from exc
    write_scaffold(root, scaffold)
    for path in scaffold.created:
        click.echo(f"created  {path}")
    click.echo(
        f"\nNext: `uv run bulkhead db upgrade` applies the {name!r} branch; `make test` runs "
        f"its tests. The app mounts it through src/web/features/{name}.py (delete that file "
        f"and the {name} folders to remove it). Grow it from modules/{name}/use_cases.py "
        "outwards."
    )
