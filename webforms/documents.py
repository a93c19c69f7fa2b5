"""Documents on the web: the province downloads a dossier's certificate, recognition decision, revocation decision
and appraisal minutes; anyone checks a certificate at /verify/SERIAL (no sign-in), and may upload a PDF there to
learn whether it is a document issued under that serial, byte for byte, and whether its digital signature is
sound. Data comes from ``dossiers.issuance``, PDF bytes from ``certificates``; a download serves the signed file
recorded at issuance (``issuance.signing_store``; a recorded file missing or altered is an error page, 409),
else the unsigned document with ``X-Document-Signature: unsigned``. This module only checks access and glues
them."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_wtf.file import FileField, FileRequired

from certificates.signature import signable_pdf
from dossiers import authority, issuance
from dossiers.config import ConfigError, public_base_url
from dossiers.cycle import validity
from dossiers.issuance.pdf_bounds import TooComplex
from dossiers.issuance.serials import certificate_of
from dossiers.issuance.signing_store import SignedStore, Signing, served, state
from dossiers.issuance.signing_verify import MAX_UPLOAD, check_upload
from engine.errors import CfcError

from .auth import require_action
from .db import service, settings
from .errors import FORM_ALLOWANCE
from .forms import Form
from .i18n import error_text
from .limits import verification

bp = Blueprint("documents", __name__)
STEMS = {"certificate": "giay-cong-nhan", "decision": "quyet-dinh-cong-nhan", "revocation": "quyet-dinh-thu-hoi",
         "minutes": "bien-ban-tham-dinh"}


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


def document_pdf(username: str, dossier_id: int, kind: str) -> tuple[bytes, str, bool]:
    """The PDF bytes of one document of a dossier, a file name, and whether it is the signed file recorded at
    issuance; checks role, jurisdiction and the dossier's state (``issuance.check_document_access``, as the
    commands do). Reads only: the serial was allocated, and the document signed, when it was issued."""
    svc = service()
    with svc.transaction(readonly=True) as s:
        dossier = issuance.check_document_access(s, username, dossier_id, kind, svc.procedures)
        fields = document_fields(s, svc, dossier, kind)
        issuance.check_samples(s, fields["provisional"])
        data, signed = served(Signing.from_settings(settings()), s, dossier.id, kind, fields, signable_pdf)
    return data, f"{STEMS[kind]}-{dossier_id}.pdf", signed


def signatures(username: str, dossier_id: int, allowed) -> dict[str, str]:
    """Kind → "signed", "unsigned", or "missing"/"altered" (its recorded signed file; the download is refused),
    for each document of the dossier the user may download now (``allowed``: the dossier's allowed actions) and
    that can be made; from the records (or the signed store's index), so a page view renders and parses no
    PDF."""
    svc = service()
    store = SignedStore(settings().instance_dir / "signed")
    out = {}
    with svc.transaction(readonly=True) as s:
        for kind, action in authority.DOCUMENT_ACTIONS.items():
            if action not in allowed:
                continue
            try:
                dossier = issuance.check_document_access(s, username, dossier_id, kind, svc.procedures)
                out[kind] = state(store, s, dossier.id, kind, document_fields(s, svc, dossier, kind))
            except CfcError:  # not made yet (no decision, no serial, no public address): no link to label
                continue
    return out


def pdf_response(data: bytes, filename: str, signed: bool | None = None) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if signed is not None:  # says whether the file carries the issuing body's digital signature
        headers["X-Document-Signature"] = "signed" if signed else "unsigned"
    return Response(data, mimetype="application/pdf", headers=headers)


@bp.route("/dossiers/<int:dossier_id>/<any(certificate, decision, revocation, minutes):kind>.pdf")
def download(dossier_id: int, kind: str):
    actor = require_action(authority.DOCUMENT_ACTIONS[kind])
    return pdf_response(*document_pdf(actor.username, dossier_id, kind))


class UploadForm(Form):
    file = FileField("PDF", validators=[FileRequired()])


@bp.route("/verify/<serial>", methods=["GET", "POST"])
@verification  # per address: serials are sequential
def verify(serial: str):
    """Public: every field of the certificate and whether it is valid, revoked (when, why) or superseded; a
    posted PDF (CSRF, at most ``MAX_UPLOAD`` bytes) is compared with the documents of the serial and its
    signatures checked. Nothing is stored."""
    if len(serial) > 40:
        abort(404)
    request.max_content_length = MAX_UPLOAD + FORM_ALLOWANCE
    form = UploadForm()
    upload = error = None
    signing = Signing.from_settings(settings())
    with service().transaction(readonly=True) as s:
        try:
            url = base_url(s)
        except ConfigError:  # checking a serial needs no configured address: the page shows the one it is at
            url = request.url_root.rstrip("/")
        found = issuance.verification(s, serial, url, service().registry)
        if found is not None and request.method == "POST":
            upload, error = _checked_upload(form, s, serial, url, signing)
    if found is None:
        message = _("Không có giấy công nhận nào mang số hiệu %(serial)s: giấy mang số hiệu này là giấy giả hoặc số "
                    "hiệu bị ghi sai.", serial=serial)
        return render_template("error.html", status=404, message=message), 404
    found["validity"] = validity(service().procedures, found["procedure"], found["year"], found["decision_date"])
    return render_template("verify.html", serial=serial, found=found, form=form, upload=upload, error=error,
                           signing_configured=signing.config is not None), 400 if error else 200


def _checked_upload(form: UploadForm, s, serial: str, url: str, signing: Signing):
    """(the check of the posted file, None) or (None, why it was not checked)."""
    from flask_babel import gettext as _

    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            return None, _("Phiên làm việc đã hết hạn, vui lòng tải lại trang và gửi lại tệp.")
        return None, _("Chưa chọn tệp PDF.")
    data = form.file.data.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return None, _("Tệp lớn hơn %(mb)s MB.", mb=MAX_UPLOAD // (1024 * 1024))
    if not data.startswith(b"%PDF-"):
        return None, _("Tệp không phải là PDF.")
    try:
        return check_upload(s, serial, data, url, service().registry, signable_pdf, signing), None
    except TooComplex as exc:  # too many objects, or streams that decompress to too much: checked no further
        return None, error_text(exc)


__all__ = ["bp", "document_pdf", "pdf_response", "signatures"]
