"""The impact of a criteria correction on a round, for the rules administrator and the province: pick a proposed
version or upload an edited copy, then see who gains and who loses eligibility, the change per criterion and the
dossiers that could not be compared; download it as a spreadsheet.

The page and the download are GETs that only read: ``base``, ``round``, ``province`` and either ``version`` (a
version of the criteria folder) or ``file`` (an uploaded copy, kept under its SHA-256 for a day in the instance
folder). The upload is a POST with CSRF; an invalid file is refused with each problem's line and field.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import re
import tempfile
import time
from pathlib import Path

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, Regexp

from dossiers.impact import round_impact
from dossiers.impact_proposal import MAX_PROPOSAL_BYTES, load_proposal
from dossiers.impact_sheet import impact_xlsx
from engine.errors import CriteriaError
from engine.loader import Registry
from engine.workflow import LABELS

from ..auth import require_action
from ..charts import changes
from ..db import service, settings
from ..forms import Form
from ..i18n import tr
from .views import bp

KEEP = dt.timedelta(days=1)
_SHA = re.compile(r"^[0-9a-f]{64}$")
_CODE = re.compile(r"^[0-9A-Za-z]{1,16}$")


class UploadForm(Form):
    base = SelectField(_l("Bộ tiêu chí hiện hành"), validators=[DataRequired()])
    year = IntegerField(_l("Kỳ đánh giá (năm)"), validators=[InputRequired(), NumberRange(1990, 2100)])
    province = StringField(_l("Mã tỉnh (để trống: cả địa bàn)"), validators=[Optional(), Regexp(_CODE.pattern)])
    file = FileField(_l("Tệp tiêu chí đề xuất (YAML)"), validators=[FileRequired()])


def _registry() -> Registry:
    return service().registry


def _folder() -> Path:
    """The uploaded proposals, swept of those older than ``KEEP`` (on an upload: a GET never writes)."""
    folder = settings().instance() / "proposals"
    folder.mkdir(parents=True, exist_ok=True)
    limit = time.time() - KEEP.total_seconds()
    for path in folder.iterdir():
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()
    return folder


def _current_round() -> int:
    return int(service().setting("current_round", None) or dt.date.today().year)


def _query() -> dict | None:
    """The page's parameters, checked; None when none are given (the empty form); 400 naming a bad one."""
    args = request.args
    if not any(k in args for k in ("version", "file")):
        return None
    ids = _registry().versions
    base = args.get("base", "")
    if base not in ids:
        abort(400, description=_("base: không có bộ tiêu chí %(v)s", v=base))
    try:
        year = int(args.get("round", ""))
    except ValueError:
        year = 0
    if not 1990 <= year <= 2100:
        abort(400, description=_("round: năm của kỳ đánh giá, từ 1990 đến 2100"))
    province = args.get("province", "").strip() or None
    if province is not None and not _CODE.match(province):
        abort(400, description=_("province: mã tỉnh gồm chữ số hoặc chữ cái"))
    out = {"base": base, "round": year, "province": province}
    if "file" in args:
        sha = args.get("file", "")
        if not _SHA.match(sha):
            abort(400, description=_("file: không có tệp đề xuất này"))
        out["file"] = sha
    else:
        version = args.get("version", "")
        if version not in ids:
            abort(400, description=_("version: không có bộ tiêu chí %(v)s", v=version))
        out["version"] = version
    return out


def _proposed(query: dict):
    if "version" in query:
        return _registry().get(query["version"]), query["version"]
    path = settings().instance_dir / "proposals" / f"{query['file']}.yaml"  # a GET: no sweeping here
    if not path.is_file() or path.stat().st_mtime < time.time() - KEEP.total_seconds():
        abort(404, description=_("Tệp đề xuất không còn trên máy chủ (giữ một ngày): hãy tải lên lại."))
    return load_proposal(path), _("tệp tải lên")


def _impact(query: dict, username: str):
    proposed, label = _proposed(query)
    return round_impact(service(), username, query["base"], proposed, query["round"], query["province"], label)


def _form(**data) -> UploadForm:
    form = UploadForm(**data)
    form.base.choices = sorted(_registry().versions)
    return form


@bp.route("/impact")
def impact():
    actor = require_action("criteria_impact")
    query = _query()
    result = _impact(query, actor.username) if query else None
    ids = sorted(_registry().versions)
    form = _form(base=(query or {}).get("base"), year=(query or {}).get("round") or _current_round(),
                 province=(query or {}).get("province"))
    chart = changes([(s.code, s.average, s.largest) for s in result.shifts]) if result else None
    return render_template("admin/impact.html", form=form, ids=ids, query=query, result=result, chart=chart,
                           problems=None, labels=LABELS)


@bp.route("/impact.xlsx")
def impact_download():
    actor = require_action("criteria_impact")
    query = _query()
    if query is None:
        abort(400, description=_("version hoặc file: chọn bản đề xuất"))
    data = impact_xlsx(_impact(query, actor.username))
    name = f"tac-dong-{query['base']}-{query['round']}.xlsx"
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/impact/upload", methods=["POST"])
def impact_upload():
    require_action("criteria_impact")
    form = _form()
    if not form.validate_on_submit():
        return _refused(form, None, 422)
    with form.file.data.stream as stream:  # closed at once: a large upload is a temporary file
        data = stream.read(MAX_PROPOSAL_BYTES + 1)
    if len(data) > MAX_PROPOSAL_BYTES:
        abort(413, description=_("Tệp tiêu chí tối đa %(n)s MB.", n=MAX_PROPOSAL_BYTES // (1024 * 1024)))
    name = re.sub(r"[^\w.-]", "_", Path(form.file.data.filename or "").name)[:80] or "de-xuat.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            load_proposal(path)
        except CriteriaError as exc:
            problems = [f"{name}:{p.line}: {p.field}: {tr(p.message)}" if p.line else
                        f"{name}: {p.field}: {tr(p.message)}" for p in exc.problems]
            return _refused(form, problems, 422)
    sha = hashlib.sha256(data).hexdigest()
    (_folder() / f"{sha}.yaml").write_bytes(data)
    return redirect(url_for("admin.impact", base=form.base.data, round=form.year.data,
                            province=form.province.data or None, file=sha))


def _refused(form: UploadForm, problems: list[str] | None, status: int):
    return render_template("admin/impact.html", form=form, ids=sorted(_registry().versions), query=None,
                           result=None, chart=None, problems=problems, labels=LABELS), status
