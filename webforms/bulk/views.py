"""District and province users upload a CSV or XLSX of indicator values, see the report of every bad cell or
the scores that would result, and confirm; they download a round's results, its audit trail, the import
template and the province report. Thin over ``dossiers.bulk``.

The confirmation is bound to the preview: it stores nothing when a dossier of the file changed (or was
created) after the preview, and shows who changed what with the file checked again (409). A preview waits a
day (``KEEP``) for its confirmation: older ones are deleted whenever the uploads folder is used, and cannot be
confirmed. A file beyond the limits of ``dossiers.bulk.table`` is refused with a message naming the limit."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import secrets
import tempfile
import time
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField
from wtforms.validators import DataRequired, InputRequired, NumberRange

import certificates as docs
from dossiers.bulk import export as bulk_export
from dossiers.bulk.importer import ImportConflict, ImportRefused, import_table
from dossiers.bulk.read import read_upload
from dossiers.bulk.report import province_report as province_report_fields
from dossiers.bulk.template import write_template
from engine.workflow import round_date

from ..auth import require_action
from ..converters import round_arg
from ..db import service, settings
from ..forms import Form
from ..i18n import tr

bp = Blueprint("bulk", __name__, template_folder="templates")
MAX_BYTES = 20 * 1024 * 1024
KEEP = dt.timedelta(days=1)  # how long an upload waits for its confirmation


class UploadForm(Form):
    year = IntegerField(_l("Năm đánh giá"), validators=[InputRequired(), NumberRange(2019, 2100)])
    file = FileField(_l("Tệp CSV hoặc XLSX"), validators=[FileRequired()])


class ConfirmForm(Form):
    token = HiddenField(validators=[DataRequired()])
    year = HiddenField(validators=[DataRequired()])
    name = HiddenField(validators=[DataRequired()])


def _uploads() -> Path:
    """The folder of the previews waiting for their confirmation, swept of those older than ``KEEP``."""
    folder = settings().instance() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    return folder


def _current_round() -> int:
    return int(service().setting("current_round", None) or dt.date.today().year)


def _sweep(folder: Path) -> None:
    """Forget previews nobody confirmed within ``KEEP``."""
    limit = time.time() - KEEP.total_seconds()
    for path in folder.iterdir():
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


def _preview(data: bytes, name: str, year: int, username: str):
    """The dry run of an upload, and the confirmation form when there is something to store. The file and
    what the preview saw (each row's dossier version, the communes without one) stay on the server under a
    random token until confirmed: the form carries only the token, so the versions cannot be tampered with."""
    report = import_table(service(), read_upload(data, name), year, username, dry_run=True, workers=0)
    if not (report.ok and report.changed):
        return report, None
    folder = _uploads()
    token = secrets.token_hex(32)
    seen = {"user": username, "year": year, "name": name,
            "versions": {str(k): v for k, v in report.seen_versions().items()}, "new": sorted(report.seen_new())}
    (folder / token).write_bytes(data)  # kept until confirmed: nothing is imported yet
    (folder / f"{token}.json").write_text(json.dumps(seen), encoding="utf-8")
    return report, ConfirmForm(formdata=None, token=token, year=str(year), name=name)  # not the request's


@bp.route("/import", methods=["GET", "POST"])
def upload():
    actor = require_action("import")
    form = UploadForm(year=_current_round())
    report = confirm = None
    if form.validate_on_submit():
        data = form.file.data.read()
        if len(data) > MAX_BYTES:
            abort(413)
        name = Path(form.file.data.filename or "tep.csv").name
        report, confirm = _preview(data, name, form.year.data, actor.username)
    status = 422 if form.errors else 200  # a bad year or no file: said on the page, nothing read
    return render_template("bulk/import.html", form=form, report=report, confirm=confirm), status


def _stored_preview(form: ConfirmForm, username: str) -> tuple[bytes, dict] | None:
    """The upload and what its preview saw, taken for this one confirmation; None when there is none for this
    user (confirmed already, older than ``KEEP`` and swept, or a token made up)."""
    token = form.token.data
    if not token.isalnum():
        abort(400)
    folder = _uploads()
    path, sidecar = folder / token, folder / f"{token}.json"
    try:
        seen = json.loads(sidecar.read_text(encoding="utf-8"))
        data = path.read_bytes()
    except (OSError, ValueError):
        return None
    if seen.get("user") != username:
        return None
    if (form.year.data, form.name.data) != (str(seen["year"]), seen["name"]):
        abort(400, description=_("Biểu mẫu xác nhận không khớp với tệp đã kiểm tra."))
    path.unlink(missing_ok=True)  # one confirmation per preview
    sidecar.unlink(missing_ok=True)
    return data, seen


@bp.route("/import/confirm", methods=["POST"])
def confirm():
    actor = require_action("import")
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    stored = _stored_preview(form, actor.username)
    if stored is None:
        flash(_("Tệp đã hết hạn, vui lòng tải lên lại."), "error")
        return redirect(url_for("bulk.upload"))
    data, seen = stored
    year = int(seen["year"])
    try:
        report = import_table(service(), read_upload(data, seen["name"]), year, actor.username, workers=0,
                              expected_versions={int(k): v for k, v in seen["versions"].items()},
                              expect_new=set(seen["new"]))
    except ImportConflict as exc:  # changed since the preview: nothing stored; here is the file checked again
        report, again = _preview(data, seen["name"], year, actor.username)
        return render_template("bulk/import.html", form=UploadForm(year=year), report=report, confirm=again,
                               conflicts=exc.conflicts), 409
    except ImportRefused as exc:  # the data changed since the dry run (e.g. a dossier was submitted)
        return render_template("bulk/import.html", form=UploadForm(year=year), report=exc.report,
                               confirm=None), 409
    flash(tr(report.summary()), "ok")
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
    actor = require_action("export")
    year = round_arg() or _current_round()
    fmt = request.args.get("format", "xlsx")
    what = request.args.get("what", "results")
    if fmt not in ("xlsx", "csv") or what not in ("results", "audit", "template"):
        abort(400, description=_("format: xlsx hoặc csv; what: results, audit hoặc template"))
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
    actor = require_action("report")
    year = round_arg() or _current_round()
    fields = province_report_fields(service(), actor.username, actor.unit_code, year)
    pdf = docs.province_report_pdf(docs.from_dict(docs.ProvinceReportData, fields))
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"bao-cao-{actor.unit_code}-{year}.pdf")
