"""The import graph of the project's own code: no cycles, and no function-level imports of project modules
outside the few places that say why.

grimp (import-linter's graph library) reads every import statement, at any depth of a module, so an import tucked
inside a function still counts as an edge: a cycle cannot hide behind one.
"""

import ast
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shop", "recommender", "benchmarks")
# Function-level imports of project modules kept on purpose, each with its reason beside it in the code.
DEFERRED = {
    "recommender/apps.py",  # AppConfig.ready(): receivers import models, loaded only after every app config
    "shop/core/apps.py",  # the same, for the pgvector system check
    "recommender/embeddings/encoders/lite0.py",  # lite0_arch imports torch: only when a model is built
}
# Product code only: a benchmark is a script run on its own, free to import what it measures when it runs.
PRODUCT = ("shop", "recommender")


def import_cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph.modules:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        cycles.append(sorted(component))
    return cycles


def project_graph():
    sys.path.insert(0, str(ROOT))
    return grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)


def test_the_project_has_no_import_cycles():
    graph = project_graph()
    cycles = import_cycles(graph)
    chains = [graph.find_shortest_chain(importer=c[0], imported=c[1]) for c in cycles]
    assert cycles == [], f"import cycles: {cycles}; e.g. {chains}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_names(node) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
    return [a.name for a in node.names] if isinstance(node, ast.Import) else []


def modules_loading_torch() -> set[str]:
    """Project modules that import torch when they are imported (through module-level imports only)."""
    top: dict[str, set[str]] = {}
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            names = set()
            for node in ast.parse(path.read_text()).body:
                for inner in ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else [node]:
                    names.update(_imported_names(inner))
            top[_module_name(path)] = names
    loading = {m for m, names in top.items() if any(n.split(".")[0] == "torch" for n in names)}
    while True:
        more = {m for m, names in top.items() if m not in loading and names & loading}
        if not more:
            return loading
        loading |= more


def test_project_modules_are_imported_at_the_top_of_a_module_except_where_a_reason_is_given():
    # The one general reason: a module that loads torch (seconds, and hundreds of MB) is imported where a model is
    # built, so that a web process, the admin or a command that never builds one does not load it.
    torch_loading = modules_loading_torch()
    deferred = []
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in DEFERRED:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for inner in ast.walk(node):
                        names = _imported_names(inner)
                        if any(name.split(".")[0] in PACKAGES for name in names) and not set(names) & torch_loading:
                            deferred.append(f"{relative}:{inner.lineno}")
    assert deferred == []
