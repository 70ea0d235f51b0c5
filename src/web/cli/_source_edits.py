"""Additive edits of registration files, placed where ruff (isort, format, RUF022) expects them.

Each function takes a module's source and returns it with one thing added: an import among
the first-party imports, a name in `__all__`, an item at the end of a list, a dataclass field,
a keyword in a call. Positions come from the syntax tree, so other people's formatting is left
exactly as it was; a shape these functions do not recognise is a `SourceEditError`, never a
guess.
"""

from __future__ import annotations

import ast
import re

__all__ = [
    "FIRST_PARTY",
    "SourceEditError",
    "add_call_keyword",
    "add_dataclass_field",
    "add_from_import",
    "add_list_item",
    "add_to_all",
    "assigned_names",
]

FIRST_PARTY = frozenset(
    {"core", "common", "policies", "modules", "infra", "background", "ai", "web", "tests"}
)
LINE_LENGTH = 100
_INDENT = "    "


class SourceEditError(Exception):
    """The file does not have the shape the edit expects; say which file and do it by hand."""


def _lines(source: str) -> list[str]:
    return source.splitlines(keepends=True)


def _insert(source: str, index: int, text: str) -> str:
    lines = _lines(source)
    lines.insert(index, text)
    return "".join(lines)


def _import_key(module: str) -> tuple[str, ...]:
    return tuple(part.lower() for part in module.split("."))


def add_from_import(source: str, module: str, name: str) -> str:
    """Add `from module import name` in isort order among the module-level first-party imports."""
    tree = ast.parse(source)
    imports = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        and node.level == 0
        and node.module is not None
        and node.module.split(".")[0] in FIRST_PARTY
    ]
    if not imports:
        raise SourceEditError("no first-party `from ... import` block to join")
    key = _import_key(module)
    after = [node for node in imports if _import_key(node.module or "") > key]
    index = after[0].lineno - 1 if after else (imports[-1].end_lineno or imports[-1].lineno)
    return _insert(source, index, f"from {module} import {name}\n")


def _all_order(name: str) -> tuple[int, str]:
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def add_to_all(source: str, name: str) -> str:
    """Add `name` to the module's literal `__all__`, keeping RUF022's isort-style order."""
    tree = ast.parse(source)
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and [getattr(target, "id", None) for target in node.targets] == ["__all__"]
            and isinstance(node.value, ast.List | ast.Tuple)
        ):
            break
    else:
        raise SourceEditError("no literal `__all__ = [...]`")
    names = [
        element.value
        for element in node.value.elts
        if isinstance(element, ast.Constant) and isinstance(element.value, str)
    ]
    if len(names) != len(node.value.elts):
        raise SourceEditError("`__all__` holds something other than strings")
    members = sorted({*names, name}, key=_all_order)
    end = node.end_lineno or node.lineno
    single = "__all__ = [" + ", ".join(f'"{member}"' for member in members) + "]\n"
    if node.lineno == end and len(single) - 1 <= LINE_LENGTH:
        text = single
    else:
        text = "__all__ = [\n" + "".join(f'{_INDENT}"{member}",\n' for member in members) + "]\n"
    lines = _lines(source)
    lines[node.lineno - 1 : end] = [text]
    return "".join(lines)


def _assigned_list(tree: ast.Module, variable: str) -> ast.List:
    for node in tree.body:
        targets: list[ast.expr]
        if isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        elif isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        else:
            continue
        names = [target.id for target in targets if isinstance(target, ast.Name)]
        if names == [variable] and isinstance(value, ast.List):
            return value
    raise SourceEditError(f"no `{variable} = [...]` list")


def _close_before(
    source: str, node: ast.expr, items: list[ast.expr] | list[ast.keyword], item: str
) -> str:
    """Insert `item,` on its own line before the bracket that closes multi-line `node`."""
    lines = _lines(source)
    end = node.end_lineno or node.lineno
    closer = lines[end - 1]
    if not re.fullmatch(r"\s*[)\]]\s*", closer):
        raise SourceEditError("the closing bracket does not stand on its own line")
    if items:
        last = items[-1]
        row, column = (last.end_lineno or last.lineno) - 1, last.end_col_offset or 0
        if not lines[row][column:].lstrip().startswith(","):
            lines[row] = f"{lines[row][:column]},{lines[row][column:]}"
        indent = " " * last.col_offset
    else:
        indent = closer[: len(closer) - len(closer.lstrip())] + _INDENT
    lines.insert(end - 1, f"{indent}{item},\n")
    return "".join(lines)


def add_list_item(source: str, variable: str, item: str) -> str:
    """Append `item` to the module-level list `variable` (written one item per line)."""
    value = _assigned_list(ast.parse(source), variable)
    if value.lineno == value.end_lineno:
        raise SourceEditError(f"`{variable}` is written on one line; write one item per line")
    return _close_before(source, value, value.elts, item)


def add_dataclass_field(source: str, class_name: str, field: str) -> str:
    """Add `field` (like `name: Type`) after the last field of `class_name` without a default."""
    tree = ast.parse(source)
    classes = [
        node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == class_name
    ]
    if not classes:
        raise SourceEditError(f"no class {class_name}")
    fields = [node for node in classes[0].body if isinstance(node, ast.AnnAssign)]
    if not fields:
        raise SourceEditError(f"{class_name} declares no fields")
    with_default = [node for node in fields if node.value is not None]
    if with_default:
        index = with_default[0].lineno - 1
    else:
        index = fields[-1].end_lineno or fields[-1].lineno
    indent = " " * fields[0].col_offset
    return _insert(source, index, f"{indent}{field}\n")


def add_call_keyword(source: str, function: str, callee: str, keyword: str) -> str:
    """Add `keyword` (like `name=value`) to the multi-line `callee(...)` call in `function`."""
    tree = ast.parse(source)
    functions = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function
    ]
    if not functions:
        raise SourceEditError(f"no function {function}")
    calls = [
        node
        for node in ast.walk(functions[0])
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == callee
    ]
    if len(calls) != 1:
        raise SourceEditError(f"{function} does not make exactly one {callee}(...) call")
    call = calls[0]
    if call.lineno == call.end_lineno:
        raise SourceEditError(f"the {callee}(...) call is written on one line")
    arguments: list[ast.expr] | list[ast.keyword] = call.keywords or call.args
    return _close_before(source, call, arguments, keyword)


def assigned_names(source: str, function: str) -> set[str]:
    """Names that module-level `function` binds: its parameters and assignment targets."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function:
            bound = {item.arg for item in ast.walk(node.args) if isinstance(item, ast.arg)}
            for item in ast.walk(node):
                if isinstance(item, ast.Name) and isinstance(item.ctx, ast.Store):
                    bound.add(item.id)
            return bound
    raise SourceEditError(f"no function {function}")
