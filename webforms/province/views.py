"""Province: sign off verified dossiers (one by one or in batch), revoke, and see the dashboard.

A recognition needs the decision's number, date and signer: the service checks them (shape, length, not before
the verification, not in the future; a blank signer comes from the issuer configuration) for each dossier of a
batch and the refusals are flashed one by one; a recognition of dossiers of several issuing bodies is refused
whole, before the confirmation is asked (``DossierService.decide_batch``, ``check_batch``). The batch form
carries the version of each dossier it listed (``version_<id>``), the revoke form the version of the dossier page: a stale one is refused, nothing applied."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice

from dossiers.bulk.report_figures import percent_text, score_bins, share
from dossiers.cycle import expiring, expiry_xlsx
from engine.errors import CfcError
from engine.messages import render
from engine.numbers import format_number
from engine.workflow import LABELS, TransitionRefused, round_date

from .. import charts
from ..auth import require_action
from ..confirm import ask, must_ask
from ..converters import form_ids, round_arg
from ..db import service
from ..dossiers import revoke_again
from ..errors import keeps_typed_text, status_of, typed_text_problems
from ..filters import vn_sort_key
from ..forms import (
    DecisionFields,
    RevokeForm,
    attach_text_problems,
    field_errors,
    missing_version,
    shown_version,
    version_text,
)
from ..i18n import error_text

bp = Blueprint("province", __name__, url_prefix="/province", template_folder="templates")


class DecisionForm(DecisionFields):
    action = RadioField(_l("Quyết định"), choices=[SelectChoice("recognize", _l("Công nhận")),
                                                  SelectChoice("reject", _l("Không công nhận"))],
                        default="recognize")
    reason = TextAreaField(_l("Lý do (bắt buộc khi không công nhận)"), render_kw={"rows": 2})


@bp.route("/")
def index():
    actor = require_action("recognize", "reject", "revoke", "return_verified")
    return _queue(actor.username, DecisionForm())


def _queue(username: str, form: DecisionForm, ticked=(), status: int = 200):
    """The sign-off queue with the decision form (a refused one as it was typed, its dossiers ticked)."""
    queue = service().list(username, status="verified")
    return render_template("province/index.html", queue=queue, form=form, ticked=set(ticked)), status


@bp.route("/decide", methods=["POST"])
@keeps_typed_text
def decide():
    actor = require_action("recognize", "reject")
    form = DecisionForm()
    ids = form_ids("dossier")  # a value that is not an id is a 400
    valid = form.validate_on_submit()
    unstorable = attach_text_problems(form, typed_text_problems(), inline=False)
    if not valid or not ids or unstorable:
        if not ids:
            flash(_("Chọn ít nhất một hồ sơ."), "error")
        for line in (field_errors(form) if not valid else []) + unstorable:  # e.g. a date that is not one
            flash(line, "error")
        return _queue(actor.username, form, ids)  # every typed field and tick kept
    versions = {i: version_text(request.form.get(f"version_{i}")) for i in ids}  # what the list showed
    if None in versions.values():
        missing_version()
    if must_ask() and not _one_body(actor.username, ids, form):  # refused before asking: nothing to confirm
        return _queue(actor.username, form, ids)  # every typed field and tick kept
    if must_ask():
        question = (_("Công nhận %(n)s hồ sơ (%(ids)s)?", n=len(ids), ids=", ".join(f"#{i}" for i in ids))
                    if form.action.data == "recognize" else
                    _("Không công nhận %(n)s hồ sơ (%(ids)s)?", n=len(ids), ids=", ".join(f"#{i}" for i in ids)))
        return ask(question, _("Thực hiện"), url_for("province.index"), danger=form.action.data != "recognize")
    decision = form.decision() if form.action.data == "recognize" else {}
    try:  # one refusal does not stop the others; dossiers of several issuing bodies stop all
        done, failed = service().decide_batch(actor.username, ids, form.action.data, versions,
                                              reason=form.reason.data, **decision)
    except TransitionRefused as exc:
        flash(error_text(exc), "error")
        return _queue(actor.username, form, ids)  # every typed field and tick kept
    refused = {dossier_id: f"#{dossier_id}: {error_text(exc)}" for dossier_id, exc in failed}
    if done:
        flash(_("Đã xử lý %(n)s hồ sơ: %(ids)s", n=len(done), ids=", ".join(f"#{i}" for i in done)), "ok")
    for line in refused.values():
        flash(line, "error")
    if refused:  # the form again as typed, the refused dossiers still ticked
        return _queue(actor.username, form, refused)
    return redirect(url_for("province.index"))


def _one_body(username: str, ids: list[int], form: DecisionForm) -> bool:
    """Whether the batch may be asked about: a recognition of dossiers of several issuing bodies is flashed."""
    try:
        if form.action.data == "recognize":
            service().check_batch(username, ids, form.decision_date.data)
    except TransitionRefused as exc:
        flash(error_text(exc), "error")
        return False
    return True


@bp.route("/dossiers/<int:dossier_id>/revoke", methods=["POST"])
@keeps_typed_text
def revoke(dossier_id: int):
    actor = require_action("revoke")
    form = RevokeForm()
    valid = form.validate_on_submit()
    unstorable = attach_text_problems(form, typed_text_problems(), inline=False)
    if not valid or unstorable:
        for line in field_errors(form) + unstorable:  # e.g. a date that is not one: say which field
            flash(line, "error")
        return revoke_again(actor.username, dossier_id, form, 422)
    try:
        version = shown_version(form, lambda: service().check_transition(actor.username, dossier_id, "revoke",
                                                                         reason=form.reason.data))
        if must_ask():
            return ask(_("Thu hồi công nhận của hồ sơ %(id)s? Giấy công nhận sẽ hết hiệu lực.", id=dossier_id),
                       _("Thu hồi công nhận"), url_for("dossiers.show", dossier_id=dossier_id), danger=True)
        service().transition(actor.username, dossier_id, "revoke", reason=form.reason.data,
                             expected_version=version, public_reason=form.public_reason.data, **form.decision())
    except CfcError as exc:  # e.g. a date before the recognition: the dossier page, all six fields as typed
        if status_of(exc) in (403, 404):
            raise
        flash(error_text(exc), "error")
        return revoke_again(actor.username, dossier_id, form, status_of(exc))
    flash(_("Đã thu hồi công nhận."), "ok")
    return redirect(url_for("dossiers.show", dossier_id=dossier_id))


def _score_bins(views: list, year: int) -> list[tuple[str, int]]:
    """The score distribution of the round as the province report draws it (``report_figures.score_bins``):
    every dossier once, for the criteria version of the round, with a last bar for those without a total."""
    registry = service().registry
    versions = {v.criteria_version for v in views}
    try:
        version = registry.get(versions.pop()) if len(versions) == 1 else registry.in_force(round_date(year))
    except CfcError:  # a year before any criteria version: no bins to put totals in
        version = None
    bins = score_bins([v.score.total if v.score else None for v in views], version)
    return [(render(label, _), n) for label, n in bins]


def _share_rows(views: list, communes: dict[str, int]) -> tuple[dict[str, Counter], list]:
    """Dossiers per district and status, every district of the province included (none: an empty count), and
    the share of recognised communes per district."""
    by_district: dict[str, Counter] = defaultdict(Counter, {district: Counter() for district in communes})
    for v in views:
        by_district[v.units.get("district") or v.units.get("province", "")][v.status] += 1
    rows = []
    for district, total in sorted(communes.items(), key=lambda item: vn_sort_key(item[0])):
        recognized = by_district.get(district, Counter())["recognized"]
        percent = share(recognized, total)
        rows.append((district, percent,
                     f"{format_number(recognized)}/{format_number(total)} ({percent_text(percent)})"))
    return by_district, rows


@bp.route("/dashboard")
def dashboard():
    actor = require_action("report")  # the province's figures, as its report
    year = round_arg() or int(service().setting("current_round", None) or dt.date.today().year)
    views = service().list(actor.username, year)
    communes = service().commune_counts(actor.username, year)
    by_district, rows = _share_rows(views, communes)
    bins = _score_bins(views, year)
    return render_template("province/dashboard.html", year=year,
                           by_district=sorted(by_district.items(), key=lambda item: vn_sort_key(item[0])),
                           labels=LABELS, histogram=charts.histogram(bins),
                           shares=charts.shares_against_targets(rows), total=len(views),
                           scored=sum(n for _, n in bins), communes=communes,
                           province_total=sum(by_district.values(), Counter()),
                           expiry=expiring(service(), actor.username, dt.date.today()))


@bp.route("/expiring.xlsx")
def expiring_xlsx():
    """The recognitions that expire by the end of the next reassessment round, as a spreadsheet."""
    actor = require_action("report")
    found = expiring(service(), actor.username, dt.date.today())
    return Response(expiry_xlsx(found), mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="het-han-truoc-dot-{found.round_year}.xlsx"'})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
