"""Dependencies point one way: certificates → applications ← inspections, and every app →
registrasi. `applications` imports neither certificates nor inspections; `inspections` does
not import certificates; `registrasi` imports no app. Read from the source with ast, so a
lazy import inside a function counts too.

No import cycles either: between the modules of the apps and registrasi, read the same way
(an import inside a function is an edge like any other)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("applications", "inspections", "certificates")
FORBIDDEN = {
    "applications": ("certificates", "inspections"),
    "inspections": ("certificates",),
    "registrasi": APPS,
}


def imported_packages(path: Path) -> set[str]:
    """The top-level package of every absolute import in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def violations(package: str, root: Path = ROOT) -> list[str]:
    forbidden = FORBIDDEN[package]
    return [
        f"{path.relative_to(root)} imports {name}"
        for path in sorted((root / package).rglob("*.py"))
        for name in sorted(imported_packages(path) & set(forbidden))
    ]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_it_keeps_dependencies_pointing_one_way(package):
    assert violations(package) == []


def test_it_finds_a_forbidden_import_even_inside_a_function(tmp_path):
    source = tmp_path / "registrasi" / "helper.py"
    source.parent.mkdir()
    source.write_text("def f():\n    from certificates.models import Certificate\n")

    assert violations("registrasi", root=tmp_path) == ["registrasi/helper.py imports certificates"]


# The import cycle check ------------------------------------------------------------------
PACKAGES = (*APPS, "registrasi")

# Lazy imports (inside a function) that still close a cycle, as (importer, imported), each
# with the area that owns it. Remove an entry when its import goes (enqueue a task by its
# name, move the helper): a new cycle must not be added here.
ALLOWED = {
    # certificates (H3): the model's sanction properties read certificates.sanctions.
    ("certificates.models", "certificates.sanctions"),
}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: Path = ROOT, packages=PACKAGES) -> dict[str, set[str]]:
    """module -> the modules of `packages` it imports (anywhere in the file)."""
    paths = {
        module_name(path, root): path
        for package in packages
        if (root / package).is_dir()
        for path in (root / package).rglob("*.py")
    }

    def known(name):
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name

    graph = {}
    for module, path in paths.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(known(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, module, is_package=path.name == "__init__.py")
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    targets.add(submodule if submodule in paths else known(base))
        graph[module] = {target for target in targets if target and target != module}
    return graph


def _absolute(node: ast.ImportFrom, module: str, *, is_package: bool) -> str:
    """The absolute module a `from ... import` names (relative imports resolved)."""
    if not node.level:
        return node.module
    base = module if is_package else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    return f"{base}.{node.module}" if node.module else base


def import_cycles(graph: dict[str, set[str]], allowed=frozenset()) -> list[list[str]]:
    """The groups of modules that import each other (strongly connected components of more
    than one module), sorted, after removing the `allowed` edges."""
    edges = {
        module: {t for t in targets if (module, t) not in allowed}
        for module, targets in graph.items()
    }
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(edges.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return sorted(cycles)


def test_it_has_no_import_cycles():
    assert import_cycles(import_graph(), ALLOWED) == []


def test_every_allowed_import_still_closes_a_cycle():
    """An allowance whose import is gone, or no longer closes a cycle, is removed from ALLOWED."""
    graph = import_graph()
    for importer, imported in sorted(ALLOWED):
        others = ALLOWED - {(importer, imported)}
        assert import_cycles(graph, others), f"remove {(importer, imported)} from ALLOWED"


def test_it_finds_a_cycle_closed_by_an_import_inside_a_function(tmp_path):
    package = tmp_path / "inspections"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text("from inspections import tasks\n")
    (package / "tasks.py").write_text("def run():\n    from .services import go\n")
    (package / "models.py").write_text("from inspections.services import go\n")

    graph = import_graph(tmp_path, packages=("inspections",))

    assert import_cycles(graph) == [["inspections.services", "inspections.tasks"]]
    assert import_cycles(graph, {("inspections.tasks", "inspections.services")}) == []
