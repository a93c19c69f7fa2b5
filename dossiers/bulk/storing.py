"""Storing a checked import in the caller's transaction: every change in bulk, then one audit entry
``values.import`` per dossier changed, in row order.

New dossiers and all values go in with Core executemany statements (the unit of work costs ~0.1 ms a row);
dossiers that exist are updated through the ORM, so their version is checked and bumped.
"""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlalchemy.engine import Connection

from engine import __version__ as engine_version
from engine.messages import N_
from engine.workflow import Procedure, procedure_for

from .. import audit
from ..models import Dossier, IndicatorValue
from ..service.base import changed_codes
from .checking import ImportJob
from .outcome import RowResult
from .progress import Progress

ACTION = "values.import"


def store(job: ImportJob, progress: Progress) -> None:
    """Write every change ``job.check`` planned, then one audit entry per dossier in row order."""
    stamp = audit.now()
    proc = procedure_for(job.day, job.service.procedures)
    changed = [p for p in job.plans if p[0].changes]
    with progress(N_("Lưu"), len(changed)) as bar:
        new_rows, new_results, existing = _stage(job, changed, proc, stamp, bar)
        job.s.flush()  # the updates, each checked against the version read (optimistic locking)
        conn = job.s.connection()
        _insert_dossiers(conn, new_rows, new_results)
        _write_values(conn, job, new_results, existing)
        versions = {d.id: d.lock_version for _, d in existing}
        audit.append_many(job.s, [_entry(job, result, versions) for result, _, _, _ in changed])


def _stage(job: ImportJob, changed: list[tuple], proc: Procedure, stamp: str, bar
           ) -> tuple[list[dict], list[RowResult], list[tuple[RowResult, Dossier]]]:
    """Each changed row's new score; the rows of the dossiers to create, and the changes of existing ones."""
    handles = {id(result): handle for result, handle in job.to_score}
    new_rows: list[dict] = []
    new_results: list[RowResult] = []
    existing: list[tuple[RowResult, Dossier]] = []
    for result, commune, dossier, category in changed:
        handle = handles.get(id(result))
        result.score = None if handle is None else job.scorer.result(handle)
        if dossier is None:
            new_rows.append({"commune_id": commune.id, "year": job.year, "status": "draft",
                             "criteria_version": job.version.id, "procedure": proc.id,
                             "category": category, "self_score": result.score,
                             "engine_version": engine_version, "lock_version": 1, "created_at": stamp,
                             "updated_at": stamp})
            new_results.append(result)
        else:
            dossier.self_score = result.score
            dossier.engine_version = engine_version
            dossier.updated_at = stamp
            existing.append((result, dossier))
        bar.update(1)
    return new_rows, new_results, existing


def _insert_dossiers(conn: Connection, new_rows: list[dict], new_results: list[RowResult]) -> None:
    if not new_rows:
        return
    dossiers = Dossier.__table__
    ids = conn.execute(dossiers.insert().returning(dossiers.c.id, sort_by_parameter_order=True),
                       new_rows).scalars().all()
    for result, dossier_id in zip(new_results, ids, strict=True):
        result.dossier_id, result.status = dossier_id, "draft"


def _write_values(conn: Connection, job: ImportJob, new_results: list[RowResult],
                  existing: list[tuple[RowResult, Dossier]]) -> None:
    """Every indicator of a new dossier, the changed values of existing ones."""
    values = IndicatorValue.__table__
    inserts: list[dict] = []
    updates: list[dict] = []
    all_codes = list(job.version.indicator_map())
    for result in new_results:
        inserts.extend({"dossier_id": result.dossier_id, "code": code,
                        "self_value": result.changes[code][1] if code in result.changes else None}
                       for code in all_codes)
    for result, dossier in existing:
        stored = job.stored.get(dossier.id, {})
        for code, (_, new) in result.changes.items():
            if code in stored:
                updates.append({"value_id": stored[code][0], "new_value": new})
            else:
                inserts.append({"dossier_id": dossier.id, "code": code, "self_value": new})
        result.dossier_id, result.status = dossier.id, dossier.status
    if inserts:
        conn.execute(values.insert(), inserts)
    if updates:
        conn.execute(values.update().where(values.c.id == bindparam("value_id"))
                     .values(self_value=bindparam("new_value")), updates)


def _entry(job: ImportJob, result: RowResult, versions: dict[int, int]) -> dict:
    """The audit entry of one dossier; a dossier the import created has no "before" (None)."""
    created = result.dossier_id not in versions
    return {
        "actor": job.user.username, "action": ACTION,
        "target": ("tạo hồ sơ; " if created else "") + changed_codes(result.changes),
        "before": None if created else {c: b for c, (b, _) in result.changes.items()},
        "after": {c: a for c, (_, a) in result.changes.items()},
        "reason": f"nhập từ tệp {job.table.source}, dòng {result.row}",
        "dossier_id": result.dossier_id, "dossier_version": versions.get(result.dossier_id, 1),
    }
