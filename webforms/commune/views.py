"""Commune officer: create the round's dossier, fill the self-assessment with a guide that follows the typing,
upload evidence, submit (after a confirmation).

The assessment and evidence forms carry the dossier version the page showed: one posted without it is refused
(400), a stale one names what changed since and nothing is stored. The preview (``/preview``) scores what is
typed and stores nothing. Uploading evidence posts the typed values with the file: the page comes back with
them, still unsaved."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from dossiers.evidence import UploadRefused
from engine.errors import AssessmentError, ConflictError
from engine.numbers import format_number
from engine.preview import preview as preview_of
from engine.shared import shared_sources
from engine.workflow import LABELS, TransitionRefused

from ..auth import require_action
from ..confirm import must_ask
from ..db import service, settings
from ..dossiers import context
from ..errors import keeps_typed_text, typed_text_problems
from ..forms import (
    PlainForm,
    VersionedForm,
    attach_problems,
    attach_text_problems,
    dossier_form,
    shown_version,
)
from ..i18n import error_text, tr
from ..limits import limiter
from .guide import guide, posted_raw, render_guide, returned, typed_raw

bp = Blueprint("commune", __name__, url_prefix="/commune", template_folder="templates")


class EvidenceForm(VersionedForm):
    criterion = SelectField(_l("Tiêu chí"))
    file = FileField(_l("Tệp minh chứng (PDF, ảnh, Word, Excel)"),
                     validators=[FileRequired(message=_l("chưa chọn tệp nào để tải lên"))])


def current_round() -> int:
    return int(service().setting("current_round", None) or dt.date.today().year)


def _per_user() -> str:
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else request.remote_addr or ""


@bp.route("/")
def index():
    actor = require_action("edit")
    svc = service()
    views = svc.list(actor.username)
    year = current_round()
    has_current = any(v.year == year for v in views)
    returns = {v.id: returned(v, svc.history(actor.username, v.id)) for v in views
               if v.status == "draft" and v.submission}
    return render_template("commune/index.html", dossiers=views, year=year, has_current=has_current,
                           form=PlainForm(), labels=LABELS, returns=returns)


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


def render_edit(username: str, view, version, form, loose: list[str] | None = None, dirty: bool = False,
                status: int = 200, stored: bool = False):
    """The form page: the guide from the values the form holds, the return's banner and comments."""
    evidence_form = EvidenceForm(lock_version=view.lock_version)
    evidence_form.criterion.choices = [SelectChoice(c.code, f"{c.code} — {c.title}") for c in version.criteria]
    ctx = context(view)
    editable = view.status == "draft" and "edit" in ctx["allowed"]
    shown = guide(username, view, version, typed_raw(version, form), stored) if editable else {}
    upload_mb = format_number(settings().max_upload_bytes / (1024 * 1024), decimals=1)  # said before choosing
    return render_template("commune/edit.html", form=form, evidence_form=evidence_form, loose=loose or [],
                           upload_mb=upload_mb,
                           editable=editable, dirty=dirty, returned=returned(view, ctx["history"]),
                           **{**ctx, **shown}), status


@bp.route("/dossiers/<int:dossier_id>", methods=["GET", "POST"])
@keeps_typed_text
def edit(dossier_id: int):
    actor = require_action("edit")
    svc = service()
    view, version, form = dossier_form(svc, actor.username, dossier_id, "self",
                                       formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        return render_edit(actor.username, view, version, form, stored=True)
    seen = shown_version(form, lambda: svc.set_values(actor.username, dossier_id, {}))  # saves nothing
    loose: list[str] = []
    copies = shared_sources(version)  # no field of their own: the service gives them their source's value
    raw = {code: text for code, text in typed_raw(version, form).items() if code not in copies}
    valid = form.validate()
    unstorable = attach_text_problems(form, typed_text_problems(), version)  # e.g. U+0007 pasted from Word
    if not valid or typed_text_problems():
        # the field checks see one value each: add what needs two (a numerator above its total, a shared
        # number typed differently) so that every problem shows at once
        loose = unstorable + attach_problems(form, [p for p in preview_of(version, raw).problems
                                                    if not getattr(form, p.code.replace(".", "__")).errors])
        flash(_("Chưa lưu: có giá trị không hợp lệ, xem các ô được đánh dấu."), "error")
        return render_edit(actor.username, view, version, form, loose, dirty=True, status=422)
    try:
        view = svc.set_values(actor.username, dossier_id, raw, seen)
    except AssessmentError as exc:
        loose = attach_problems(form, exc.problems)
        flash(_("Chưa lưu: có giá trị không hợp lệ, xem các ô được đánh dấu."), "error")
        return render_edit(actor.username, view, version, form, loose, dirty=True, status=422)
    except (ConflictError, TransitionRefused) as exc:
        flash(error_text(exc), "error")
        return render_edit(actor.username, view, version, form, dirty=True, status=409)
    if request.form.get("action") != "submit":
        flash(_("Đã lưu nháp."), "ok")
        return redirect(url_for("commune.edit", dossier_id=dossier_id))
    if must_ask():
        flash(_("Đã lưu nháp."), "ok")
        return redirect(url_for("commune.submit", dossier_id=dossier_id))
    return _submit(actor.username, dossier_id, view.lock_version, saved=True)


def _submit(username: str, dossier_id: int, version: int | None, saved: bool = False):
    """Submit; ``saved``: the values were stored just before (the edit form's "save and submit"), so a
    refusal says the draft was kept. From the confirmation page nothing was saved, and it says only why."""
    try:
        service().transition(username, dossier_id, "submit", expected_version=version)
    except TransitionRefused as exc:
        head = _("Đã lưu nháp nhưng chưa nộp được: ") if saved else _("Chưa nộp được: ")
        flash(head + tr(exc.reasons), "error")
        return redirect(url_for("commune.edit", dossier_id=dossier_id))
    flash(_("Đã nộp hồ sơ."), "ok")
    return redirect(url_for("dossiers.show", dossier_id=dossier_id))


@bp.route("/dossiers/<int:dossier_id>/submit", methods=["GET", "POST"])
def submit(dossier_id: int):
    """GET asks for confirmation (the page without JavaScript); POST submits the version it showed."""
    actor = require_action("submit")
    svc = service()
    if request.method == "POST":
        form = VersionedForm()
        if not form.validate_on_submit():
            flash(_("Phiên làm việc đã hết hạn, vui lòng thử lại."), "error")
            return redirect(url_for("commune.submit", dossier_id=dossier_id))
        seen = shown_version(form, lambda: svc.check_transition(actor.username, dossier_id, "submit"))
        return _submit(actor.username, dossier_id, seen)
    view = svc.get(actor.username, dossier_id)
    return render_template("commune/submit.html", form=VersionedForm(lock_version=view.lock_version),
                           **context(view))


@bp.route("/dossiers/<int:dossier_id>/preview", methods=["POST"])
@limiter.limit("300/minute", key_func=_per_user)
def preview(dossier_id: int):
    """The guide for the values posted (the form's fields), as an HTML fragment; nothing is stored."""
    actor = require_action("edit")
    if not PlainForm().validate_on_submit():
        return _("Phiên làm việc đã hết hạn: hãy tải lại trang."), 400
    view = service().get(actor.username, dossier_id)  # jurisdiction; the preview checks role and state
    version = service().registry.get(view.criteria_version)
    return render_guide(actor.username, view, version, posted_raw(version))


@bp.route("/dossiers/<int:dossier_id>/evidence", methods=["POST"])
@keeps_typed_text
def upload(dossier_id: int):
    actor = require_action("upload_evidence")
    svc = service()
    view = svc.get(actor.username, dossier_id)
    version = svc.registry.get(view.criteria_version)
    form = EvidenceForm()
    form.criterion.choices = [SelectChoice(c.code) for c in version.criteria]
    typed = any(key.startswith("TC") for key in request.form)  # the page's typed values came along
    if typed_text_problems():  # nothing is uploaded: the page again, the problem beside its field
        flash(_("Chưa tải lên: có ô chứa ký tự không lưu được, xem các ô được đánh dấu."), "error")
        return _back(actor.username, dossier_id, True, status=422)
    if not form.validate_on_submit():
        problems = [f"{form[k].label.text}: {', '.join(map(str, v))}" for k, v in form.errors.items()]
        flash(_("Chưa tải lên: ") + "; ".join(problems), "error")  # each field by its label, as the page shows it
        return _back(actor.username, dossier_id, typed)
    seen = shown_version(form)  # svc.get above checked the jurisdiction
    upload_file = form.file.data
    try:
        svc.add_evidence(actor.username, dossier_id, form.criterion.data, upload_file.filename, upload_file.read(),
                         seen)
    except UploadRefused as exc:
        flash(error_text(exc), "error")
        if exc.too_large:  # the file was read whole: the page again with the values typed
            return _back(actor.username, dossier_id, typed, status=413)
        return _back(actor.username, dossier_id, typed)
    flash(_("Đã tải lên minh chứng."), "ok")
    return _back(actor.username, dossier_id, typed)


def _back(username: str, dossier_id: int, typed: bool, status: int = 200):
    """The form page again: with the values typed before the upload (unsaved), else as stored (a redirect
    when all went well)."""
    if not typed and status == 200:
        return redirect(url_for("commune.edit", dossier_id=dossier_id))
    view, version, form = dossier_form(service(), username, dossier_id, "self",
                                       formdata=request.form if typed else None)
    form.lock_version.data = view.lock_version  # the upload made a new version; the values are not saved
    loose = attach_text_problems(form, typed_text_problems(), version)
    if typed:
        flash(_("Các số liệu đang nhập vẫn còn trên trang nhưng chưa được lưu: bấm «Lưu nháp» để lưu."), "ok")
    return render_edit(username, view, version, form, loose, dirty=typed, status=status)


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
