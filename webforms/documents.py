"""Documents on the web: the province downloads a dossier's certificate, decision and appraisal minutes; anyone
checks a certificate at /verify/SERIAL (no sign-in). Data comes from ``dossiers.issuance``, PDF bytes from
``certificates``; this module only checks access and glues them."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

import certificates as docs
from dossiers import issuance
from dossiers.config import ConfigError, public_base_url

from .auth import require_role
from .db import service, settings

DEFAULT_BASE_URL = "http://127.0.0.1:5000"

bp = Blueprint("documents", __name__)
STEMS = {"certificate": "giay-cong-nhan", "decision": "quyet-dinh-cong-nhan", "minutes": "bien-ban-tham-dinh"}


def base_url() -> str:
    """Where the verification pages are reached: CFC_BASE_URL, else the stored setting ``public_base_url``,
    else the address ``cfc serve`` uses by default (never the request's Host header: it goes into QR codes)."""
    with service().transaction(readonly=True) as s:
        try:
            return public_base_url(settings(), s).rstrip("/")
        except ConfigError:
            return DEFAULT_BASE_URL


def document_pdf(username: str, dossier_id: int, kind: str) -> tuple[bytes, str]:
    """The PDF bytes of one document of a dossier and a file name; checks role and jurisdiction
    (``issuance.check_document_access``, as the commands do)."""
    svc = service()
    with svc.transaction() as s:
        dossier = issuance.check_document_access(s, username, dossier_id, kind)
        if kind == "certificate":
            cert = issuance.issue(s, dossier, username)  # idempotent: the same serial every time
            fields = issuance.certificate_fields(s, cert, base_url(), svc.registry)
            data, render = docs.from_dict(docs.CertificateData, fields), docs.certificate_pdf
        elif kind == "decision":
            fields = issuance.decision_fields(s, dossier, svc.registry)
            data, render = docs.from_dict(docs.DecisionData, fields), docs.decision_pdf
        else:
            fields = issuance.minutes_fields(s, dossier)
            data, render = docs.from_dict(docs.MinutesData, fields), docs.minutes_pdf
        issuance.check_samples(s, fields["provisional"])
    return render(data), f"{STEMS[kind]}-{dossier_id}.pdf"


def pdf_response(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/dossiers/<int:dossier_id>/<any(certificate, decision, minutes):kind>.pdf")
def download(dossier_id: int, kind: str):
    actor = require_role(*issuance.DOCUMENT_ROLES[kind])
    data, filename = document_pdf(actor.username, dossier_id, kind)
    return pdf_response(data, filename)


@bp.route("/verify/<serial>")
def verify(serial: str):
    """Public: every field of the certificate and whether it is valid, revoked (when, why) or superseded."""
    if len(serial) > 40:
        abort(404)
    with service().transaction(readonly=True) as s:
        found = issuance.verification(s, serial, base_url(), service().registry)
    if found is None:
        message = (f"Không có giấy công nhận nào mang số hiệu {serial}: giấy mang số hiệu này là giấy giả "
                   "hoặc số hiệu bị ghi sai.")
        return render_template("error.html", status=404, message=message), 404
    return render_template("verify.html", serial=serial, found=found)


__all__ = ["bp", "document_pdf", "pdf_response"]
