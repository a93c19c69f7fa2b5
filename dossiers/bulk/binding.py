"""Binding the confirmation of an import to its preview: the preview (a dry run) saw each row's dossier at a
version, or saw that the commune had none yet (``ImportReport.seen_versions`` / ``seen_new``). When the import
is confirmed, every one of them must still be so; a dossier changed or created meanwhile makes the confirmation
store nothing, and the conflict names each dossier, its commune and who changed what since the preview (the
dossier service's own wording, ``check_expected``)."""

from __future__ import annotations

from engine.errors import ConflictError
from engine.messages import N_, Message

from ..models import Dossier
from ..service.base import check_expected
from .checking import ImportJob


def conflicts(job: ImportJob, expected_versions: dict[int, int], expect_new: set[str]) -> list[str]:
    """Every dossier of the file that is not as the preview saw it, one line each (empty: none)."""
    if job.dossiers is None:  # the header was refused: nothing was read, and the file is refused anyway
        return []
    by_id = {d.id: d for d in job.dossiers.values()}
    found = []
    for dossier_id, version in sorted(expected_versions.items()):
        dossier = by_id.get(dossier_id)
        if dossier is None:
            found.append(N_("hồ sơ %(id)s không còn trong năm %(year)s", id=str(dossier_id), year=str(job.year)))
        elif dossier.lock_version != version:
            found.append(_changes(job, dossier, version))
    for code in sorted(expect_new):
        commune = job.find(code)
        dossier = job.dossiers.get(commune.id) if commune is not None else None
        if dossier is not None:
            found.append(_changes(job, dossier, 0, N_("chưa có hồ sơ khi xem trước; ")))
    for result in job.report.rows:  # rows of the file the preview did not see at all
        if result.dossier_id not in expected_versions and result.commune_code not in expect_new:
            found.append(N_("%(commune)s (%(code)s): dòng %(row)s không có trong bản xem trước",
                            commune=result.commune_name, code=result.commune_code, row=str(result.row)))
    return found


def _changes(job: ImportJob, dossier: Dossier, version: int, note: str = "") -> str:
    """The commune, then what ``check_expected`` says changed since ``version``."""
    try:
        check_expected(job.s, dossier, version)
        changed = N_("hồ sơ %(id)s", id=str(dossier.id))  # not reached: the versions differ
    except ConflictError as exc:
        changed = exc.args[0]
    return Message("%(commune)s (%(code)s): %(note)s%(changed)s", commune=dossier.commune.name,
                   code=dossier.commune.code, note=note, changed=changed)
