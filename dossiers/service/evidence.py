"""Adding an evidence file to a draft dossier under one of its criteria (the file checks are
``dossiers.evidence``'s), and taking a wrong one off again. Both are steps of the dated procedure
(``upload_evidence``, ``delete_evidence``) and audited; a deleted file's row goes, its content stays on disk
under its sha256 (the audit entry names it), so nothing is lost."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.errors import AssessmentError, InputProblem, NotFound
from engine.messages import N_

from .. import audit
from ..evidence import store_evidence
from .base import log, writable
from .view import DossierView, view_of

if TYPE_CHECKING:
    from . import DossierService


def add_evidence(svc: DossierService, username: str, dossier_id: int, criterion: str, filename: str,
                 content: bytes, expected_version: int | None = None) -> DossierView:
    with svc.transaction() as s:
        user, dossier = writable(s, svc.procedures, username, dossier_id, "upload_evidence", "draft",
                                 expected_version, "evidence", N_("chỉ thêm minh chứng khi hồ sơ đang soạn"))
        codes = [c.code for c in svc.version_of(dossier).criteria]
        if criterion not in codes:
            raise AssessmentError([InputProblem(criterion, N_("không có tiêu chí này trong %(version)s",
                                                               version=dossier.criteria_version))])
        item = store_evidence(svc.settings.instance(), svc.settings.max_upload_bytes, dossier, criterion, filename,
                              content, user.username)
        dossier.evidence.append(item)  # the newest last, as the collection orders them; added to the session
        dossier.updated_at = audit.now()
        log(s, user, dossier, "evidence.add", f"{criterion} {item.filename}",
            after={"sha256": item.sha256, "size": item.size, "type": item.content_type})
        return view_of(svc.registry, dossier, reader=svc.view_reader)


def delete_evidence(svc: DossierService, username: str, dossier_id: int, evidence_id: int,
                    expected_version: int | None = None) -> DossierView:
    """Take an evidence file off a draft dossier (a wrong upload), audited with what it was."""
    with svc.transaction() as s:
        user, dossier = writable(s, svc.procedures, username, dossier_id, "delete_evidence", "draft",
                                 expected_version, "evidence", N_("chỉ xoá minh chứng khi hồ sơ đang soạn"))
        item = next((e for e in dossier.evidence if e.id == evidence_id), None)
        if item is None:
            raise NotFound(N_("hồ sơ %(id)s không có minh chứng %(evidence)s", id=str(dossier_id),
                              evidence=str(evidence_id)))
        before = {"criterion": item.criterion, "filename": item.filename, "sha256": item.sha256, "size": item.size}
        dossier.evidence.remove(item)
        s.delete(item)
        dossier.updated_at = audit.now()
        log(s, user, dossier, "evidence.delete", f"{item.criterion} {item.filename}", before=before)
        return view_of(svc.registry, dossier, reader=svc.view_reader)
