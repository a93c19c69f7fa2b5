"""The certificates package takes plain data and returns bytes: it never imports the engine, the web layer,
Flask or SQLAlchemy (read from the source with ``ast``, wherever the import sits), and it is importable in a
fresh interpreter without any of them loaded."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "certificates"
FORBIDDEN = {"engine", "webforms", "flask", "wtforms", "sqlalchemy", "alembic", "psycopg"}
MODULES = sorted(PACKAGE.rglob("*.py"))


def imported_roots(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level > 1:
                found.add("<outside the package>")
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                found.add(str(node.args[0].value).split(".")[0])
    return found


def test_the_scan_sees_the_modules():
    names = {p.name for p in MODULES}
    assert {"__init__.py", "data.py", "fonts.py", "text.py", "dates.py", "page.py", "canvas.py", "qr.py",
            "flowables.py", "document.py", "certificate.py", "decision.py", "minutes.py", "report.py",
            "report_charts.py", "report_data.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_no_engine_web_or_database_import(path):
    bad = imported_roots(path) & (FORBIDDEN | {"<outside the package>"})
    assert bad == set(), f"{path.relative_to(ROOT)} imports {', '.join(sorted(bad))}"


def test_importing_the_package_loads_none_of_them():
    code = (
        "import sys, certificates\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN)!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


BELOW = sorted(p for folder in ("engine", "dossiers") for p in (ROOT / folder).rglob("*.py"))


def test_the_scan_sees_the_layers_below():
    names = {p.relative_to(ROOT).as_posix() for p in BELOW}
    assert {"dossiers/bulk/report.py", "dossiers/bulk/report_figures.py", "engine/workflow.py"} <= names


@pytest.mark.parametrize("path", BELOW, ids=[p.relative_to(ROOT).as_posix() for p in BELOW])
def test_the_layers_below_do_not_import_the_pdf_layer(path):
    """The engine and the application hand plain data up; only the layers above them render documents."""
    assert "certificates" not in imported_roots(path)
