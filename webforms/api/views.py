"""JSON API (/api/v1). Authenticated by ``Authorization: Bearer <token>`` (``cfc users token USERNAME``).

401 without a valid token, 403 outside the caller's role or jurisdiction, 404 unknown id, 409 a transition its
guards refuse or a stale edit (the body says who changed what), 413 an oversized upload, 422 invalid values (the
body names every bad indicator code, or the field: a decision_date that is not YYYY-MM-DD). A refused request
stores nothing: every call is one transaction in the service.

Input is checked before the service sees it: an id beyond what the database holds is a 404 (``converters``), a
round that is not a year a 400; a body over ``BODY_MAX`` bytes a 413, one nested deeper than the JSON parser
allows (``errors.GuardedJSON``) a 400; text with a control character a 422 naming the field, and every text
is read in NFC (``engine.text.clean_text``); an event that does not exist a 422.

Optimistic locking: a dossier's answer carries its ``lock_version`` as the ``ETag`` header. Every write sends it
back, as ``If-Match`` (or as ``expected_version`` in the body); a write that would be allowed but carries
neither is answered 428 and stores nothing, one that carries an older version 409 naming what changed since.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, abort, g, jsonify, request
from ruamel.yaml import YAML

from dossiers.users import AuthError, user_for_token
from engine.errors import AssessmentError, CfcError, ConflictError, InputProblem
from engine.export import version_json
from engine.messages import N_
from engine.text import clean_text
from engine.workflow import EVENTS, LABELS, TransitionRefused

from ..converters import round_arg
from ..db import service
from ..i18n import error_text, tr

bp = Blueprint("api", __name__, url_prefix="/api/v1")
OPENAPI = Path(__file__).with_name("openapi.yaml")
PRECONDITION = N_("thiếu If-Match: gửi lại lock_version của hồ sơ mà bạn đã xem (tiêu đề ETag của "
                   "GET /api/v1/dossiers/{id}) trong tiêu đề If-Match, hoặc trong trường expected_version. "
                   "Không có gì được lưu.")
BODY_MAX = 256 * 1024  # bytes of a JSON body: a dossier's values and comments fit many times over
VERSION_DIGITS = 18  # a lock_version longer than this is no version (and int() of 5,000 digits fails)


def error_body(exc: Exception, status: int):
    body = {"error": error_text(exc), "status": status}
    if isinstance(exc, AssessmentError):
        body["problems"] = [{"code": p.code, "message": tr(p.message)} for p in exc.problems]
        body["codes"] = sorted({p.code for p in exc.problems})
    if isinstance(exc, TransitionRefused):
        body["event"], body["reasons"] = exc.event, [tr(r) for r in exc.reasons]
    if isinstance(exc, ConflictError):
        body["conflict"] = True
    return jsonify(body), status


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return jsonify({"error": "missing bearer token", "status": 401}), 401
    try:  # a read: no write lock; a refused token counts as a failed sign-in of the address (limits.api_sign_in)
        with service().transaction(readonly=True) as s:
            user = user_for_token(s, header[len("Bearer "):].strip())
            g.api_user = user.username
            g.api_roles = list(user.roles)
    except AuthError:
        return jsonify({"error": "invalid token", "status": 401}), 401
    return None


def _dossier_json(view, history=None) -> dict:
    data = view.to_dict()
    if history is not None:
        data["history"] = history
    return data


def _answer(view, history=None):
    """The dossier as JSON, with its lock_version as the ETag to send back in If-Match."""
    answer = jsonify(_dossier_json(view, history))
    answer.set_etag(str(view.lock_version))
    return answer


def _precondition_required():
    """428: the write would be allowed, but the caller did not say which version it saw."""
    return jsonify({"error": tr(PRECONDITION), "status": 428, "header": "If-Match"}), 428


def _body() -> dict:
    """The JSON object of the request, its texts checked and in NFC (``_clean``): 413 over ``BODY_MAX`` bytes,
    400 when it is not a JSON object (or nested too deep), 422 naming the field of a text that cannot be stored."""
    request.max_content_length = BODY_MAX
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="the body must be a JSON object (Content-Type: application/json), nested at most "
                               "a few levels")
    return _clean(data, "")


def _clean(value, where: str):
    """``value`` with every text (keys included) through ``clean_text``; ``where`` names the field."""
    if isinstance(value, str):
        return clean_text(value, where or "body")
    if isinstance(value, list):
        return [_clean(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        return {clean_text(key, f"{where}{{}}" if where else "body"): _clean(item, f"{where}.{key}" if where else key)
                for key, item in value.items()}
    return value


def _version(value, name: str, header: bool = False) -> int | None:
    """An expected version: a JSON integer in the body; in If-Match, text ("3", or quoted as an ETag).
    Anything else is a 400 naming the field."""
    if value is None or (header and value == ""):
        return None
    if isinstance(value, bool):
        abort(400, description=f"{name} must be a whole number")
    if isinstance(value, int):
        return value
    digits = value.strip().strip('"') if header and isinstance(value, str) else ""
    if digits.isascii() and digits.isdigit() and len(digits) <= VERSION_DIGITS:
        return int(digits)
    abort(400, description=f'{name} must be a whole number: the lock_version, or the ETag ("3") of the dossier')


def _expected(body: dict) -> int | None:
    """The version the caller saw: If-Match, or the body's expected_version (removed from ``body``). Both may be
    sent when they agree; None when neither is."""
    in_body = _version(body.pop("expected_version", None), "expected_version")
    in_header = _version(request.headers.get("If-Match"), "If-Match", header=True)
    if in_body is not None and in_header is not None and in_body != in_header:
        abort(400, description=f"If-Match ({in_header}) and expected_version ({in_body}) disagree: send one")
    return in_header if in_header is not None else in_body


def _text(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        abort(400, description=f"{name} must be text")
    return value


@bp.get("/dossiers")
def list_dossiers():
    statuses = request.args.getlist("status")
    if len(statuses) > 1 or not set(statuses) <= set(LABELS):
        abort(400, description=f"status: one of {', '.join(LABELS)}")
    views = service().list(g.api_user, round_arg(blank=False), statuses[0] if statuses else None)
    return jsonify([{"id": v.id, "commune_code": v.commune_code, "commune_name": v.commune_name, "year": v.year,
                     "status": v.status, "lock_version": v.lock_version,
                     "total": v.score.total if v.score else None, "stale_scores": v.stale_scores} for v in views])


@bp.get("/dossiers/<int:dossier_id>")
def get_dossier(dossier_id: int):
    view = service().get(g.api_user, dossier_id)
    return _answer(view, service().history(g.api_user, dossier_id))


@bp.put("/dossiers/<int:dossier_id>/indicators")
def put_indicators(dossier_id: int):
    """Commune officers save self-assessed values of a draft; appraisers save appraised values. Without a
    version, the same save with nothing to save makes every other check (jurisdiction, role, state) first."""
    body = _body()
    expected = _expected(body)
    comments = body.pop("comments", None) or {}
    if not isinstance(comments, dict) or not all(isinstance(v, str | None) for v in comments.values()):
        abort(400, description="comments must be an object of indicator code → text")
    if expected is None:
        _save(dossier_id, {}, {}, None)  # stores nothing; refused as the real save would be
        return _precondition_required()
    return _answer(_save(dossier_id, body, comments, expected))


def _save(dossier_id: int, values: dict, comments: dict, expected: int | None):
    """A commune officer's self-assessed values, else an appraiser's values and comments."""
    if "commune_officer" in g.api_roles:
        return service().set_values(g.api_user, dossier_id, values, expected)
    return service().appraise(g.api_user, dossier_id, values, comments, expected)


@bp.post("/dossiers/<int:dossier_id>/transitions")
def post_transition(dossier_id: int):
    """Move the dossier; without a version, the event's dry run makes every other check first (jurisdiction,
    role, state, guards), then 428."""
    body = _body()
    event = body.get("event")
    if not isinstance(event, str):
        abort(400, description='give {"event": "...", "reason": "..."}')
    if event not in EVENTS:
        raise AssessmentError([InputProblem("event", N_("không có thao tác %(event)s; có: %(events)s",
                                                        event=repr(event[:40]), events=", ".join(EVENTS)))])
    expected = _expected(body)
    members = body.get("panel_members")
    if members is not None and (not isinstance(members, list) or not all(isinstance(m, str) for m in members)):
        abort(400, description="panel_members must be a list of names")
    fields = {"reason": _text(body, "reason"), "panel_members": members}
    decision = {"decision_number": _text(body, "decision_number"), "decision_date": _day(body, "decision_date"),
                "signer_name": _text(body, "signer_name"), "signer_title": _text(body, "signer_title"),
                "public_reason": _text(body, "public_reason")}
    if expected is None:
        service().check_transition(g.api_user, dossier_id, event, **fields)
        return _precondition_required()
    return _answer(service().transition(g.api_user, dossier_id, event, expected_version=expected, **fields,
                                        **decision))


@bp.post("/dossiers/<int:dossier_id>/rescore")
def post_rescore(dossier_id: int):
    """Score the dossier again under the criteria content of today; without a version, the re-score's checks
    first (jurisdiction, role, state, whether a score is old), then 428."""
    body = _body() if request.content_length else {}
    expected = _expected(body)
    if body:
        abort(400, description=f"unknown field {sorted(body)[0][:40]!r}: send only expected_version (or If-Match)")
    if expected is None:
        service().check_rescore(g.api_user, dossier_id)
        return _precondition_required()
    return _answer(service().rescore(g.api_user, dossier_id, expected))


def _day(body: dict, name: str) -> dt.date | None:
    """A date written YYYY-MM-DD; text that is not one is a 422 naming the field (not text at all: 400)."""
    text = _text(body, name)
    if not text:
        return None
    try:
        if len(text) == 10 and text[4] == text[7] == "-":  # fromisoformat alone also takes 20241220
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise AssessmentError([InputProblem(name, f"{name} must be a date YYYY-MM-DD, got {text[:20]!r}")])


@bp.get("/dossiers/<int:dossier_id>/<any(certificate, decision, revocation, minutes):kind>.pdf")
def document(dossier_id: int, kind: str):
    from ..documents import document_pdf, pdf_response

    return pdf_response(*document_pdf(g.api_user, dossier_id, kind))


@bp.get("/criteria/<version_id>")
def criteria(version_id: str):
    try:
        version = service().registry.get(version_id)
    except CfcError:
        abort(404, description=f"no criteria version {version_id}")
    return jsonify(version_json(version))


@bp.get("/openapi.json")
def openapi():
    return jsonify(YAML(typ="safe").load(OPENAPI.read_text(encoding="utf-8")))
