"""District appraisal panel (or, under procedure-2025, the province's appraisers): appraise every indicator
against evidence, return to the commune with a reason, and (the chair) verify with the members present.

Every form carries the dossier version the page showed: one posted without it is refused (400), a stale one
names what changed since (409) and nothing is applied. An appraisal belongs to the latest submission: its
fields start empty, the commune's value beside."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import AssessmentError, CfcError, ConflictError
from engine.shared import shared_sources
from engine.workflow import TransitionRefused

from ..auth import require_action
from ..confirm import ask, must_ask
from ..db import service
from ..dossiers import context
from ..errors import keeps_typed_text, status_of, typed_text_problems
from ..forms import (
    PanelForm,
    ReasonForm,
    attach_problems,
    attach_text_problems,
    dossier_form,
    shown_version,
    submitted_comments,
    submitted_values,
)
from ..i18n import error_text

bp = Blueprint("district", __name__, url_prefix="/district", template_folder="templates")


@bp.route("/")
def index():
    actor = require_action("appraise", "verify", "return")
    queue = service().list(actor.username, status="submitted")
    verified = service().list(actor.username, status="verified")
    progress = {v.id: appraised_count(v) for v in queue}
    ready = [v for v in queue if progress[v.id][0] == progress[v.id][1]]
    return render_template("district/index.html", queue=[v for v in queue if v not in ready], ready=ready,
                           progress=progress, verified=verified)


def appraised_count(view) -> tuple[int, int]:
    """(indicators appraised for the latest submission, indicators): all appraised, the chair may verify."""
    return sum(1 for v in view.values.values() if v["appraised"] is not None), len(view.values)


def impact(view) -> dict:
    """Per criterion: points with the commune's values, with the appraised values, and the difference;
    ``_total`` the totals, ``_pending`` the indicators not yet appraised for the latest submission."""
    self_score = view.self_score
    appraised = service().preview_appraisal(view)
    out: dict = {c.code: {"self": c.points, "appraised": None, "diff": None}
                 for c in (self_score.criteria if self_score else [])}
    if appraised:
        for crit in appraised.criteria:
            row = out.setdefault(crit.code, {"self": None})
            row["appraised"] = crit.points
            row["diff"] = None if row["self"] is None else crit.points - row["self"]
        out["_total"] = {"self": self_score.total if self_score else None, "appraised": appraised.total,
                         "recognized": appraised.recognized, "threshold": appraised.threshold,
                         "failed": [f.message for f in appraised.failed_conditions]}
    # not yet appraised for this submission: the preview takes the commune's value, verify is refused
    out["_pending"] = sorted(code for code, v in view.values.items() if v["appraised"] is None)
    return out


@bp.route("/dossiers/<int:dossier_id>", methods=["GET", "POST"])
@keeps_typed_text
def appraise(dossier_id: int):
    actor = require_action("appraise")
    svc = service()
    view, version, form = dossier_form(svc, actor.username, dossier_id, "appraised", comments=True,
                                       formdata=request.form if request.method == "POST" else None)
    loose: list[str] = []
    if request.method == "POST":
        seen = shown_version(form, lambda: svc.appraise(actor.username, dossier_id, {}))  # saves nothing
        valid = form.validate()
        loose = attach_text_problems(form, typed_text_problems(), version)  # a comment pasted with U+0007
        if valid and not typed_text_problems():
            try:
                copies = shared_sources(version)  # no field of their own: they take their source's value
                values = {code: text for code, text in submitted_values(form, version).items() if code not in copies}
                svc.appraise(actor.username, dossier_id, values, submitted_comments(form, version), seen)
            except AssessmentError as exc:
                loose = attach_problems(form, exc.problems)
                flash(_("Chưa lưu: có giá trị không hợp lệ, xem các ô được đánh dấu."), "error")
            except (ConflictError, TransitionRefused) as exc:
                flash(error_text(exc), "error")
            else:
                flash(_("Đã lưu kết quả thẩm định."), "ok")
                return redirect(url_for("district.appraise", dossier_id=dossier_id))
        else:
            flash(_("Chưa lưu: có giá trị không hợp lệ, xem các ô được đánh dấu."), "error")
    return render_appraisal(view, form, loose=loose, status=422 if loose or form.errors else 200)


def render_appraisal(view, form, loose=(), panel_form=None, status: int = 200):
    """The appraisal page: the decisions below it are taken on the version shown (a panel form posted back
    keeps what was typed)."""
    shown = {"lock_version": view.lock_version}
    return render_template("district/appraise.html", form=form, loose=list(loose), impact=impact(view),
                           reason_form=ReasonForm(**shown), panel_form=panel_form or PanelForm(**shown),
                           **context(view)), status


@bp.route("/dossiers/<int:dossier_id>/return", methods=["POST"])
def send_back(dossier_id: int):
    actor = require_action("return")
    form = ReasonForm()
    if form.validate_on_submit():
        version = shown_version(form, lambda: service().check_transition(actor.username, dossier_id, "return",
                                                                         reason=form.reason.data))
        if must_ask():
            return ask(_("Trả hồ sơ về xã với lý do: «%(reason)s»?", reason=form.reason.data), _("Trả lại"),
                       request.referrer or url_for("dossiers.show", dossier_id=dossier_id))
        service().transition(actor.username, dossier_id, "return", reason=form.reason.data,
                             expected_version=version)
        flash(_("Đã trả hồ sơ về xã."), "ok")
    back = request.referrer if request.referrer and not request.referrer.endswith(request.path) else None
    return redirect(back or url_for("dossiers.show", dossier_id=dossier_id))


@bp.route("/dossiers/<int:dossier_id>/verify", methods=["POST"])
@keeps_typed_text
def verify(dossier_id: int):
    actor = require_action("verify")
    form = PanelForm()
    if not form.validate_on_submit():
        return redirect(url_for("district.appraise", dossier_id=dossier_id))
    members = [line.strip() for line in (form.members.data or "").splitlines() if line.strip()]
    unstorable = attach_text_problems(form, typed_text_problems(), inline=False)
    try:
        if unstorable:
            return _panel_again(actor.username, dossier_id, form, unstorable, 422)
        version = shown_version(form, lambda: service().check_transition(actor.username, dossier_id, "verify",
                                                                         panel_members=members))
        if must_ask():
            return ask(_("Xác nhận kết quả thẩm định với %(n)s thành viên hội đồng có mặt? Sau khi xác nhận, hồ "
                         "sơ chuyển lên tỉnh.", n=len(members)), _("Xác nhận"),
                       url_for("district.appraise", dossier_id=dossier_id))
        service().transition(actor.username, dossier_id, "verify", panel_members=members, expected_version=version)
    except CfcError as exc:  # e.g. a member's name too long: the page again, the members as typed
        if status_of(exc) in (403, 404):
            raise
        return _panel_again(actor.username, dossier_id, form, [error_text(exc)], status_of(exc))
    flash(_("Đã xác nhận kết quả thẩm định."), "ok")
    return redirect(url_for("dossiers.show", dossier_id=dossier_id))


def _panel_again(username: str, dossier_id: int, form: PanelForm, problems: list[str], status: int):
    """The appraisal page with the refusal and the panel members as typed, on the version it now shows."""
    for line in problems:
        flash(line, "error")
    view, _version, appraisal = dossier_form(service(), username, dossier_id, "appraised", comments=True)
    form.lock_version.data = view.lock_version
    return render_appraisal(view, appraisal, panel_form=form, status=status)
