"""District and province users upload a CSV or XLSX of indicator values, see the report of every bad cell or
the scores that would result, and confirm; they download a round's results, its audit trail, the import
template and the province report. Thin over ``dossiers.bulk``."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tempfile
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField
from wtforms.validators import DataRequired, NumberRange

import certificates as docs
from dossiers.bulk import export as bulk_export
from dossiers.bulk.importer import ImportRefused, import_table
from dossiers.bulk.read import read_upload
from dossiers.bulk.report import province_report as province_report_fields
from dossiers.bulk.template import write_template
from engine.workflow import round_date

from ..auth import require_role
from ..db import service, settings

bp = Blueprint("bulk", __name__, template_folder="templates")
IMPORTERS = ("district_appraiser", "district_chair", "province_officer")
READERS = IMPORTERS + ("province_approver",)
MAX_BYTES = 20 * 1024 * 1024


class UploadForm(FlaskForm):
    year = IntegerField("Năm đánh giá", validators=[DataRequired(), NumberRange(2019, 2100)])
    file = FileField("Tệp CSV hoặc XLSX", validators=[FileRequired()])


class ConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    year = HiddenField(validators=[DataRequired()])
    name = HiddenField(validators=[DataRequired()])


def _uploads() -> Path:
    folder = settings().instance() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _current_round() -> int:
    return int(service().setting("current_round", None) or dt.date.today().year)


@bp.route("/import", methods=["GET", "POST"])
def upload():
    actor = require_role(*IMPORTERS)
    form = UploadForm(year=_current_round())
    report = None
    confirm = None
    if form.validate_on_submit():
        data = form.file.data.read()
        name = Path(form.file.data.filename or "tep.csv").name
        if len(data) > MAX_BYTES:
            abort(413)
        token = hashlib.sha256(data).hexdigest()
        (_uploads() / token).write_bytes(data)  # kept until confirmed: nothing is imported yet
        report = import_table(service(), read_upload(data, name), form.year.data, actor.username, dry_run=True, workers=0)
        if report.ok and report.changed:
            confirm = ConfirmForm(token=token, year=str(form.year.data), name=name)
    return render_template("bulk/import.html", form=form, report=report, confirm=confirm)


@bp.route("/import/confirm", methods=["POST"])
def confirm():
    actor = require_role(*IMPORTERS)
    form = ConfirmForm()
    if not form.validate_on_submit() or not form.token.data.isalnum():
        abort(400)
    path = _uploads() / form.token.data
    if not path.exists():
        flash(_("Tệp đã hết hạn, vui lòng tải lên lại."), "error")
        return redirect(url_for("bulk.upload"))
    try:
        report = import_table(service(), read_upload(path.read_bytes(), form.name.data), int(form.year.data),
                              actor.username, workers=0)
    except ImportRefused as exc:  # the data changed since the dry run (e.g. a dossier was submitted)
        return render_template("bulk/import.html", form=UploadForm(year=int(form.year.data)), report=exc.report,
                               confirm=None), 409
    path.unlink(missing_ok=True)
    flash(report.summary(), "ok")
    return redirect(url_for("bulk.upload"))


def _send(make, filename: str):
    """Write the export to a temporary file (the writers take a path), answer its bytes, remove it."""
    with tempfile.TemporaryDirectory(prefix="cfc-export-") as folder:
        path = Path(folder) / filename
        make(path)
        data = path.read_bytes()
    return send_file(io.BytesIO(data), as_attachment=True, download_name=filename)


@bp.route("/export")
def export():
    actor = require_role(*READERS)
    year = request.args.get("round", type=int) or _current_round()
    fmt = request.args.get("format", "xlsx")
    what = request.args.get("what", "results")
    if fmt not in ("xlsx", "csv") or what not in ("results", "audit", "template"):
        abort(400, description="format: xlsx|csv; what: results|audit|template")
    if what == "results":
        return _send(lambda p: bulk_export.export_results(service(), actor.username, year, p),
                     f"ket-qua-{year}.{fmt}")
    if what == "audit":
        return _send(lambda p: bulk_export.export_audit(service(), actor.username, p, year=year),
                     f"nhat-ky-{year}.{fmt}")
    version = service().registry.in_force(round_date(year))
    return _send(lambda p: write_template(version, p), f"mau-nhap-{version.id}.{fmt}")


@bp.route("/province/report.pdf")
def province_report():
    actor = require_role("province_approver", "province_officer")
    year = request.args.get("round", type=int) or _current_round()
    fields = province_report_fields(service(), actor.username, actor.unit_code, year)
    pdf = docs.province_report_pdf(docs.from_dict(docs.ProvinceReportData, fields))
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"bao-cao-{actor.unit_code}-{year}.pdf")
