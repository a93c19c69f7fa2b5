"""Documents on the web: the province downloads a dossier's certificate, decision and appraisal minutes; anyone
checks a certificate at /verify/SERIAL (no sign-in). Data comes from ``engine.store.issuance``, PDF bytes from
``certificates``; this module only checks access and glues them."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template

import certificates as docs
from engine.errors import AccessDenied, CfcError
from engine.store import issuance
from engine.store.models import Dossier

from .auth import require_role
from .db import service

bp = Blueprint("documents", __name__)
PROVINCE = ("province_approver", "province_officer")
KINDS = {
    "certificate": (PROVINCE, "giay-cong-nhan"),
    "decision": (PROVINCE, "quyet-dinh-cong-nhan"),
    "minutes": (PROVINCE + ("district_appraiser", "district_chair"), "bien-ban-tham-dinh"),
}


def base_url() -> str:
    """Where the verification pages are reached: the stored setting, else CFC_BASE_URL / the app's config."""
    return str(service().setting("public_base_url", None) or current_app.config["PUBLIC_BASE_URL"]).rstrip("/")


def document_pdf(username: str, roles: list[str], dossier_id: int, kind: str) -> tuple[bytes, str]:
    """The PDF bytes of one document of a dossier and a file name; checks role and jurisdiction."""
    allowed, stem = KINDS[kind]
    if not set(roles) & set(allowed):
        raise AccessDenied(f"{kind}: cần vai trò {' hoặc '.join(allowed)}")
    service().get(username, dossier_id)  # jurisdiction (403) and existence (404)
    svc = service()
    with svc.transaction() as s:
        dossier = s.get(Dossier, dossier_id)
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
        if fields["provisional"] and not issuance.samples_allowed(s):
            raise CfcError("bộ tiêu chí còn tạm thời và hệ thống không cho phép in văn bản mẫu "
                           "(allow_sample_documents)")
    return render(data), f"{stem}-{dossier_id}.pdf"


def pdf_response(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/dossiers/<int:dossier_id>/<any(certificate, decision, minutes):kind>.pdf")
def download(dossier_id: int, kind: str):
    actor = require_role(*KINDS[kind][0])
    data, filename = document_pdf(actor.username, actor.roles, dossier_id, kind)
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
