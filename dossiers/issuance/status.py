"""Verifying a serial: anyone may check one. Its status is computed from the dossier, never stored twice:

* ``valid``: the dossier is recognised and the certificate is the current one;
* ``revoked``: the dossier was revoked through the workflow's ``revoke`` event, by a decision: its number, its
  date and the public reason given with it (the internal note stays in the audit trail);
* ``superseded``: a newer certificate replaced this one (``reissue``, e.g. a lost or damaged paper); the new
  serial is given.

"Issued on" (``issued_on``, "Ngày cấp") is the date of the recognition decision, as printed on the certificate;
``issued_at`` is when the serial was allocated.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Literal

from sqlalchemy.orm import Session

from engine.loader import Registry
from engine.messages import N_

from ..audit import last_event, local_date
from ..models import Certificate
from .fields import appraisal, category_label, certificate_facts
from .serials import lookup

STATUS_LABELS = {  # messages: Vietnamese as strings (the API's JSON), rendered in the reader's language on pages
    "valid": N_("Còn hiệu lực"),
    "revoked": N_("Đã bị thu hồi"),
    "superseded": N_("Đã được thay thế bằng giấy công nhận khác"),
    "invalid": N_("Không có hiệu lực"),
}


@dataclass
class CertificateStatus:
    status: Literal["valid", "revoked", "superseded", "invalid"]
    label: str
    revoked_at: str | None = None  # ISO timestamp of the revocation
    revoked_on: dt.date | None = None  # its date in Vietnam
    revoke_reason: str | None = None  # the public reason given with the revocation decision
    revocation_number: str | None = None
    superseded_by: str | None = None  # the serial that replaced this one
    superseded_on: dt.date | None = None


def status_of(session: Session, cert: Certificate) -> CertificateStatus:
    if cert.superseded_by is not None:
        new = cert.successor
        return CertificateStatus("superseded", STATUS_LABELS["superseded"], superseded_by=new.serial,
                                 superseded_on=local_date(new.issued_at))
    dossier = cert.dossier
    if dossier.status == "revoked":
        entry = last_event(session, dossier.id, "transition.revoke")
        if entry is None:
            return CertificateStatus("revoked", STATUS_LABELS["revoked"])
        # public: the revocation decision and its public reason; the internal note and who entered it stay in
        # the audit trail
        return CertificateStatus("revoked", STATUS_LABELS["revoked"], revoked_at=entry.at,
                                 revoked_on=dossier.revocation_date or local_date(entry.at),
                                 revoke_reason=dossier.revocation_public_reason,
                                 revocation_number=dossier.revocation_number)
    if dossier.status == "recognized" and dossier.decision_number == cert.decision_number:
        return CertificateStatus("valid", STATUS_LABELS["valid"])
    return CertificateStatus("invalid", STATUS_LABELS["invalid"])


def verification(session: Session, serial: str, base_url: str, registry: Registry | None = None) -> dict | None:
    """Everything the public verification page shows of a serial, or None when no certificate has it (numbers
    as numbers: the page writes them, ``to_json`` keeps them)."""
    cert = lookup(session, serial)
    if cert is None:
        return None
    registry = registry or Registry.load()
    fields = certificate_facts(session, cert, base_url, registry)
    status = asdict(status_of(session, cert))
    fields.update({
        "status": status,
        "issued_at": cert.issued_at,
        "issued_on": cert.decision_date,  # "Ngày cấp" is the decision date, as on the certificate
        "dossier_id": cert.dossier_id,
        "category": cert.dossier.category,
        "procedure": cert.dossier.procedure,  # its cycle says how long the recognition stands
        "category_label": category_label(cert.dossier, registry),
        "threshold": score.threshold if (score := appraisal(cert.dossier)) else None,
    })
    return fields


def to_json(fields: dict) -> str:
    """Plain fields as JSON (dates as ISO text), e.g. for an API."""
    return json.dumps(fields, ensure_ascii=False, default=lambda v: v.isoformat() if hasattr(v, "isoformat")
                      else str(v))
