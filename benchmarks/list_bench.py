"""Benchmark of the dossier lists and the dashboard's commune counts: their cost must not grow with the country.

Run with ``.venv/bin/python benchmarks/list_bench.py`` (``--repeat N`` timings per figure, default 30).

A list (``DossierService.list``: the commune officer's home page, the district and province queues, the API's
``GET /api/v1/dossiers``) and the dashboard's commune counts (``DossierService.commune_counts``) ask the database
for the dossiers and communes within the user's unit (``dossiers.units.within``) and read their values and
evidence in one query each. This benchmark shows that the country's other dossiers cost them nothing:

1. Setup on SQLite in a temporary instance folder, as ``dossier_bench.py`` does (units of today's Vietnam,
   3,321 communes; users with one reused Argon2id hash): the province with the most communes gets a province
   officer, and one of its communes a commune officer.
2. *Small*: only that province's communes have a dossier (example values set). Timed, interleaved, medians of
   ``--repeat`` rounds: the commune officer's list, one ``get`` of their dossier (the baseline of a list of
   one), the province officer's list of the round, one ``get`` per listed dossier, and the commune counts.
3. *Country*: every other commune of the country gets a dossier too (example values set), and the same figures
   are timed again.
4. Prints each figure small and country, and their ratio (the database grows twenty-fold: SQLite's pages
   alone make every query a little dearer, a get included, so read it beside the get's). Targets, with the
   country's dossiers, each ratio measured interleaved: the commune officer's list (one dossier) ÷ one get of
   it ≤ ×3 (before the lists asked the database for the jurisdiction: about ×100), and the province
   officer's list ÷ a get of each listed dossier ≤ ×1. These are this project's targets, not an issue's.

Progress goes to stderr, the report to stdout. Exit status 0 when the lists are right (a missed speed target is
a measurement), 1 when a list or count is not what the user may see.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dossier_bench as bench  # noqa: E402  (the same setup as the lifecycle benchmark)

from dossiers.db import make_engine, session_factory  # noqa: E402
from dossiers.service import DossierService  # noqa: E402
from engine.template import example_values  # noqa: E402

ONE_TARGET = 3.0  # a commune officer's list (one dossier) ÷ one get of that dossier
GETS_TARGET = 1.0  # a province officer's list ÷ one get per listed dossier


def log(text: str = "", end: str = "\n") -> None:
    print(text, end=end, file=sys.stderr, flush=True)


def fill(service: DossierService, officers: dict, communes: list[tuple[str, str]], label: str) -> None:
    """A dossier with the example values for each commune (its officer creates it and sets them)."""
    values = example_values()
    start = time.perf_counter()
    log(f"  {label}: {len(communes):,} dossiers ", end="")
    for n, (code, _province) in enumerate(communes, start=1):
        view = service.create(officers[code], code, bench.YEAR)
        service.set_values(officers[code], view.id, values, view.lock_version)
        if n % 500 == 0:
            log(f"{n:,} ", end="")
    log(f"done ({time.perf_counter() - start:.1f} s)")


def timed(repeat: int, figures: dict) -> dict[str, float]:
    """Median seconds of each figure (a function), the figures interleaved round by round."""
    seen: dict[str, list[float]] = {name: [] for name in figures}
    for _ in range(repeat):
        for name, run in figures.items():
            start = time.perf_counter()
            run()
            seen[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in seen.items()}


def measure(service: DossierService, commune_officer: str, province_officer: str, repeat: int
            ) -> tuple[dict[str, float], int, int]:
    mine = service.list(commune_officer)
    listed = service.list(province_officer, bench.YEAR)
    ids = [v.id for v in listed]

    def gets() -> None:
        for dossier_id in ids:
            service.get(province_officer, dossier_id)

    figures = {
        "commune officer's list": lambda: service.list(commune_officer),
        "one get of that dossier": lambda: service.get(commune_officer, mine[0].id),
        "province officer's list": lambda: service.list(province_officer, bench.YEAR),
        "a get of each listed dossier": gets,
        "commune counts": lambda: service.commune_counts(province_officer, bench.YEAR),
    }
    return timed(repeat, figures), len(mine), len(listed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, metavar="N", help="timings per figure (default 30)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    communes = bench.communes_of_csv()
    per_province = Counter(province for _, province in communes)
    province = per_province.most_common(1)[0][0]
    ours = [c for c in communes if c[1] == province]
    others = [c for c in communes if c[1] != province]
    _seconds, hashed = bench.time_argon2(1)
    print(f"List benchmark — province {province} ({len(ours):,} communes) among {len(communes):,} communes, "
          f"round {bench.YEAR}, SQLite")
    failures = []
    with bench.sqlite_backend() as (url, server):
        engine = make_engine(url)
        try:
            service = DossierService(session_factory(engine), lazy_views=True)  # as the web app's
            log("list_bench: setup …")
            officers = bench.setup(service, url, communes, hashed, bench.Result("sqlite", len(communes)))
            commune_officer, province_officer = officers[ours[len(ours) // 2][0]], f"po-{province}"
            fill(service, officers, ours, "small (one province)")
            small, mine, listed = measure(service, commune_officer, province_officer, args.repeat)
            counts_small = service.commune_counts(province_officer, bench.YEAR)
            fill(service, officers, others, "country")
            country, mine_country, listed_country = measure(service, commune_officer, province_officer,
                                                            args.repeat)
            counts_country = service.commune_counts(province_officer, bench.YEAR)
        finally:
            engine.dispose()
    if (mine, listed) != (1, len(ours)) or (mine_country, listed_country) != (mine, listed):
        failures.append(f"lists: commune officer {mine} then {mine_country} (expected 1), province officer "
                        f"{listed} then {listed_country} (expected {len(ours)})")
    if counts_small != counts_country or sum(counts_country.values()) != len(ours):
        failures.append(f"commune counts {sum(counts_country.values())} (expected {len(ours)})")

    print(f"  {server}; {len(ours):,} dossiers (small), {len(communes):,} (country); medians of {args.repeat}")
    print(f"  {'figure':<30} {'small':>10} {'country':>10} {'country ÷ small':>16}")
    for name in small:
        ratio = country[name] / small[name]
        print(f"  {name:<30} {small[name] * 1000:8.2f} ms {country[name] * 1000:7.2f} ms {ratio:15.2f}×")
    print("Targets (this project's; each ratio measured interleaved, with the whole country's dossiers)")
    for label, top, bottom, target in (
            ("commune officer's list ÷ one get of its dossier", "commune officer's list", "one get of that dossier",
             ONE_TARGET),
            ("province officer's list ÷ a get of each listed dossier", "province officer's list",
             "a get of each listed dossier", GETS_TARGET)):
        ratio = country[top] / country[bottom]
        print(f"  {label:<58} ×{ratio:.2f} (<= ×{target:g}) {'PASS' if ratio <= target else 'FAIL'}")
    for failure in failures:
        print(f"  WRONG: {failure}")
    print(f"Result: {'lists right' if not failures else 'WRONG LISTS'}; exit status {1 if failures else 0}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
