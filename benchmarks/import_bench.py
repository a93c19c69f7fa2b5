"""Benchmark of the spreadsheet import: one XLSX file with a row for every commune of today's Vietnam (3,321).

Run with ``.venv/bin/python benchmarks/import_bench.py`` (``--limit 200`` for a quick run, ``--csv`` to time the
same rows as CSV, ``--workers N`` to set the scoring processes; target: the whole import in at most 10 s).

1. Setup, not timed: a fresh SQLite database in a temporary instance folder, migrated; the units of
   ``dossiers/data/units-vietnam-2025.csv`` (34 provinces, 3,321 communes); category ``other`` for every commune in
   round 2025; one importing user (province_officer), created once. No unit lies above a province, so no real
   user's jurisdiction covers all 3,321 communes: the benchmark replaces ``may_import`` by a check that the
   commune lies in some province (the real check costs microseconds a row and is tested in tests/store).
   The file is written with openpyxl: every indicator of qd06-2019 for each commune, varied values (a fixed
   random seed) that are all valid, numerators never above denominators.
2. Timed: ``dossiers.bulk.importer.import_file`` on the file for round 2025: read the XLSX, check every cell,
   create 3,321 draft dossiers, score each (durable-rules checked by the evaluator, as in production; in
   worker processes, one per CPU up to 4, as ``cfc import`` does) and store values, scores and one audit entry
   per dossier, all in one transaction. Also printed: the CPU time of this process and of the scoring workers,
   and the load average (on a machine busy with other work the wall time says little).
3. Timed: the same file again, which must change nothing.
4. Checks: 3,321 draft dossiers of round 2025, each with its self-assessment score; the audit chain verifies;
   one ``values.import`` entry per dossier.

Progress goes to stderr; the report to stdout. Exit status: 0 when every check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import sqlalchemy
from sqlalchemy import func, select

from dossiers import audit
from dossiers.bulk import checking, importer, scorer, storing
from dossiers.bulk.progress import Bar
from dossiers.bulk.template import values_sheet
from dossiers.bulk.write import write_tables
from dossiers.db import make_engine, session_factory
from dossiers.migrate import upgrade
from dossiers.models import AuditEntry, CommuneCategory, Dossier, Unit
from dossiers.service import DossierService
from dossiers.units import import_csv
from dossiers.users import add_user
from engine.assessment import canonical_text
from engine.loader import Registry
from engine.workflow import round_date

ROOT = Path(__file__).resolve().parents[1]
UNITS_CSV = ROOT / "dossiers" / "data" / "units-vietnam-2025.csv"
YEAR = 2025
TARGET = 10.0
USER = "bench-importer"


def log(text: str = "", end: str = "\n") -> None:
    print(text, end=end, file=sys.stderr, flush=True)


def communes(limit: int | None) -> list[tuple[str, str]]:
    with open(UNITS_CSV, encoding="utf-8-sig", newline="") as fh:
        rows = [(r["code"], r["name"]) for r in csv.DictReader(fh) if r["level"] == "commune"]
    if limit is None or limit >= len(rows):
        return rows
    step = len(rows) / limit
    return [rows[int(i * step)] for i in range(limit)]


def varied_values(version, rng: random.Random) -> dict[str, str]:
    """Valid values of every indicator, different for each commune (canonical text)."""
    kinds = {i.code: i.type for _, i in version.indicators()}
    children = rng.randint(300, 6000)
    out: dict[str, object] = {}
    for code, kind in kinds.items():
        if kind == "yes_no":
            out[code] = rng.random() < 0.9
        elif kind == "score":
            out[code] = round(rng.uniform(55, 99), rng.choice((0, 1, 2)))
        else:
            out[code] = None
    born = max(1, children // 20)
    counts = {
        "TC02.children_born": born, "TC02.registered_on_time": born - rng.randint(0, 3),
        "TC03.children": children, "TC03.abused": rng.randint(0, 3),
        "TC04.children": children, "TC04.offending": rng.randint(0, 3),
        "TC05.children": children, "TC05.injured": rng.randint(0, 12), "TC05.deaths": rng.choice((0, 0, 0, 1)),
        "TC06.special_children": (sc := rng.randint(0, 80)), "TC06.special_children_supported": sc - rng.randint(0, min(sc, 3)),
        "TC06.cases": (cases := rng.randint(0, 4)), "TC06.cases_with_plan": cases - rng.randint(0, min(cases, 1)),
        "TC07.children_under_1": (u1 := max(1, children // 22)), "TC07.fully_immunised": u1 - rng.randint(0, 4),
        "TC08.children_under_5": (u5 := max(1, children // 4)), "TC08.underweight": rng.randint(0, u5 // 8),
        "TC08.stunted": rng.randint(0, u5 // 5),
        "TC09.children": children, "TC09.health_checked": children - rng.randint(0, children // 8),
        "TC10.children_3_5": (p := max(1, children // 7)), "TC10.attending_preschool": p - rng.randint(0, p // 20),
    }
    for code, value in counts.items():
        if code in out:
            out[code] = max(0, value)
    missing = [c for c, v in out.items() if v is None]
    if missing:
        raise SystemExit(f"the benchmark has no generator for {', '.join(missing)}")
    from decimal import Decimal

    return {c: canonical_text(Decimal(str(v)) if isinstance(v, float) else v) for c, v in out.items()}


def setup(url: str, rows: list[tuple[str, str]], folder: Path, as_csv: bool) -> tuple[DossierService, Path, dict]:
    times = {}
    start = time.perf_counter()
    upgrade(url)
    engine = make_engine(url)
    service = DossierService(session_factory(engine))
    with service.transaction() as s:
        import_csv(s, UNITS_CSV)
        ids = s.execute(select(Unit.id).where(Unit.level == "commune", Unit.valid_from.isnot(None))).scalars()
        s.add_all([CommuneCategory(unit_id=i, year=YEAR, category="other") for i in ids])
        add_user(s, USER, "bench-secret", "1", ["province_officer"], unit_level="province", actor="bench")
    times["database"] = time.perf_counter() - start
    start = time.perf_counter()
    version = Registry.load().in_force(round_date(YEAR))
    rng = random.Random(2025)
    table = [(code, name, varied_values(version, rng)) for code, name in rows]
    path = write_tables(folder / ("communes-2025.csv" if as_csv else "communes-2025.xlsx"),
                        [values_sheet(version, table, with_names=True)])
    times["file"] = time.perf_counter() - start
    return service, path, times


class Phases:
    """A progress factory that records how long each phase of the import takes (and reading, when wrapped)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def timed_read(self, read):
        def wrapper(path):
            start = time.perf_counter()
            try:
                return read(path)
            finally:
                self.seconds["read"] = time.perf_counter() - start

        return wrapper

    @contextlib.contextmanager
    def __call__(self, label: str, length: int):
        start = time.perf_counter()
        yield Bar()
        self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - start


def in_some_province(service, user, commune, year) -> bool:
    return any(a.level == "province" for a in commune.ancestors())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="only N communes (default: all)")
    parser.add_argument("--csv", action="store_true", help="write and import CSV instead of XLSX")
    parser.add_argument("--workers", type=int, default=None, help="scoring processes (default: automatic)")
    args = parser.parse_args(argv)
    rows = communes(args.limit)
    n = len(rows)
    workers = scorer.worker_count(n, args.workers)
    print(f"Import benchmark — one {'CSV' if args.csv else 'XLSX'} file of {n:,} rows (communes of today's "
          f"Vietnam) × every indicator of the criteria in force, round {YEAR}, SQLite")
    print(f"machine: Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs; SQLAlchemy {sqlalchemy.__version__}; engine {os.environ.get('CFC_ENGINE', 'durable')}; "
          f"scoring in {workers or 1} process{'es' if workers > 1 else ''}")
    with tempfile.TemporaryDirectory(prefix="cfc-import-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'cfc.sqlite3'}"
        log("setup: migrate, units, categories, user, file …")
        service, path, setup_times = setup(url, rows, Path(folder), args.csv)
        print("setup (not timed): " + ", ".join(f"{k} {v:.2f} s" for k, v in setup_times.items())
              + f"; file {path.stat().st_size / 1024:.0f} KiB")
        try:
            phases = Phases()
            with mock.patch.object(checking, "may_import", in_some_province), \
                    mock.patch.object(importer, "read_table", phases.timed_read(importer.read_table)):
                log("import …")
                cpu, children = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                report = importer.import_file(service, path, YEAR, USER, progress=phases, workers=args.workers)
                first = time.perf_counter() - start
                cpu = time.process_time() - cpu
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                workers_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
                log("import again …")
                start = time.perf_counter()
                again = importer.import_file(service, path, YEAR, USER, workers=args.workers)
                second = time.perf_counter() - start
            rest = first - sum(phases.seconds.values())
            verdict = "OK" if first <= TARGET else "OVER TARGET"
            print(f"import: {n:,} rows in {first:.2f} s — {n / first:,.0f} rows/s (target ≤ {TARGET:.0f} s: {verdict})")
            print(f"  phases: read the file {phases.seconds.get('read', 0):.2f} s, check every cell "
                  f"{phases.seconds.get('Kiểm tra', 0):.2f} s, score and store {phases.seconds.get('Lưu', 0):.2f} s, "
                  f"the rest (load units and dossiers, commit, stop the workers) {rest:.2f} s")
            load = os.getloadavg()[0]
            print(f"  CPU: this process {cpu:.2f} s, scoring workers {workers_cpu:.2f} s; load average "
                  f"{load:.1f} on {os.cpu_count()} CPUs"
                  + (" (a busy machine: the wall time above is inflated)" if load > (os.cpu_count() or 1) else ""))
            print(f"  {report.summary()}")
            print(f"re-import of the same file: {second:.2f} s — {len(again.changed)} changed, "
                  f"{again.unchanged:,} unchanged")
            with service.transaction() as s:
                dossiers = s.execute(select(func.count()).select_from(Dossier).where(Dossier.year == YEAR)).scalar_one()
                scored = s.execute(select(func.count()).select_from(Dossier).where(
                    Dossier.year == YEAR, Dossier.status == "draft", Dossier.self_score.isnot(None))).scalar_one()
                entries = s.execute(select(func.count()).select_from(AuditEntry)
                                    .where(AuditEntry.action == storing.ACTION)).scalar_one()
                chain = audit.verify_chain(s)
        finally:
            service.sessions.kw["bind"].dispose()
    checks = [
        (dossiers == n and scored == n, f"{scored:,} of {n:,} draft dossiers scored ({dossiers:,} in round {YEAR})"),
        (entries == n, f"{entries:,} audit entries values.import"),
        (chain.ok, chain.message),
        (not again.changed, "re-import changed nothing"),
    ]
    for ok, text in checks:
        print(f"  check: {text} {'OK' if ok else 'FAIL'}")
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
