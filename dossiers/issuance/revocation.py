"""The plain data of a revocation decision (keys of ``certificates.data.RevocationData``).

A revoked dossier's revocation is a decision of the body that decides its recognitions: its number, date and
signer were recorded by the ``revoke`` transition. The reason it prints is the public one given with the
revocation (``revocation_public_reason``, what the verification page shows); the internal note of the revoke
transition stays in the audit trail and is never printed. A dossier revoked before a public reason was asked for
(migration 0004) has none: its decision, like its verification page, gives no reason. The wording comes from the
``revocation`` part of the dated issuer configuration in force on the revocation's date.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.errors import CfcError, ConflictError
from engine.loader import Registry
from engine.messages import N_

from ..models import Dossier
from .fields import appraisal, sample_document, version_label
from .issuers import documents_for, issuer_fields, placeholder_values
from .names import commune_names, issuing_unit
from .serials import current_certificate
from .signers import revocation_signer


def _require_revocation(dossier: Dossier) -> None:
    """A revocation decision exists for a revoked dossier whose revocation recorded its number and date."""
    who = N_("hồ sơ %(id)s (%(commune)s)", id=str(dossier.id), commune=dossier.commune.name)
    if dossier.status != "revoked":
        raise ConflictError(N_("%(who)s chưa bị thu hồi công nhận (trạng thái %(status)s): chỉ hồ sơ đã bị thu "
                               "hồi mới có quyết định thu hồi", who=who, status=dossier.status))
    if not dossier.revocation_number or dossier.revocation_date is None:
        raise ConflictError(N_("%(who)s bị thu hồi khi hệ thống chưa ghi số và ngày quyết định thu hồi: không có "
                               "quyết định thu hồi để in", who=who))
    if not dossier.decision_number or dossier.decision_date is None:
        raise ConflictError(N_("%(who)s không có số và ngày quyết định công nhận: quyết định thu hồi không nêu "
                               "được quyết định bị thu hồi", who=who))


def revocation_fields(session: Session, dossier: Dossier, registry: Registry | None = None, signer_name: str = "",
                      config: dict | None = None) -> dict:
    """The revocation decision of a revoked dossier; ``ConflictError`` (with the reason) for any other."""
    _require_revocation(dossier)
    registry = registry or Registry.load()
    entry = documents_for(dossier.procedure, dossier.revocation_date, config)
    wording = entry.revocation
    if wording is None:
        raise CfcError(N_("criteria/procedures/documents: %(procedure)s (từ %(day)s) chưa có mẫu quyết định thu "
                          "hồi (`revocation`)", procedure=dossier.procedure, day=f"{entry.effective_from:%d/%m/%Y}"))
    unit = issuing_unit(dossier.commune, entry.decision.level)
    values = placeholder_values(entry, unit, dossier.commune)
    name, title = revocation_signer(dossier, config)
    cert = current_certificate(session, dossier)
    version = registry.get(dossier.criteria_version)
    names = commune_names(dossier.commune)
    return {
        "number": dossier.revocation_number,
        "date": dossier.revocation_date,
        "issuer": issuer_fields(entry.decision, values, signer_name or name, title),
        "year": dossier.year,
        "unit_phrase": entry.unit_phrase,
        "commune": names["commune"],
        "district": names["district"],
        "province": names["province"],
        "recognition_number": dossier.decision_number,
        "recognition_date": dossier.decision_date,
        "reason": dossier.revocation_public_reason or "",  # public: never the audit trail's internal note
        "grounds": [g.format_map(values) for g in wording.grounds],
        "proposal": wording.proposal.format_map(values),
        "executors": wording.executors.format_map(values),
        "recipients": [r.format_map(values) for r in wording.recipients],
        "certificate_serial": cert.serial if cert is not None else "",
        "criteria_version": version_label(version),
        "provisional": sample_document(appraisal(dossier), version),
    }
