"""The shape of the code: no import cycle between modules, every app under the import contracts.

The dependency direction and "no API module imports a view module" are import-linter contracts
(`[tool.importlinter]` in pyproject.toml, run by `make imports`). Cycles are checked here, on the
same import graph (grimp, import-linter's graph library), module by module: an import inside a
function counts like any other (moving an import into a function hides a cycle, it does not break
it); an `if TYPE_CHECKING:` import does not (it never runs).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _importlinter_config() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["tool"]["importlinter"]


def _product_packages() -> list[str]:
    """Our Django apps and config: the top-level packages of the repository, tests excepted."""
    return sorted(
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests"} and not path.parent.name.startswith(".")
    )


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(
        *_product_packages(), cache_dir=None, exclude_type_checking_imports=True
    )


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def test_cycle_finder_finds_cycles():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert _cycles(edges) == [["a", "b", "c"]]


def test_no_import_cycle_between_modules(graph):
    modules = {m for m in graph.modules if ".migrations" not in m}
    edges = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
    report = []
    for cycle in _cycles(edges):
        members = set(cycle)
        report.append("Import cycle: " + ", ".join(cycle))
        for importer in cycle:
            for imported in sorted(edges[importer] & members):
                for detail in graph.get_import_details(importer=importer, imported=imported):
                    report.append(
                        f"    {importer} -> {imported} (l.{detail['line_number']}: "
                        f"{detail['line_contents']})"
                    )
    assert not report, "\n".join(report)


def test_every_app_is_under_the_import_contracts():
    """A new top-level package (such as `devtools`) must join the import-linter graph, or the
    contracts cannot see who imports it."""
    assert sorted(_importlinter_config()["root_packages"]) == _product_packages()
