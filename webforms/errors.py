"""Engine errors → HTTP answers. Pages flash the reason and go back; the API answers JSON (see api/)."""

from __future__ import annotations

from flask import Flask, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from dossiers.evidence import UploadRefused
from engine.errors import AccessDenied, AssessmentError, CfcError, ConflictError, NotFound, UnknownVersion
from engine.workflow import TransitionRefused


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
    @app.errorhandler(CfcError)
    def _engine_error(exc: CfcError):
        status = status_of(exc)
        if request.path.startswith("/api/"):
            from .api.views import error_body

            return error_body(exc, status)
        back = request.referrer if (request.referrer or "").startswith(request.host_url) else None
        if status in (403, 404, 413) or request.method == "GET" or not back:
            return render_template("error.html", status=status, message=str(exc)), status
        flash(str(exc), "error")
        return redirect(back)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        message = _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (CSRF). Vui lòng tải lại trang và thử lại.")
        return render_template("error.html", status=400, message=message), 400

    for code in (400, 401, 403, 404, 405, 413, 500):
        @app.errorhandler(code)
        def _http_error(exc, code=code):
            if request.path.startswith("/api/"):
                from flask import jsonify

                return jsonify({"error": getattr(exc, "description", str(exc)), "status": code}), code
            message = getattr(exc, "description", "") or _("Lỗi")
            if code == 413:
                message = _("Tệp tải lên quá lớn.")
            return render_template("error.html", status=code, message=message), code
