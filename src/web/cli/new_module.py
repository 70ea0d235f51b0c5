"""`bulkhead new module NAME`: scaffold a feature across the layers, green from the first run.

The files come from `module_template/` beside this module (paths and contents with `NAME` and
`$placeholders` filled in): use cases, models and their port in `modules/NAME`, memory and SQL
adapters in `infra/NAME`, a table and a migration on the feature's own Alembic branch, a
controller in `web/NAME`, and unit, contract and HTTP tests. Three registration files get one
additive edit each: the table import, the route, the container field. Everything is checked
before anything is written, so a refused NAME leaves the project untouched.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import rich_click as click

from common.clock import SystemClock
from core.ports.clock import Clock
from web.cli._source_edits import (
    SourceEditError,
    add_call_keyword,
    add_dataclass_field,
    add_from_import,
    add_list_item,
    add_to_all,
    assigned_names,
)

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
CONTAINER = Path("src/infra/container.py")
ROUTES = Path("src/web/routes.py")
_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_PLACEHOLDER = "NAME"


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
    """What `write_scaffold` will do: new files and the new text of edited ones."""

    created: dict[Path, str] = field(default_factory=dict)
    edited: dict[Path, str] = field(default_factory=dict)


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
    taken.append(root / TABLES / f"{name}.py")
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


def _check_project(root: Path) -> None:
    for path in (CONTAINER, ROUTES, TABLES / "__init__.py", VERSIONS):
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


def _render(names: ModuleNames, date: str) -> dict[Path, str]:
    values = names.substitutions(date)
    files: dict[Path, str] = {}
    for template in sorted(TEMPLATE_ROOT.rglob("*.tmpl")):
        relative = template.relative_to(TEMPLATE_ROOT).with_suffix("")
        target = Path(*(part.replace(_PLACEHOLDER, names.module) for part in relative.parts))
        content = Template(template.read_text()).substitute(values)
        bound = _module_bindings(content)
        clashes = sorted({item for item in bound if bound.count(item) > 1})
        if clashes:
            raise ScaffoldError(
                f"NAME {names.module!r} makes {target} bind {', '.join(clashes)} twice "
                "(a generated class name meets an imported one): pick another NAME"
            )
        files[target] = content
    return files


def _edit(root: Path, path: Path, *steps: tuple[str, ...]) -> str:
    source = (root / path).read_text()
    edits: dict[str, Callable[..., str]] = {
        "import": add_from_import,
        "all": add_to_all,
        "item": add_list_item,
        "field": add_dataclass_field,
        "keyword": add_call_keyword,
    }
    try:
        for kind, *arguments in steps:
            if kind == "import" and arguments[1] in _module_bindings(source):
                raise SourceEditError(f"`{arguments[1]}` is already bound there")
            source = edits[kind](source, *arguments)
    except SourceEditError as exc:
        raise ScaffoldError(f"{path}: {exc}; pick another NAME or register it by hand") from exc
    return source


def _registrations(root: Path, names: ModuleNames) -> dict[Path, str]:
    module, resource, feature = names.module, names.resource_class, names.feature_class
    container = (root / CONTAINER).read_text()
    if module in _container_members(container):
        raise ScaffoldError(f"Container already has a member named {module!r}: pick another NAME")
    if "database" not in assigned_names(container, "build_container"):
        raise ScaffoldError(f"{CONTAINER}: build_container has no `database` to hand the store")
    return {
        TABLES / "__init__.py": _edit(
            root,
            TABLES / "__init__.py",
            ("import", f"infra.db.tables.{module}", f"{resource}Row"),
            ("all", f"{resource}Row"),
        ),
        ROUTES: _edit(
            root,
            ROUTES,
            ("import", f"web.{module}", f"{feature}Controller"),
            ("item", "ROUTE_HANDLERS", f"{feature}Controller"),
        ),
        CONTAINER: _edit(
            root,
            CONTAINER,
            ("import", f"infra.{module}", f"Sql{resource}Store"),
            ("import", f"modules.{module}", f"{resource}Store"),
            ("field", "Container", f"{module}: {resource}Store"),
            ("keyword", "build_container", "Container", f"{module}=Sql{resource}Store(database)"),
        ),
    }


def _container_members(source: str) -> set[str]:
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name == "Container":
            members = {item.name for item in node.body if isinstance(item, ast.FunctionDef)}
            members.update(
                item.target.id
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            )
            return members
    raise ScaffoldError(f"{CONTAINER}: no Container class")


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
    return Scaffold(created=created, edited=_registrations(root, names))


def write_scaffold(root: Path, scaffold: Scaffold) -> None:
    for path, content in {**scaffold.created, **scaffold.edited}.items():
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
    """Scaffold feature NAME in every layer: use cases and port, SQL adapter, table and
    migration, controller, tests, and its registration in the container and the routes."""
    try:
        scaffold = plan_module(root, name, SystemClock())
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from exc
    write_scaffold(root, scaffold)
    for path in scaffold.created:
        click.echo(f"created  {path}")
    for path in scaffold.edited:
        click.echo(f"edited   {path}")
    click.echo(
        f"\nNext: `uv run bulkhead db upgrade` applies the {name!r} branch; `make test` runs "
        f"its tests. Grow it from modules/{name}/use_cases.py outwards."
    )
