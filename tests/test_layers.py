"""The package's layers (docs/architecture.md): no module-level import cycle between modules.

Read from the source with ``ast``: each module's top-level imports of other crmsheet modules
(imports under ``if TYPE_CHECKING`` and inside functions are not part of the layering). A
cycle means two rooms lean on each other, and the floors drawn in docs/architecture.md
would no longer hold.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "crmsheet"


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


PATHS = {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))}
MODULES = set(PATHS)


def _imports(path: Path) -> set[str]:
    """The crmsheet modules ``path`` imports at module level."""
    here = _module(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("crmsheet"):
                for a in node.names:
                    # "from .. import parse" imports the module crmsheet.parse; "from . import
                    # __version__" imports the package's face itself
                    sub = f"{target}.{a.name}"
                    found.add(sub if node.module is None and sub in MODULES else target)
                    if sub in MODULES:
                        found.add(sub)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("crmsheet"))
    return found


def _graph() -> dict[str, set[str]]:
    return {m: {i for i in _imports(p) if i in MODULES and i != m} for m, p in PATHS.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for nxt in sorted(graph[node]):
            found = visit(nxt, [*path, node])
            if found:
                return found
        done.add(node)
        return None

    for start in sorted(graph):
        found = visit(start, [])
        if found:
            return found
    return None


def test_no_module_level_import_cycle() -> None:
    graph = _graph()
    assert len(graph) > 50  # the whole package was read
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_io_and_the_ground_floor_import_nothing_above_them() -> None:
    """io/ and the ground floor never import the analyses, the checks or the workbook."""
    rooms = ("analysis", "checks", "workbook", "enrich", "reader", "cli", "templates", "mapping")
    above = tuple(f"crmsheet.{room}" for room in rooms)
    ground = tuple(f"crmsheet.{room}" for room in ("io", "parse", "problems", "errors", "cutoff"))
    for module, imports in _graph().items():
        if module.startswith(ground):
            assert not [i for i in imports if i.startswith(above)], module
