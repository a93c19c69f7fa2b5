"""Rules admin: the criteria versions, every value with its provenance, correcting and verifying a value, the
changes between two versions, publishing.

Views load, check, call one function of ``dossiers.criteria_admin`` (the command line's edits, with who may and
the file version the page showed), render. Who may open these pages: the roles of the procedures'
``edit_criteria`` and ``publish_criteria`` steps; each edit is checked again, with the procedure in force today.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dossiers import criteria_admin
from dossiers.impact_publish import recognised_changes
from engine.errors import ConflictError, EditError
from engine.models import CriteriaVersion

from ..auth import require_action
from ..db import service
from ..i18n import error_text
from . import changes, entries
from .forms import FIELD_LABELS, CorrectForm, PublishForm, VerifyForm, field_choices

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
STEPS = ("edit_criteria", "publish_criteria")


@bp.context_processor
def _helpers() -> dict:
    return {"field_labels": FIELD_LABELS, "shown": entries.shown}


def _load(version_id: str) -> tuple[CriteriaVersion, str]:
    """The version as its file says now, and the file's content version."""
    registry = criteria_admin.reload(service())
    version = registry.get(version_id)
    return version, criteria_admin.file_version(registry.files[version.id])


@bp.route("/")
def index():
    require_action(*STEPS)
    registry = criteria_admin.reload(service())
    versions = sorted(registry.versions.values(), key=lambda v: v.effective_from)
    return render_template("admin/index.html", versions=versions, open_counts={
        v.id: len(entries.open_values(v)) for v in versions}, ids=[v.id for v in versions])


@bp.route("/criteria/<version_id>")
def version(version_id: str):
    require_action(*STEPS)
    v, seen = _load(version_id)
    return _version_page(v, seen)


def _version_page(v: CriteriaVersion, seen: str, refused: bool = False, status: int = 200, changes=()):
    actor = require_action(*STEPS)
    form = PublishForm(formdata=None, prefix="publish", seen=seen)
    return render_template("admin/version.html", v=v, groups=entries.groups(v), open_values=entries.open_values(v),
                           form=form, refused=refused, changes=changes,
                           may_edit=criteria_admin.may(service(), actor.username, "edit_criteria"),
                           may_publish=criteria_admin.may(service(), actor.username, "publish_criteria")), status


@bp.route("/criteria/<version_id>/value")
def value(version_id: str):
    require_action(*STEPS)
    v, seen = _load(version_id)
    entry = _entry(v, request.args.get("at", ""))
    return _value_page(v, entry, seen)


def _entry(v: CriteriaVersion, locator: str) -> entries.Entry:
    entry = entries.by_locator(v).get(locator)
    if entry is None:
        abort(404, description=_("Bộ tiêu chí %(v)s không có giá trị «%(at)s».", v=v.id, at=locator[:80]))
    return entry


def _value_page(v, entry, seen, verify_form=None, correct_form=None, problem=None, status=200):
    actor = require_action(*STEPS)
    verify_form = verify_form or VerifyForm(formdata=None, prefix="verify", at=entry.locator, seen=seen,
                                            source=entry.source if entry.verified else "")
    correct_form = correct_form or CorrectForm(formdata=None, prefix="correct", at=entry.locator, seen=seen,
                                               verified=entry.verified)
    correct_form.field.choices = field_choices(entry)
    verify_form.seen.data = correct_form.seen.data = seen  # what the page now shows
    return render_template("admin/value.html", v=v, e=entry, verify_form=verify_form, correct_form=correct_form,
                           problem=problem,
                           may_edit=criteria_admin.may(service(), actor.username, "edit_criteria")), status


@bp.route("/criteria/<version_id>/verify", methods=["POST"])
def verify(version_id: str):
    actor = require_action("edit_criteria")
    form = VerifyForm(prefix="verify")
    return _apply(version_id, form, lambda: criteria_admin.confirm(
        service(), actor.username, version_id, form.at.data, seen=form.seen.data, source=form.source.data))


@bp.route("/criteria/<version_id>/correct", methods=["POST"])
def correct(version_id: str):
    actor = require_action("edit_criteria")
    form = CorrectForm(prefix="correct")
    v, _seen = _load(version_id)
    form.field.choices = field_choices(_entry(v, form.at.data or ""))
    return _apply(version_id, form, lambda: criteria_admin.correct(
        service(), actor.username, version_id, f"{form.at.data}/{form.field.data}", form.value.data or "",
        seen=form.seen.data, source=form.source.data or None, verified=form.verified.data))


def _apply(version_id: str, form, edit):
    """Run the edit when the form is valid; else, or when it is refused, show the page again with what was typed
    and the reason (nothing was written)."""
    v, seen = _load(version_id)
    entry = _entry(v, form.at.data or "")
    forms = {"verify_form" if isinstance(form, VerifyForm) else "correct_form": form}
    if not form.validate_on_submit():
        return _value_page(v, entry, seen, problem=_("Chưa lưu: kiểm tra các ô được đánh dấu."), status=422, **forms)
    try:
        change = edit()
    except ConflictError as exc:
        v, seen = _load(version_id)
        return _value_page(v, _entry(v, entry.locator), seen, problem=error_text(exc), status=409, **forms)
    except EditError as exc:
        target = form.value if isinstance(form, CorrectForm) else form.source
        target.errors = [*target.errors, error_text(exc)]
        return _value_page(v, entry, seen, problem=_("Chưa lưu: giá trị không hợp lệ."), status=422, **forms)
    flash(_("Đã ghi: %(change)s", change=change), "ok")
    return redirect(url_for("admin.version", version_id=version_id, _anchor=entry.anchor))


@bp.route("/criteria/<version_id>/publish", methods=["POST"])
def publish_version(version_id: str):
    actor = require_action("publish_criteria")
    form = PublishForm(prefix="publish")
    v, seen = _load(version_id)
    if not form.validate_on_submit():
        abort(400, description=_("Biểu mẫu không ghi phiên bản bộ tiêu chí mà bạn đã xem; chưa công bố."))
    if entries.open_values(v):
        return _version_page(v, seen, refused=True, status=409)
    changes = recognised_changes(service(), v)
    if changes and request.form.get("confirm") != "1":  # list them and ask first
        return _version_page(v, seen, changes=changes)
    try:
        criteria_admin.publish_version(service(), actor.username, version_id, seen=form.seen.data)
    except ConflictError as exc:
        flash(error_text(exc), "error")
        v, seen = _load(version_id)
        return _version_page(v, seen, refused=bool(entries.open_values(v)), status=409)
    flash(_("Đã công bố %(v)s là phiên bản chính thức.", v=version_id), "ok")
    return redirect(url_for("admin.version", version_id=version_id))


@bp.route("/diff")
def diff():
    require_action(*STEPS)
    registry = criteria_admin.reload(service())
    ids = sorted(registry.versions)
    left = request.args.get("a") or ids[0]
    right = request.args.get("b") or ids[-1]
    a, b = registry.get(left), registry.get(right)
    texts = [registry.files[x.id].read_text(encoding="utf-8").splitlines() for x in (a, b)]
    return render_template("admin/diff.html", hunks=changes.hunks(*texts), ids=ids, left=a.id, right=b.id)
