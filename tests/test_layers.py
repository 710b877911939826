"""The layers hold: a lower layer never imports a higher one.

web/ (HTTP endpoints) -> schema/ (GraphQL types) -> resolvers/ (rules, services) -> db/ (tables,
loaders); graph/ knows nothing of GraphQL, the rules or HTTP; app.py is the top, imported by nobody
but cli/. Every import counts, including ones inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN: dict[str, frozenset[str]] = {
    "db": frozenset({"resolvers", "schema", "graph", "web", "app", "cli"}),
    "resolvers": frozenset({"schema", "web", "app", "cli"}),
    "graph": frozenset({"schema", "resolvers", "web", "app", "cli"}),
    "schema": frozenset({"web", "app", "cli"}),
    "web": frozenset({"app", "cli"}),
    "telemetry": frozenset({"db", "resolvers", "schema", "graph", "web", "app", "cli"}),
}


def _package_of(path: Path) -> str:
    """The dotted package a module lives in, for resolving relative imports."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])


def _imported(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """The absolute module names an import statement reaches."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        parts = package.split(".")
        base = ".".join(parts[: len(parts) - node.level + 1])
        return [f"{base}.{node.module}" if node.module else base]
    return [node.module or ""]


def violations() -> list[str]:
    """Every ``file:line`` where a layer imports one it must not, with what it imports."""
    found: list[str] = []
    for layer, forbidden in FORBIDDEN.items():
        for path in sorted((ROOT / layer).rglob("*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                for name in _imported(node, _package_of(path)):
                    if name.split(".")[0] in forbidden:
                        where = path.relative_to(ROOT)
                        found.append(f"{where}:{node.lineno}: {layer} imports {name}")
    return found


def test_no_lower_layer_imports_a_higher_one() -> None:
    found = violations()
    assert not found, "layering violations:\n" + "\n".join(found)


def test_only_cli_imports_app() -> None:
    found: list[str] = []
    for path in sorted(ROOT.glob("*.py")):
        if path.name == "app.py":
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name in _imported(node, ""):
                    if name.split(".")[0] == "app":
                        found.append(f"{path.name}:{node.lineno}: imports {name}")
    assert not found, "only cli/ may import app:\n" + "\n".join(found)


def test_schema_modules_take_their_enums_from_schema_enums() -> None:
    """`schema/enums.py` makes the domain's enums GraphQL enums; a schema module that took one
    from `db.enums` would depend on some other import having registered it first."""
    found: list[str] = []
    for path in sorted((ROOT / "schema").rglob("*.py")):
        if path == ROOT / "schema" / "enums.py":
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            names = _imported(node, _package_of(path))
            if isinstance(node, ast.ImportFrom) and names == ["db"]:
                names = [f"db.{alias.name}" for alias in node.names]
            if any(name == "db.enums" or name.startswith("db.enums.") for name in names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports db.enums")
    assert not found, "import enums from schema.enums:\n" + "\n".join(found)
