"""The code's contract: layers without cycles or upward imports, no private imports across
packages, and size limits (modules, functions, cyclomatic complexity).

The layers follow the data flow (``../shared/DESIGN.md``, docs/extending.md): a module may
import from its own layer and the layers below it, never from a layer above. Run this file as
a script to print the measurements: ``python tests/test_architecture.py``.

Oracle: the source itself, parsed with :mod:`ast` (every import, lazy ones inside functions
included).
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "riskml"

#: Bottom to top. A module of one layer imports only from its own layer or those below.
LAYERS = (
    ("riskml._version", "riskml.errors", "riskml.utils"),
    ("riskml.outcome",),
    ("riskml.cohorts",),
    ("riskml.evaluation",),
    ("riskml.features",),
    ("riskml.models",),
    ("riskml.explain",),
    ("riskml.persistence",),
    ("riskml.report",),
    ("riskml.study",),
    ("riskml.deployment", "riskml.study_file"),
    ("riskml.cli",),
)
#: The package's ``__init__`` re-exports lazily from every layer; nothing imports it back.
ROOT_MODULE = "riskml"

MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 100
MAX_COMPLEXITY = 25


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _unit(module: str) -> str:
    """The layer unit a module belongs to: ``riskml.<first part>``."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def _layer(unit: str) -> int:
    for index, units in enumerate(LAYERS):
        if unit in units:
            return index
    raise AssertionError(f"{unit} is in no layer of LAYERS: add it where it belongs")


def imports():
    """``(importer, imported module, imported names, line)`` for every riskml import."""
    found = []
    for module, path in _modules():
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                target, names = None, []
                for alias in node.names:
                    if alias.name.startswith("riskml"):
                        found.append((module, alias.name, [], node.lineno))
                continue
            else:
                continue
            if target == "riskml" or target.startswith("riskml."):
                found.append((module, target, names, node.lineno))
    return found


def layer_violations() -> list[str]:
    problems = []
    for importer, target, names, line in imports():
        if importer == ROOT_MODULE:
            continue
        if target == ROOT_MODULE:
            problems.append(f"{importer}:{line} imports the riskml package itself ({names})")
            continue
        source, destination = _unit(importer), _unit(target)
        if source == destination:
            continue
        if _layer(destination) > _layer(source):
            problems.append(f"{importer}:{line} imports {target} from a layer above")
        private_module = any(part.startswith("_") for part in target.split(".")[2:])
        private_names = [n for n in names if n.startswith("_") and n != "__version__"]
        if (private_module and destination != "riskml._version") or private_names:
            problems.append(
                f"{importer}:{line} imports private {target} {private_names or ''} across packages"
            )
    return problems


def package_cycles() -> list[str]:
    """Cycles between units (packages and top-level modules)."""
    graph = defaultdict(set)
    for importer, target, _, _ in imports():
        if importer != ROOT_MODULE and target != ROOT_MODULE:
            source, destination = _unit(importer), _unit(target)
            if source != destination:
                graph[source].add(destination)
    cycles, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(trail[trail.index(nxt) :] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return cycles


def _complexity(function) -> int:
    """Cyclomatic complexity as radon counts it: 1 + decision points."""
    count = 1
    for node in ast.walk(function):
        if node is not function and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue  # nested functions are measured on their own
        if isinstance(
            node,
            ast.If
            | ast.For
            | ast.While
            | ast.AsyncFor
            | ast.ExceptHandler
            | ast.IfExp
            | ast.Assert,
        ):
            count += 1
        elif isinstance(node, ast.BoolOp):
            count += len(node.values) - 1
        elif isinstance(node, ast.comprehension):
            count += 1 + len(node.ifs)
        elif isinstance(node, ast.match_case):
            count += 1
    return count


def _code_lines(function) -> int:
    """Lines from the first statement after the docstring to the end of the function."""
    body = function.body
    first = body[0]
    has_docstring = isinstance(first, ast.Expr) and isinstance(
        getattr(first, "value", None), ast.Constant
    )
    if has_docstring and isinstance(first.value.value, str):
        if len(body) == 1:
            return 0
        first = body[1]
    return function.end_lineno - first.lineno + 1


def sizes() -> dict:
    out = {"modules": [], "functions": [], "complexity": []}
    for module, path in _modules():
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            out["modules"].append(f"{module}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                where = f"{module}.{node.name} (line {node.lineno})"
                if _code_lines(node) > MAX_FUNCTION_LINES:
                    out["functions"].append(f"{where}: {_code_lines(node)} lines")
                if _complexity(node) > MAX_COMPLEXITY:
                    out["complexity"].append(f"{where}: complexity {_complexity(node)}")
    return out


def test_imports_follow_the_layers():
    assert layer_violations() == []


def test_no_cycles_between_packages():
    assert package_cycles() == []


def test_modules_within_800_lines():
    assert sizes()["modules"] == []


def test_functions_within_100_lines():
    assert sizes()["functions"] == []


def test_complexity_within_25():
    assert sizes()["complexity"] == []


def test_the_checks_can_fail(tmp_path):
    """The measurements see what they should: a planted long, complex function."""
    branches = "\n".join(f"    if x == {i}:\n        x += 1" for i in range(30))
    tree = ast.parse(f"def f(x):\n    '''doc'''\n{branches}\n    return x\n")
    function = tree.body[0]
    assert _complexity(function) == 31
    assert _code_lines(function) == 61


if __name__ == "__main__":
    found = sizes()
    for title, rows in [
        ("layer violations", layer_violations()),
        ("cycles", package_cycles()),
        (f"modules over {MAX_MODULE_LINES} lines", found["modules"]),
        (f"functions over {MAX_FUNCTION_LINES} lines of code", found["functions"]),
        (f"cyclomatic complexity over {MAX_COMPLEXITY}", found["complexity"]),
    ]:
        print(f"{title}: {len(rows)}")
        for row in rows:
            print("  ", row)
    sys.exit(0)
