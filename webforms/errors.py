"""Engine errors → HTTP answers. Pages flash the reason and go back; the API answers JSON (see api/).

Hostile input never reaches the engine nor the database as it was sent:

- every text a page receives (query string and form fields, passwords aside) goes through
  ``engine.text.clean_text``: NFC, no control characters, else 422 naming the field. A form page marked
  ``keeps_typed_text`` gets its fields without the characters that cannot be stored and the problems in
  ``typed_text_problems()``: it stores nothing and shows its page again, every typed value kept, the problem
  beside the field. The API checks its own arguments and JSON body, after the token (api/views.py);
- JSON is parsed by ``GuardedJSON``: nesting deeper than ``JSON_DEPTH_MAX`` is a 400 (the parser's recursion
  is never reached); pages take form posts only (415 for a JSON body);
- every HTTP error keeps its headers: a 405 says which methods the address takes (``Allow``).
"""

from __future__ import annotations

import json
import re
import unicodedata

from flask import Flask, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict

from dossiers.evidence import UploadRefused
from engine.errors import (
    AccessDenied,
    AssessmentError,
    CfcError,
    ConflictError,
    InputProblem,
    NotFound,
    UnknownVersion,
)
from engine.numbers import format_number
from engine.text import ALLOWED_CONTROLS, clean_text, nfc, text_problem
from engine.workflow import TransitionRefused

from .i18n import error_text

FORM_ALLOWANCE = 64 * 1024  # what MAX_CONTENT_LENGTH leaves above a file's limit for the other form fields
JSON_DEPTH_MAX = 16  # arrays and objects inside one another; the API's bodies need 3
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"')  # a JSON string, escapes included (possessive: no backtracking)
_BRACKET = re.compile(r"[\[\]{}]")
HTTP_ERRORS = (400, 401, 403, 404, 405, 413, 414, 415, 422, 500)
# Werkzeug's own descriptions are English; a page shows these instead (an error with a description of ours keeps it)
HTTP_TEXTS = {
    400: _l("Yêu cầu không hợp lệ."),
    401: _l("Cần đăng nhập để xem trang này."),
    403: _l("Bạn không có quyền xem trang này."),
    404: _l("Không tìm thấy trang này."),
    405: _l("Địa chỉ này không nhận cách gửi này (ví dụ: chỉ nhận biểu mẫu gửi từ trang)."),
    413: _l("Tệp tải lên quá lớn."),
    414: _l("Địa chỉ quá dài."),
    415: _l("Định dạng dữ liệu gửi lên không được nhận."),
    422: _l("Dữ liệu gửi lên không hợp lệ."),
    500: _l("Lỗi hệ thống. Vui lòng thử lại; nếu lỗi lặp lại, hãy báo quản trị viên."),
}


class GuardedJSON(DefaultJSONProvider):
    """Flask's JSON, refusing (``ValueError``, which ``request.get_json`` answers with 400) a document nested
    deeper than ``JSON_DEPTH_MAX`` before the parser recurses into it."""

    def loads(self, s, **kwargs):
        if isinstance(s, bytes | bytearray):
            s = s.decode("utf-8", errors="replace")
        if nesting(s, JSON_DEPTH_MAX) > JSON_DEPTH_MAX:
            raise ValueError(f"JSON nested deeper than {JSON_DEPTH_MAX} levels")
        return json.loads(s, **kwargs)


def nesting(text: str, limit: int | None = None) -> int:
    """How deep arrays and objects nest in the JSON ``text`` (brackets inside strings do not count); counting
    stops once past ``limit``."""
    depth = deepest = 0
    for found in _BRACKET.finditer(_STRING.sub("", text)):
        depth += 1 if found.group() in "[{" else -1
        deepest = max(deepest, depth)
        if limit is not None and deepest > limit:
            break
    return deepest


def _cleaned(values: ImmutableMultiDict, problems: list[InputProblem] | None = None) -> ImmutableMultiDict:
    """``values`` in NFC; ``AssessmentError`` naming the first field with a control character, or, given
    ``problems``, every such field's problem added there and its text kept without what cannot be stored
    (``storable``). Passwords are taken as typed (their hash is of what was typed)."""
    out = []
    for key, value in values.items(multi=True):
        if "password" in key:
            out.append((key, value))
            continue
        try:
            out.append((key, clean_text(value, key)))
        except AssessmentError as exc:
            if problems is None:
                raise
            problems.extend(exc.problems)
            out.append((key, storable(value)))
    return ImmutableMultiDict(out)


def storable(text: str) -> str:
    """``text`` without the characters no text may hold (control characters but tab and line breaks, lone
    surrogates), in NFC; blank when what is left is only invisible characters."""
    kept = "".join(c for c in text if not (unicodedata.category(c) in ("Cc", "Cs") and c not in ALLOWED_CONTROLS))
    kept = nfc(kept)
    return "" if text_problem(kept) else kept


def keeps_typed_text(view):
    """Marks a form page that shows itself again on text that cannot be stored (a control character pasted
    from Word), every typed value kept, instead of a 422 page: it must check ``typed_text_problems()``."""
    view.keeps_typed_text = True
    return view


def typed_text_problems() -> list[InputProblem]:
    """The form fields of this request that held text which cannot be stored (field name, why)."""
    return list(g.get("typed_text_problems", []))


def clean_page_input():
    """Query string and form fields of a page request, checked and in NFC (422 naming the field)."""
    if request.path.startswith("/api/"):
        return None  # the API checks its own arguments and body, after the token
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.is_json:
        abort(415, description=_("Trang này chỉ nhận biểu mẫu, không nhận JSON."))
    view = current_app.view_functions.get(request.endpoint or "")
    problems: list[InputProblem] | None = [] if getattr(view, "keeps_typed_text", False) else None
    try:
        request.args = _cleaned(request.args)
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            request.form = _cleaned(request.form, problems)
    except AssessmentError as exc:
        abort(422, description=error_text(exc))
    g.typed_text_problems = problems or []
    return None


def status_of(exc: Exception) -> int:
    if isinstance(exc, AccessDenied):
        return 403
    if isinstance(exc, NotFound | UnknownVersion):
        return 404
    if isinstance(exc, TransitionRefused | ConflictError):
        return 409
    if isinstance(exc, UploadRefused):
        return 413 if exc.too_large else 422
    if isinstance(exc, AssessmentError):
        return 422
    return 400


def init_app(app: Flask) -> None:
    app.json = GuardedJSON(app)
    app.before_request(clean_page_input)

    @app.errorhandler(CfcError)
    def _engine_error(exc: CfcError):
        status = status_of(exc)
        if request.path.startswith("/api/"):
            from .api.views import error_body

            return error_body(exc, status)
        back = request.referrer if (request.referrer or "").startswith(request.host_url) else None
        if status in (403, 404, 413) or request.method == "GET" or not back:
            return render_template("error.html", status=status, message=error_text(exc)), status
        flash(error_text(exc), "error")
        return redirect(back)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        message = _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (CSRF). Vui lòng tải lại trang và thử lại.")
        return render_template("error.html", status=400, message=message), 400

    for code in HTTP_ERRORS:
        @app.errorhandler(code)
        def _http_error(exc, code=code):
            headers = [(k, v) for k, v in getattr(exc, "get_headers", list)() if k.lower() != "content-type"]
            message = getattr(exc, "description", "") or _("Lỗi")
            werkzeugs = message == getattr(type(exc), "description", None)  # Werkzeug's English text
            if code == 413 or werkzeugs:
                message = str(HTTP_TEXTS[code])
            if request.path.startswith("/api/"):
                from flask import jsonify

                return jsonify({"error": message, "status": code}), code, headers
            if code == 413:  # the body was not read: say the limit and lead back to the page it came from
                text = too_large_text() if werkzeugs else getattr(exc, "description", message)
                return render_template("error.html", status=code, message=text,
                                       back=page_back()), code, headers
            return render_template("error.html", status=code, message=message), code, headers


def too_large_text() -> str:
    """413 on a page: the limit of this address (its ``max_content_length`` less the 64 KB left for the other
    fields of the form, as ``create_app`` sets it) and that nothing was saved."""
    limit = max((request.max_content_length or 0) - FORM_ALLOWANCE, 0)
    return _("Tệp tải lên quá lớn: tối đa %(mb)s MB mỗi tệp. Không có gì được lưu, kể cả các số liệu chưa lưu "
             "gửi kèm tệp; hãy quay lại và chọn tệp nhỏ hơn.",
             mb=format_number(limit / (1024 * 1024), decimals=1))


def page_back() -> str | None:
    """Where a refused post came from: the page that sent it (same site), else the page of its dossier."""
    if (request.referrer or "").startswith(request.host_url):
        return request.referrer
    dossier_id = (request.view_args or {}).get("dossier_id")
    if dossier_id is None:
        return None
    if (request.blueprint or "") == "commune":
        return url_for("commune.edit", dossier_id=dossier_id)
    return url_for("dossiers.show", dossier_id=dossier_id)
