"""Import self-assessed indicator values of many communes from one CSV or XLSX file: all of it, or nothing.

One row per commune (``commune_code``), one column per indicator code (``cfc import template`` writes the
layout). Every cell is checked before anything is stored, and every bad cell is reported with its row, column,
value and reason: an unknown commune code or indicator, a negative number, a numerator above its denominator,
text where a number belongs, a commune outside the importer's jurisdiction, a dossier no longer in draft. When
every cell is good, all rows are stored in ONE transaction of the dossier service: each commune's dossier of
the round gets the values (created when the commune has none yet), its self-assessment score is recomputed,
and one audit entry ``values.import`` per dossier changed names the importer, every value before and after,
the file and the row.

Rules of the cells:

* An empty cell gives no value: the dossier keeps what it has (a draft may stay incomplete).
* A cell equal to the stored value is no change. Re-importing the same file changes nothing (no audit entry,
  no new dossier version); a row for a dossier past draft is refused only when it would change a value, so a
  round's export imports back unchanged at any stage.
* Text cells are read like a form field (``engine.assessment.parse_text``: "1.234" = 1234, "86,5" = 86.5,
  có/không); number and boolean cells of an XLSX file are taken exactly as they are.
* Row 2 may be the label row of the template; a ``commune_name`` column is for people and is not read.

Who may import: the procedure of the round says (its ``import`` step: roles, levels, and the dossier states it
may change), asked through ``dossiers.authority``; each row's commune must lie in the importer's jurisdiction.

A confirmation is bound to its preview: the dry run's report gives the version of every row's dossier it saw
(``seen_versions``) and the communes that had none (``seen_new``); the import given them as
``expected_versions`` and ``expect_new`` stores nothing when any dossier changed or was created meanwhile, and
raises ``ImportConflict`` naming each one and who changed what (``binding``).

This module holds the entry points; ``checking`` checks the cells, ``binding`` compares the dossiers with the
preview's, ``storing`` stores them, ``outcome`` holds the report, ``cells`` the reading of one cell.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..service import DossierService
from .binding import conflicts
from .checking import ImportJob
from .outcome import ImportConflict, ImportRefused, ImportReport
from .progress import Progress, no_progress
from .read import Table, check_file, read_table
from .scorer import PARALLEL_FROM, Scorer, worker_count
from .storing import store

__all__ = ["ImportConflict", "ImportRefused", "ImportReport", "import_file", "import_table", "report_rows"]

ROW_BYTES = 120  # about the least a row of indicator values takes in a file (XLSX ~150, CSV ~130)


def import_file(service: DossierService, path: Path | str, year: int, username: str, *, dry_run: bool = False,
                progress: Progress | None = None, workers: int | None = None,
                expected_versions: dict[int, int] | None = None, expect_new: set[str] | None = None
                ) -> ImportReport:
    """Read and import ``path``; raises ImportRefused (nothing stored) when any cell is bad, ImportConflict
    (nothing stored) when ``expected_versions`` or ``expect_new`` is given and a dossier is not as they say.

    A dry run returns the report, bad cells included, and stores nothing. A file large enough to be scored in
    worker processes gets them started before it is read, so that they are ready when the first row is; a file
    beyond the size limits (``read.check_file``) is refused before that.
    """
    workers = configured_workers(service, workers)
    check_file(path)
    try:
        rows = Path(path).stat().st_size // ROW_BYTES
    except OSError:
        rows = 0  # read_table reports it
    with Scorer(service.registry.versions, worker_count(rows, workers), service.settings.engine) as scorer:
        if rows >= PARALLEL_FROM:
            scorer.start()
        return import_table(service, read_table(path), year, username, dry_run=dry_run, progress=progress,
                            workers=workers, scorer=scorer, expected_versions=expected_versions,
                            expect_new=expect_new)


def import_table(service: DossierService, table: Table, year: int, username: str, *, dry_run: bool = False,
                 progress: Progress | None = None, workers: int | None = None,
                 scorer: Scorer | None = None, expected_versions: dict[int, int] | None = None,
                 expect_new: set[str] | None = None) -> ImportReport:
    """Check and import the rows of ``table`` (see ``import_file``). With ``expected_versions`` (dossier id →
    lock_version) or ``expect_new`` (commune codes without a dossier), a preview's ``seen_versions()`` and
    ``seen_new()``, every dossier must still be as the preview saw it."""
    progress = progress or no_progress
    workers = configured_workers(service, workers)
    with contextlib.ExitStack() as stack:
        if scorer is None or (not scorer.workers and worker_count(len(table.rows), workers)):
            # for a large file, worker processes start with the first good row and score it as soon as it is
            # checked
            scorer = stack.enter_context(Scorer(service.registry.versions, worker_count(len(table.rows), workers),
                                                service.settings.engine))
        s = stack.enter_context(service.transaction(readonly=dry_run))  # a dry run never writes, nor waits
        job = ImportJob(service, s, table, year, username, dry_run, scorer)
        job.check(progress)
        if expected_versions is not None or expect_new is not None:
            found = conflicts(job, expected_versions or {}, set(expect_new or ()))
            if found:
                raise ImportConflict(job.report, found)
        if job.report.problems and not dry_run:
            raise ImportRefused(job.report)
        if dry_run:
            for result, handle in job.to_score:
                result.score = scorer.result(handle)
            for result, _, dossier, _ in job.plans:
                if not result.changes and dossier is not None:
                    result.score = dossier.self_score  # as it stands
            return job.report
        store(job, progress)
        job.report.stored = True
        return job.report


def configured_workers(service: DossierService, workers: int | None) -> int | None:
    """``workers`` when given, else the deployment's ``import_workers`` (CFC_IMPORT_WORKERS), else None
    (automatic)."""
    if workers is None and service.settings is not None:
        return service.settings.import_workers
    return workers


def report_rows(report: ImportReport) -> list[list]:
    """The bad cells as rows for a CSV report."""
    return [[p.row, p.letter, p.header, p.value, p.reason, p.message] for p in report.problems]
