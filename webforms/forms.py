"""WTForms built from a criteria version: a section per criterion, a field per indicator.

Validators use the engine's own parser (``engine.assessment.parse_text``, numbers by ``engine.numbers``), so a
form accepts exactly what the engine accepts: 0 everywhere, Vietnamese numbers ("1.234", "97,5"), có/không.
Blank is allowed in a draft. An ambiguous number ("1,000") is refused with a Vietnamese message naming the
indicator, and the field keeps what was typed. Stored values are shown the same way ("1.234", "86,5").
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from engine.assessment import from_canonical, parse_text
from engine.models import CriteriaVersion
from engine.numbers import format_number


def field_name(code: str) -> str:
    return code.replace(".", "__")


class EngineValue:
    """Checks a typed value with the engine's parser; the message names the indicator code."""

    def __init__(self, code: str, kind: str):
        self.code, self.kind = code, kind

    def __call__(self, form, field):
        if field.data in (None, ""):
            return
        _, message = parse_text(self.kind, str(field.data))
        if message:
            raise ValidationError(f"{self.code}: {message}")


def _value_field(code: str, label: str, kind: str, default: str | None):
    if kind == "yes_no":
        return RadioField(label, choices=[SelectChoice("true", "Có"), SelectChoice("false", "Không")], default=default,
                          validators=[Optional()], validate_choice=True)
    hint = "0–100, ví dụ 86,5" if kind == "score" else "số nguyên ≥ 0, ví dụ 1.234"
    return StringField(label, default=default, validators=[Optional(), EngineValue(code, kind)],
                       render_kw={"inputmode": "decimal", "autocomplete": "off", "placeholder": hint})


def _display(kind: str, text: str | None) -> str | None:
    """Stored canonical text → what a Vietnamese user types: "1.234", "86,5"."""
    if text is None or kind == "yes_no":
        return text
    return format_number(from_canonical(kind, text))


def assessment_form(version: CriteriaVersion, stored: dict, column: str, formdata=None,
                    comments: bool = False) -> FlaskForm:
    """A form with one field per indicator (and a comment each when ``comments``), prefilled from ``stored``
    (code → {"self", "appraised", "comment"})."""

    class AssessmentForm(FlaskForm):
        lock_version = HiddenField()

    for _crit, ind in version.indicators():
        current = stored.get(ind.code, {})
        value = current.get(column)
        if value is None and column == "appraised":
            value = current.get("self")  # an appraiser starts from the commune's value
        setattr(AssessmentForm, field_name(ind.code), _value_field(ind.code, ind.label, ind.type,
                                                                   _display(ind.type, value)))
        if comments:
            setattr(AssessmentForm, field_name(ind.code) + "__comment",
                    TextAreaField("Nhận xét", default=current.get("comment") or "", render_kw={"rows": 1}))
    return AssessmentForm(formdata=formdata)


def dossier_form(svc, username: str, dossier_id: int, column: str, formdata=None, comments: bool = False):
    """(dossier view, criteria version, form) for a dossier's self-assessment or appraisal page; on a first
    display the form carries the version the user sees (optimistic locking)."""
    view = svc.get(username, dossier_id)
    version = svc.registry.get(view.criteria_version)
    form = assessment_form(version, view.values, column, formdata=formdata, comments=comments)
    if formdata is None:
        form.lock_version.data = view.lock_version
    return view, version, form


def expected_version(form: FlaskForm) -> int | None:
    """The dossier version the page was showing when the user saved."""
    text = form.lock_version.data or ""
    return int(text) if str(text).isdigit() else None


def submitted_values(form: FlaskForm, version: CriteriaVersion) -> dict:
    """code → typed text (None when blank), ready for the dossier service."""
    out = {}
    for _crit, ind in version.indicators():
        data = getattr(form, field_name(ind.code)).data
        out[ind.code] = None if data in (None, "", "None") else str(data)
    return out


def submitted_comments(form: FlaskForm, version: CriteriaVersion) -> dict:
    return {ind.code: getattr(form, field_name(ind.code) + "__comment").data or ""
            for _crit, ind in version.indicators()}


def attach_problems(form: FlaskForm, problems) -> list[str]:
    """Put the engine's per-indicator problems on the matching fields; return those with no field."""
    loose = []
    for problem in problems:
        field = getattr(form, field_name(problem.code), None)
        if field is not None:
            field.errors = list(field.errors or []) + [f"{problem.code}: {problem.message}"]
        else:
            loose.append(str(problem))
    return loose


class ReasonForm(FlaskForm):
    reason = TextAreaField("Lý do", render_kw={"rows": 2, "required": True})


class PanelForm(FlaskForm):
    members = TextAreaField("Thành phần hội đồng có mặt (mỗi người một dòng)", render_kw={"rows": 4})


class PlainForm(FlaskForm):
    """A form with only its CSRF token, for buttons that post."""
