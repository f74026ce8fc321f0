"""Locked dependencies (issue 14 item 6): the lock files pin, with hashes, what
requirements*.txt declare, and every third-party package the code imports is declared."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ["accounts", "cases", "drafting", "config", "manage.py", "gunicorn.conf.py", "deploy"]
DEVELOPMENT = ["devtools", "tests"]
LOCAL = {"accounts", "cases", "drafting", "config", "devtools", "tests", "deploy"}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(path: Path) -> dict[str, str]:
    """name -> pinned version, following ``-r`` includes."""
    pins: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            pins.update(_requirements(path.parent / line[3:].strip()))
            continue
        match = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^\s;\\]+)", line)
        assert match, f"{path.name}: not pinned with ==: {raw}"
        pins[_normalise(match[1])] = match[3]
    return pins


def _lock(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of a pip-compile --generate-hashes file."""
    entries: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line)
        if match:
            current = _normalise(match[1])
            entries[current] = (match[2], 0)
        elif current and "--hash=sha256:" in line:
            version, hashes = entries[current]
            entries[current] = (version, hashes + 1)
    return entries


def test_the_locks_pin_what_the_requirements_declare_with_hashes():
    for requirements, lock in (
        ("requirements.txt", "requirements.lock"),
        ("requirements-dev.txt", "requirements-dev.lock"),
    ):
        declared = _requirements(ROOT / requirements)
        locked = _lock(ROOT / lock)
        stale = {
            name: (version, locked.get(name, ("missing", 0))[0])
            for name, version in declared.items()
            if locked.get(name, ("", 0))[0] != version
        }
        assert stale == {}, f"{lock} is out of step with {requirements}: run `make lock`"
        unhashed = [name for name, (_, hashes) in locked.items() if hashes == 0]
        assert unhashed == [], f"{lock}: entries without hashes"


def test_the_runtime_lock_is_the_development_locks_subset():
    runtime = _lock(ROOT / "requirements.lock")
    development = _lock(ROOT / "requirements-dev.lock")
    differing = {
        name: (version, development.get(name, ("missing", 0))[0])
        for name, (version, _) in runtime.items()
        if development.get(name, ("", 0))[0] != version
    }
    assert differing == {}, "regenerate both locks together: `make lock`"


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (types only, never imported)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            test = getattr(child, "test", None)
            if isinstance(child, ast.If) and (
                (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
                or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
            ):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def _imported_top_level(paths: list[str]) -> dict[str, str]:
    """Top-level module -> a file importing it (absolute imports only)."""
    found: dict[str, str] = {}
    for entry in paths:
        root = ROOT / entry
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in _runtime_nodes(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def _undeclared(paths: list[str], declared: set[str]) -> dict[str, str]:
    distributions = packages_distributions()
    missing = {}
    for module, where in sorted(_imported_top_level(paths).items()):
        if module in sys.stdlib_module_names or module in LOCAL or module == "__future__":
            continue
        providers = {_normalise(name) for name in distributions.get(module, [])}
        assert providers, f"{where} imports {module}, which no installed distribution provides"
        if not providers & declared:
            missing[module] = f"{where} (from {', '.join(sorted(providers))})"
    return missing


def test_every_package_the_product_imports_is_a_runtime_requirement():
    declared = set(_requirements(ROOT / "requirements.txt"))
    declared |= {"kombu", "redis"}  # celery[redis]'s own: the extra declares them
    assert _undeclared(PRODUCT, declared) == {}


def test_every_package_the_tests_and_devtools_import_is_declared():
    declared = set(_requirements(ROOT / "requirements-dev.txt")) | {"kombu", "redis"}
    assert _undeclared(DEVELOPMENT, declared) == {}
