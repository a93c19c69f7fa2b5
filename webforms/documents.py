"""Documents on the web: the province downloads a dossier's certificate, recognition decision, revocation decision
and appraisal minutes; anyone checks a certificate at /verify/SERIAL (no sign-in). Data comes from ``dossiers.issuance``, PDF bytes from
``certificates``; this module only checks access and glues them."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

import certificates as docs
from dossiers import authority, issuance
from dossiers.config import ConfigError, public_base_url
from dossiers.cycle import validity
from dossiers.issuance.serials import certificate_of

from .auth import require_action
from .db import service, settings
from .limits import verification

bp = Blueprint("documents", __name__)
STEMS = {"certificate": "giay-cong-nhan", "decision": "quyet-dinh-cong-nhan", "revocation": "quyet-dinh-thu-hoi",
         "minutes": "bien-ban-tham-dinh"}
# each document: its data class, its renderer
KINDS = {
    "certificate": (docs.CertificateData, docs.certificate_pdf),
    "decision": (docs.DecisionData, docs.decision_pdf),
    "revocation": (docs.RevocationData, docs.revocation_pdf),
    "minutes": (docs.MinutesData, docs.minutes_pdf),
}


def base_url(session) -> str:
    """Where the verification pages are reached (``dossiers.config.public_base_url``: CFC_BASE_URL, else the
    stored setting ``public_base_url``); none is a ConfigError that names them. Never the request's Host
    header: it goes into QR codes."""
    return public_base_url(settings(), session).rstrip("/")


def document_fields(s, svc, dossier, kind: str) -> dict:
    """The plain data of the dossier's ``kind`` document (``dossiers.issuance``)."""
    if kind == "certificate":
        return issuance.certificate_fields(s, certificate_of(s, dossier), base_url(s), svc.registry)
    if kind == "decision":
        return issuance.decision_fields(s, dossier, svc.registry)
    if kind == "revocation":
        return issuance.revocation_fields(s, dossier, svc.registry)
    return issuance.minutes_fields(s, dossier, svc.registry)


def document_pdf(username: str, dossier_id: int, kind: str) -> tuple[bytes, str]:
    """The PDF bytes of one document of a dossier and a file name; checks role, jurisdiction and the dossier's
    state (``issuance.check_document_access``, as the commands do). Reads only: the certificate's serial was
    allocated when the dossier was recognised."""
    svc = service()
    with svc.transaction(readonly=True) as s:
        dossier = issuance.check_document_access(s, username, dossier_id, kind, svc.procedures)
        fields = document_fields(s, svc, dossier, kind)
        issuance.check_samples(s, fields["provisional"])
    data_class, render = KINDS[kind]
    return render(docs.from_dict(data_class, fields)), f"{STEMS[kind]}-{dossier_id}.pdf"


def pdf_response(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/dossiers/<int:dossier_id>/<any(certificate, decision, revocation, minutes):kind>.pdf")
def download(dossier_id: int, kind: str):
    actor = require_action(authority.DOCUMENT_ACTIONS[kind])
    data, filename = document_pdf(actor.username, dossier_id, kind)
    return pdf_response(data, filename)


@bp.route("/verify/<serial>")
@verification  # per address: serials are sequential
def verify(serial: str):
    """Public: every field of the certificate and whether it is valid, revoked (when, why) or superseded."""
    if len(serial) > 40:
        abort(404)
    with service().transaction(readonly=True) as s:
        try:
            url = base_url(s)
        except ConfigError:  # checking a serial needs no configured address: the page shows the one it is at
            url = request.url_root.rstrip("/")
        found = issuance.verification(s, serial, url, service().registry)
    if found is None:
        message = (f"Không có giấy công nhận nào mang số hiệu {serial}: giấy mang số hiệu này là giấy giả "
                   "hoặc số hiệu bị ghi sai.")
        return render_template("error.html", status=404, message=message), 404
    found["validity"] = validity(service().procedures, found["procedure"], found["year"], found["decision_date"])
    return render_template("verify.html", serial=serial, found=found)


__all__ = ["bp", "document_pdf", "pdf_response"]
