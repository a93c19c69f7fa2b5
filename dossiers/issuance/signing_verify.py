"""Is an uploaded PDF a document issued under a certificate's serial, byte for byte, and is its signature sound?

The upload's SHA-256 is compared with every signed document recorded for the serial's dossier (its certificates
only under that serial: ``signing_records.recorded_for``), whatever changed since (base URL, templates, fonts),
and with the recorded file of each document the serial's dossier has now. Then, for documents signed before the
records, the documents (the certificate of that serial, the recognition decision, the revocation decision, the
appraisal minutes) are rendered again — their unsigned bytes are deterministic — and the upload is compared with
each one's stored signed file and with its unsigned bytes. Its signatures are checked apart (``signing_check``): a
forwarded copy proves itself offline, whatever the database says.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from engine.errors import CfcError
from engine.messages import N_

from .fields import certificate_fields
from .serials import lookup
from .signing_check import SignatureCheck, check_signatures
from .signing_issue import KINDS_OF_STATE, fields_of
from .signing_records import digest, recorded, recorded_for
from .signing_store import Render, Signing

KIND_LABELS = {"certificate": N_("Giấy công nhận"), "decision": N_("Quyết định công nhận"),
               "revocation": N_("Quyết định thu hồi"), "minutes": N_("Biên bản thẩm định")}
MAX_UPLOAD = 10 * 1024 * 1024  # a decision of a whole province is well under 2 MB


@dataclass
class UploadCheck:
    matched: str | None = None  # the kind of document the upload is, byte for byte
    matched_signed: bool = False  # the upload is that document's signed file (else its unsigned bytes)
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def matched_label(self) -> str:
        return KIND_LABELS.get(self.matched or "", "")

    @property
    def verdict(self) -> str:
        """genuine: byte for byte a document issued under the serial; altered: a signature no longer matches
        the bytes; other: not a document issued under this serial; unreadable: not a PDF."""
        if any(c.status == "unreadable" for c in self.signatures):
            return "unreadable"
        if self.matched:
            return "genuine"
        if any(c.status == "altered" for c in self.signatures):
            return "altered"
        return "other"


def _documents(session: Session, serial: str, base_url: str, registry):
    """(kind, fields) of every document issued under ``serial``; a document that cannot be built is left out."""
    cert = lookup(session, serial)
    if cert is None:
        return
    yield "certificate", certificate_fields(session, cert, base_url, registry)
    dossier = cert.dossier
    for kind in KINDS_OF_STATE.get(dossier.status, ()):
        if kind == "certificate":
            continue
        try:
            yield kind, fields_of(session, dossier, kind, base_url, registry)
        except CfcError:
            continue


def check_upload(session: Session, serial: str, upload: bytes, base_url: str, registry, render: Render,
                 signing: Signing) -> UploadCheck:
    """Compare ``upload`` with the documents of ``serial`` and check its signatures."""
    result = UploadCheck(signatures=check_signatures(upload, signing.config))
    if upload[:5] != b"%PDF-":
        result.signatures = [SignatureCheck("unreadable")]
        return result
    cert = lookup(session, serial)
    if cert is None:
        return result
    sha = digest(upload)
    documents = list(_documents(session, serial, base_url, registry))
    records = recorded_for(session, cert.dossier_id, cert.serial)
    records += [r for r in (recorded(session, cert.dossier_id, kind, fields) for kind, fields in documents) if r]
    for record in records:
        if record.signed_sha256 == sha:
            result.matched, result.matched_signed = record.kind, True
            return result
    for kind, fields in documents:
        pdf, _spot = render(kind, fields)
        if upload == pdf:
            result.matched = kind
            return result
        if upload == signing.store.get(pdf):
            result.matched, result.matched_signed = kind, True
            return result
    return result
