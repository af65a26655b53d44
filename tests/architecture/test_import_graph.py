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


def test_project_modules_are_imported_at_the_top_of_a_module_except_where_a_reason_is_given():
    deferred = []
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in DEFERRED:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for inner in ast.walk(node):
                        names = ([inner.module or ""] if isinstance(inner, ast.ImportFrom)
                                 else [a.name for a in inner.names] if isinstance(inner, ast.Import) else [])
                        if any(name.split(".")[0] in PACKAGES for name in names):
                            deferred.append(f"{relative}:{inner.lineno}")
    assert deferred == []
