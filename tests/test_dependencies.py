"""Dependencies point one way: certificates → applications ← inspections, and every app →
registrasi. `applications` imports neither certificates nor inspections; `inspections` does
not import certificates; `registrasi` imports no app. Read from the source with ast, so a
lazy import inside a function counts too."""

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
