"""Commune officer: create the round's dossier, fill the self-assessment, upload evidence, submit.

The assessment and evidence forms carry the dossier version the page showed: one posted without it is refused
(400), a stale one names what changed since and nothing is stored."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from dossiers.evidence import UploadRefused
from engine.errors import AssessmentError, ConflictError
from engine.workflow import LABELS, TransitionRefused

from ..auth import require_action
from ..db import service
from ..dossiers import context
from ..forms import PlainForm, VersionedForm, attach_problems, dossier_form, shown_version, submitted_values
from ..i18n import error_text, tr

bp = Blueprint("commune", __name__, url_prefix="/commune", template_folder="templates")


class EvidenceForm(VersionedForm):
    criterion = SelectField("Tiêu chí")
    file = FileField("Tệp minh chứng (PDF, ảnh, Word, Excel)", validators=[FileRequired()])


def current_round() -> int:
    return int(service().setting("current_round", None) or dt.date.today().year)


@bp.route("/")
def index():
    actor = require_action("edit")
    views = service().list(actor.username)
    year = current_round()
    has_current = any(v.year == year for v in views)
    return render_template("commune/index.html", dossiers=views, year=year, has_current=has_current,
                           form=PlainForm(), labels=LABELS)


@bp.route("/create", methods=["POST"])
def create():
    actor = require_action("edit")
    form = PlainForm()
    if not form.validate_on_submit():
        flash(_("Phiên làm việc đã hết hạn, vui lòng thử lại."), "error")
        return redirect(url_for("commune.index"))
    view = service().create(actor.username, actor.unit_code, current_round())
    flash(_("Đã tạo hồ sơ năm %(year)s.", year=view.year), "ok")
    return redirect(url_for("commune.edit", dossier_id=view.id))


@bp.route("/dossiers/<int:dossier_id>", methods=["GET", "POST"])
def edit(dossier_id: int):
    actor = require_action("edit")
    svc = service()
    view, version, form = dossier_form(svc, actor.username, dossier_id, "self",
                                       formdata=request.form if request.method == "POST" else None)
    loose: list[str] = []
    if request.method == "POST":
        seen = shown_version(form, lambda: svc.set_values(actor.username, dossier_id, {}))  # saves nothing
        if form.validate():
            try:
                view = svc.set_values(actor.username, dossier_id, submitted_values(form, version), seen)
            except AssessmentError as exc:
                loose = attach_problems(form, exc.problems)
                flash(_("Chưa lưu: có giá trị không hợp lệ, xem các ô được đánh dấu."), "error")
            except ConflictError as exc:
                flash(error_text(exc), "error")
            except TransitionRefused as exc:
                flash(error_text(exc), "error")
            else:
                if request.form.get("action") == "submit":
                    try:
                        svc.transition(actor.username, dossier_id, "submit", expected_version=view.lock_version)
                    except TransitionRefused as exc:
                        flash(_("Đã lưu nháp nhưng chưa nộp được: ") + tr(exc.reasons), "error")
                    else:
                        flash(_("Đã nộp hồ sơ."), "ok")
                        return redirect(url_for("dossiers.show", dossier_id=dossier_id))
                else:
                    flash(_("Đã lưu nháp."), "ok")
                return redirect(url_for("commune.edit", dossier_id=dossier_id))
        else:
            flash(_("Chưa lưu: có giá trị không hợp lệ, xem các ô được đánh dấu."), "error")
    evidence_form = EvidenceForm(lock_version=view.lock_version)
    evidence_form.criterion.choices = [SelectChoice(c.code, f"{c.code} — {c.title}") for c in version.criteria]
    return render_template("commune/edit.html", form=form, evidence_form=evidence_form, loose=loose,
                           editable=view.status == "draft", **context(view)), (422 if loose or form.errors else 200)


@bp.route("/dossiers/<int:dossier_id>/evidence", methods=["POST"])
def upload(dossier_id: int):
    actor = require_action("upload_evidence")
    svc = service()
    view = svc.get(actor.username, dossier_id)
    version = svc.registry.get(view.criteria_version)
    form = EvidenceForm()
    form.criterion.choices = [SelectChoice(c.code) for c in version.criteria]
    if not form.validate_on_submit():
        flash(_("Chưa tải lên: ") + "; ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items()), "error")
        return redirect(url_for("commune.edit", dossier_id=dossier_id))
    seen = shown_version(form)  # svc.get above checked the jurisdiction
    upload_file = form.file.data
    try:
        svc.add_evidence(actor.username, dossier_id, form.criterion.data, upload_file.filename, upload_file.read(),
                         seen)
    except UploadRefused as exc:
        if exc.too_large:
            return render_template("error.html", status=413, message=error_text(exc)), 413
        flash(error_text(exc), "error")
        return redirect(url_for("commune.edit", dossier_id=dossier_id))
    flash(_("Đã tải lên minh chứng."), "ok")
    return redirect(url_for("commune.edit", dossier_id=dossier_id))


@bp.route("/dossiers/<int:dossier_id>/evidence/<int:evidence_id>/delete", methods=["POST"])
def delete_evidence(dossier_id: int, evidence_id: int):
    """Take a wrong upload off the draft (the file's content stays on disk; the audit entry names it)."""
    actor = require_action("delete_evidence")
    svc = service()
    form = VersionedForm()
    if not form.validate_on_submit():
        flash(_("Chưa xoá: biểu mẫu không hợp lệ, hãy tải lại trang."), "error")
        return redirect(url_for("commune.edit", dossier_id=dossier_id))
    seen = shown_version(form, lambda: svc.get(actor.username, dossier_id))
    svc.delete_evidence(actor.username, dossier_id, evidence_id, seen)
    flash(_("Đã xoá minh chứng."), "ok")
    return redirect(url_for("commune.edit", dossier_id=dossier_id))
