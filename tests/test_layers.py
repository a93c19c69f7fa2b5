"""Layering: criteria → engine → dossiers → {certificates, webforms, cfc}; only engine/rules.py imports durable;
no product module over 300 lines, no function over 60 (generated migrations excepted).

Imports are read from the source with ``ast`` (every ``import``, ``from … import``, relative imports resolved,
and ``importlib.import_module("…")`` / ``__import__("…")`` with a constant name), wherever they sit: module
level, inside functions, under ``if TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"criteria", "engine", "dossiers", "certificates", "webforms", "cfc"}
# Data flows criteria → engine → dossiers → {certificates, webforms, cfc}; certificates imports nothing of ours.
# package → the top-level modules it must never import (ours and the libraries of the layers above it)
FORBIDDEN = {
    "criteria": OURS - {"criteria"},
    "engine": {"dossiers", "certificates", "webforms", "cfc", "sqlalchemy", "alembic", "openpyxl", "reportlab",
               "click", "flask", "flask_wtf", "flask_login", "flask_babel", "wtforms", "argon2", "segno"},
    "dossiers": {"certificates", "webforms", "cfc", "flask", "flask_wtf", "flask_login", "wtforms", "reportlab",
                 "click", "segno"},
    "certificates": OURS - {"certificates"} | {"sqlalchemy", "flask", "click", "openpyxl"},
    "webforms": {"cfc", "click"},
    "cfc": {"flask"},
}
PACKAGES = tuple(FORBIDDEN)
DURABLE = {"durable", "durable_rules_engine"}
DURABLE_ALLOWED = {"engine/rules.py"}
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 300, 60
GENERATED = ("dossiers/migrations/versions/",)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Absolute names of every module ``source`` imports (``module`` is its dotted name)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" if prefix else alias.name for alias in node.names)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return {name for name in found if name}


def roots(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def sources() -> list[Path]:
    files = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))
    assert files, "no module found"
    return files


MODULES = sources()
IDS = [str(p.relative_to(ROOT)) for p in MODULES]


def imports_of(path: Path) -> set[str]:
    return imported_modules(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_imports_flow_one_way(path):
    package = path.relative_to(ROOT).parts[0]
    bad = sorted(name for name in imports_of(path) if name.split(".")[0] in FORBIDDEN[package])
    assert bad == [], f"{path.relative_to(ROOT)} ({package}) imports {', '.join(bad)}"


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_modules_and_functions_are_small(path):
    name = str(path.relative_to(ROOT))
    if name.startswith(GENERATED):
        return
    source = path.read_text(encoding="utf-8")
    lines = len(source.splitlines())
    assert lines <= MAX_MODULE_LINES, f"{name} has {lines} lines: split it by concept"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == [], f"{name}: functions over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_only_the_rules_adapter_imports_durable(path):
    uses = roots(imports_of(path)) & DURABLE
    if str(path.relative_to(ROOT)) in DURABLE_ALLOWED:
        assert "durable" in uses, "engine/rules.py is the durable-rules adapter: the scan must see its imports"
    else:
        assert uses == set(), f"{path.relative_to(ROOT)} imports {', '.join(sorted(uses))}"


def test_the_scan_covers_every_package():
    names = {str(p.relative_to(ROOT)) for p in MODULES}
    assert {"engine/rules.py", "engine/scoring.py", "engine/loader.py", "criteria/__init__.py",
            "dossiers/models.py", "certificates/__init__.py", "webforms/__init__.py", "cfc/__init__.py"} <= names


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("import flask", "engine.x", {"flask"}),
        ("import flask.views as v", "engine.x", {"flask"}),
        ("from wtforms import Form", "engine.x", {"wtforms"}),
        ("from .. import webforms", "engine.x", {"webforms"}),
        ("from ..certificates.pdf import make", "engine.x", {"certificates"}),
        ("def f():\n    import durable.lang\n", "engine.x", {"durable"}),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import flask\n", "engine.x", {"typing", "flask"}),
        ("import importlib\nimportlib.import_module('flask')", "engine.x", {"importlib", "flask"}),
        ("__import__('durable_rules_engine')", "engine.x", {"durable_rules_engine"}),
        ("from . import rules", "engine.x", {"engine"}),
        ("from .models import Band", "engine.x", {"engine"}),
    ],
)
def test_the_import_scan_sees_every_form(source, module, expected):
    assert roots(imported_modules(source, module)) == expected


def test_relative_imports_resolve_from_a_package_init():
    assert imported_modules("from . import models", "engine", is_package=True) >= {"engine", "engine.models"}
    assert imported_modules("from .. import helpers", "engine.sub", is_package=True) == {"engine", "engine.helpers"}
