"""Benchmark of ``cfc criteria impact``: a round of one dossier per commune of today's Vietnam (3,321) scored under
the stored criteria and under a corrected copy, against scoring the same round once.

Run with ``.venv/bin/python benchmarks/impact_bench.py`` (``--limit 300`` for a quick run; target: the impact of
the whole round in at most 10 s).

1. Setup, not timed: the database of ``import_bench.py`` (units of ``units-vietnam-2025.csv``, category ``other``,
   one province officer) and its file imported, so that round 2025 holds 3,321 draft dossiers with varied,
   complete self-assessed values. A corrected copy of the criteria in force: the "other" threshold 850 → 900 and
   the lowest TC07 band worth 10 points instead of 0. No unit lies above a province, so no real user's
   jurisdiction covers all communes: the benchmark replaces the jurisdiction test of ``dossiers.impact`` by a
   check that the commune lies in some province (tested for real in tests/store/test_impact.py).
2. Timed, the baseline: the round scored once, with the impact's own steps (load the dossiers and their values in
   one read-only transaction, check the values, score in bulk through ``bulk.scorer``'s workers). Wall time and
   CPU time (this process and the workers) are printed: on a machine busy with other work the wall time says
   little.
3. Timed: ``dossiers.impact.round_impact``, twice (the second run is reported; the first is printed too).
4. Checks: every dossier compared, none incomplete; every change of eligibility is a loss with a total under
   the corrected threshold (the 10 points of TC07's lowest band stay under its met_at of 25: nobody gains).

Progress goes to stderr; the report to stdout. Exit status: 0 when every check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

from sqlalchemy import select
from sqlalchemy.orm import defer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import import_bench  # noqa: E402  (the same database and file as the import benchmark)

from dossiers import impact as impact_module  # noqa: E402
from dossiers.bulk import checking, importer, scorer  # noqa: E402
from dossiers.impact import round_impact, stage_texts  # noqa: E402
from dossiers.impact_proposal import load_proposal  # noqa: E402
from dossiers.impact_scoring import CompactScorer  # noqa: E402
from dossiers.models import Dossier  # noqa: E402
from engine.assessment import Commune, check_values  # noqa: E402
from engine.edit import set_value  # noqa: E402
from engine.loader import Registry, default_directory  # noqa: E402
from engine.workflow import round_date  # noqa: E402

YEAR = import_bench.YEAR
USER = import_bench.USER
TARGET = 10.0
EDITS = {"categories/other/threshold": "900", "TC07/immunisation/bands/3/points": "10"}


def in_some_province(outer, inner) -> bool:
    return any(a.level == "province" for a in inner.ancestors())


def score_once(service, version) -> int:
    """The baseline: the round loaded, checked and scored once, with the impact's own steps for one version."""
    with service.transaction(readonly=True) as s:
        rows = s.execute(select(Dossier).where(Dossier.year == YEAR)
                         .options(defer(Dossier.self_score), defer(Dossier.verified_score))).scalars().all()
        rows = [d for d in rows if in_some_province(None, d.commune)]
        texts = stage_texts(s, rows)
        jobs = [(version.id, Commune(d.commune.code, d.commune.name, d.category), d.year,
                 check_values(version, impact_module._typed(version, texts[d.id]), d.category)) for d in rows]
    with CompactScorer({version.id: version}, scorer.worker_count(len(jobs), service.settings.import_workers),
                       service.settings.engine) as bulk:
        handles = [bulk.submit(job) for job in jobs]
        return sum(1 for h in handles if bulk.result(h)[0] >= 0)


def cpu() -> float:
    """CPU seconds of this process and of its finished children (the scoring workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="only N communes (default: all)")
    args = parser.parse_args(argv)
    rows = import_bench.communes(args.limit)
    n = len(rows)
    print(f"Impact benchmark — round {YEAR} of {n:,} dossiers scored under the criteria in force and a corrected "
          f"copy, SQLite")
    print(f"machine: Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs; engine {os.environ.get('CFC_ENGINE', 'durable')}; scoring in "
          f"{scorer.worker_count(2 * n) or 1} process(es)")
    with tempfile.TemporaryDirectory(prefix="cfc-impact-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'cfc.sqlite3'}"
        import_bench.log("setup: migrate, units, categories, user, file, import …")
        start = time.perf_counter()
        service, path, _ = import_bench.setup(url, rows, Path(folder), as_csv=True)
        try:
            with mock.patch.object(checking, "may_import", import_bench.in_some_province):
                importer.import_file(service, path, YEAR, USER)
            base = Registry.load().in_force(round_date(YEAR))
            copy = Path(folder) / "proposal" / f"{base.id}.yaml"
            copy.parent.mkdir()
            shutil.copy(default_directory() / f"{base.id}.yaml", copy)
            for locator, value in EDITS.items():
                set_value(copy, locator, value, by="bench")
            proposed = load_proposal(copy)
            print(f"setup (not timed): {time.perf_counter() - start:.1f} s")

            import_bench.log("score the round once …")
            start, used = time.perf_counter(), cpu()
            scored = score_once(service, base)
            once, once_cpu = time.perf_counter() - start, cpu() - used
            times, cpus = [], []
            with mock.patch.object(impact_module, "contains", in_some_province):
                for run in (1, 2):
                    import_bench.log(f"impact, run {run} …")
                    start, used = time.perf_counter(), cpu()
                    result = round_impact(service, USER, base.id, proposed, YEAR)
                    times.append(time.perf_counter() - start)
                    cpus.append(cpu() - used)
        finally:
            service.sessions.kw["bind"].dispose()
    took = times[-1]
    verdict = "OK" if took <= TARGET else "OVER TARGET"
    print(f"score the round once (baseline): {scored:,} dossiers in {once:.2f} s (CPU {once_cpu:.2f} s)")
    print(f"impact: {result.compared:,} dossiers × 2 versions in {took:.2f} s (first run {times[0]:.2f} s) — "
          f"{took / once:.2f}× scoring the round once (target ≤ {TARGET:.0f} s: {verdict}); CPU {cpus[-1]:.2f} s, "
          f"{cpus[-1] / once_cpu:.2f}× the baseline's (this process and the scoring workers)")
    print(f"  {len(result.gained):,} become eligible, {len(result.lost):,} lose eligibility, "
          f"{len(result.incomplete)} incomplete; TC07 average change "
          f"{next(s.average for s in result.shifts if s.code == 'TC07'):+.2f} points")
    load = os.getloadavg()[0]
    print(f"  load average {load:.1f} on {os.cpu_count()} CPUs"
          + (" (a busy machine: the wall times above are inflated)" if load > (os.cpu_count() or 1) else ""))
    checks = [
        (result.compared == n and not result.incomplete, f"{result.compared:,} of {n:,} dossiers compared"),
        (scored == n, f"{scored:,} of {n:,} dossiers scored once"),
        (all(not f.gains and f.old.total >= 850 > 0 and f.new.total < 900 for f in result.flips),
         "every change is a loss below the corrected threshold (TC07's 10 points stay under its met_at 25)"),
        (took <= TARGET, f"impact within {TARGET:.0f} s"),
    ]
    for ok, text in checks:
        print(f"  check: {text} {'OK' if ok else 'FAIL'}")
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
