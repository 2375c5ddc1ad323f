"""Imports run one way, down the layers of docs/architecture.md: the app and its commands on
top, then audit -> printing -> results -> observers -> ballots -> voters -> candidates ->
territory -> auth -> web -> the ground (core and the rule profiles). A module may import its
own layer and those below, never one above; an import only for type checking (under
``if TYPE_CHECKING:``) is not one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "elections"
LAYERS = (
    ("core", "rules"),
    ("web",),
    ("auth",),
    ("territory",),
    ("candidates",),
    ("voters",),
    ("ballots",),
    ("observers",),
    ("results",),
    ("printing",),
    ("audit",),
    ("demo",),
    ("__init__", "cli"),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def layer_of(module: str) -> str:
    """elections.results.api -> results; elections -> __init__."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_modules(source: str, module: str) -> list[tuple[int, str]]:
    """``(line, module)`` of every import of an ``elections`` module, at any depth."""
    found = []

    def visit(node):
        if isinstance(node, ast.If) and _type_checking_only(node):
            return
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "elections":
                found.extend((node.lineno, f"elections.{alias.name}") for alias in node.names)
            elif node.module.startswith("elections."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend(
                (node.lineno, alias.name)
                for alias in node.names
                if alias.name.startswith("elections.")
            )
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def arrows_up(package: Path = PACKAGE) -> list[str]:
    """Every import that runs from a layer to one above it, as ``file:line -> module``."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package.parent).with_suffix("")
        if "migrations" in relative.parts:
            continue
        module = ".".join(relative.parts).removesuffix(".__init__")
        mine = RANK[layer_of(module) if module != "elections" else "__init__"]
        for line, target in imported_modules(path.read_text(), module):
            if RANK[layer_of(target)] > mine:
                found.append(f"{relative}.py:{line} -> {target}")
    return found


def test_every_folder_of_the_package_has_a_layer():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert (folders | modules) - {"migrations"} <= set(RANK), "name its layer in LAYERS"


def test_no_import_runs_back_up_the_layers():
    assert arrows_up() == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from elections.results.api import bp\n", ["auth/x.py:1 -> elections.results.api"]),
        ("def f():\n    from elections import results\n", ["auth/x.py:2 -> elections.results"]),
        ("import elections.ballots.models\n", ["auth/x.py:1 -> elections.ballots.models"]),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import elections.results\n", []),
        ("from elections.core.db import utcnow\nfrom elections.web import forms\n", []),
    ],
)
def test_an_arrow_back_up_is_caught(tmp_path, source, expected):
    """The check itself: an import from auth up into results or ballots is named, at any depth
    of the module; one under TYPE_CHECKING, or one down, is not."""
    package = tmp_path / "elections"
    (package / "auth").mkdir(parents=True)
    (package / "auth" / "x.py").write_text(source)
    assert [arrow.replace("elections/", "", 1) for arrow in arrows_up(package)] == expected
