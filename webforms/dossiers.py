"""Pages every signed-in role shares: the dossiers of one's jurisdiction, a dossier with its history, evidence."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dossiers.config import ConfigError, public_base_url
from engine.workflow import LABELS

from .converters import round_arg
from .db import service, settings
from .documents import signatures
from .forms import RevokeForm, VersionedForm, shown_version

bp = Blueprint("dossiers", __name__, url_prefix="/dossiers")


def context(view) -> dict:
    """What every dossier page shows: the dossier, its version, history, labels."""
    svc = service()
    version = svc.registry.get(view.criteria_version)
    category = version.category(view.category)
    allowed = svc.allowed(current_user.username, view.id)
    return {
        "no_base_url": _no_base_url() if "download_certificate" in allowed else None,
        "d": view,
        "version": version,
        "category_label": category.label if category else view.category,
        "history": svc.history(current_user.username, view.id),
        "allowed": allowed,
        "labels": LABELS,
    }


def _no_base_url() -> str | None:
    """Why a certificate cannot be printed here (no public address for its QR code), else None: the page
    then says so instead of offering a link that would be refused."""
    try:
        with service().transaction(readonly=True) as s:
            public_base_url(settings(), s)
    except ConfigError as exc:
        return str(exc)
    return None


@bp.route("/")
@login_required
def index():
    year = round_arg()
    status = request.args.get("status") or None
    if status is not None and status not in LABELS:
        abort(400, description=_("không có trạng thái «%(status)s»", status=status))
    views = service().list(current_user.username, year, status)
    return render_template("dossiers/index.html", dossiers=views, labels=LABELS, status=status, year=year)


@bp.route("/<int:dossier_id>")
@login_required
def show(dossier_id: int):
    view = service().get(current_user.username, dossier_id)
    revoke_form = RevokeForm(lock_version=view.lock_version)  # a decision on the version shown here
    return _show(view, revoke_form)


def revoke_again(username: str, dossier_id: int, form: RevokeForm, status: int):
    """The dossier page after a refused revocation: the revoke form as typed, on the version now shown."""
    view = service().get(username, dossier_id)
    form.lock_version.data = view.lock_version
    return _show(view, form), status


def _show(view, revoke_form: RevokeForm):
    rescore_form = VersionedForm(lock_version=view.lock_version)
    ctx = context(view)
    signed = signatures(current_user.username, view.id, ctx["allowed"])  # from the records: no PDF made
    return render_template("dossiers/show.html", revoke_form=revoke_form, rescore_form=rescore_form, signed=signed,
                           **ctx)


@bp.route("/<int:dossier_id>/rescore", methods=["POST"])
@login_required
def rescore(dossier_id: int):
    """Score the dossier again under the criteria content of today (the version the page showed)."""
    form = VersionedForm()
    if form.validate_on_submit():  # CSRF
        version = shown_version(form, lambda: service().check_rescore(current_user.username, dossier_id))
        view = service().rescore(current_user.username, dossier_id, version)
        flash(_("Đã tính lại điểm theo nội dung hiện hành của bộ tiêu chí."), "ok")
        return redirect(url_for("dossiers.show", dossier_id=view.id))
    abort(400, description=_("Biểu mẫu không hợp lệ: hãy tải lại trang và thử lại."))


@bp.route("/<int:dossier_id>/evidence/<int:evidence_id>")
@login_required
def evidence(dossier_id: int, evidence_id: int):
    view = service().get(current_user.username, dossier_id)  # checks jurisdiction
    item = next((e for e in view.evidence if e["id"] == evidence_id), None)
    if item is None:
        abort(404)
    path = settings().instance() / "evidence" / str(dossier_id) / item["sha256"]
    return send_file(path, mimetype=item["content_type"], as_attachment=True, download_name=item["filename"])
