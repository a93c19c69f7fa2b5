"""WTForms built from a criteria version: a section per criterion, a field per indicator.

Validators use the engine's own parser (``engine.assessment.parse_text``, numbers by ``engine.numbers``), so a
form accepts exactly what the engine accepts: 0 everywhere, Vietnamese numbers ("1.234", "97,5"), có/không.
Blank is allowed in a draft. An ambiguous number ("1,000") is refused with a Vietnamese message naming the
indicator, and the field keeps what was typed. Stored values are shown the same way ("1.234", "86,5").
"""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l  # form labels are read per request, in its language
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import TextInput

from dossiers.audit import local_date, now
from engine.assessment import from_canonical, parse_text
from engine.models import CriteriaVersion
from engine.numbers import format_number

from .i18n import FORM_MESSAGES, tr


class Form(FlaskForm):
    """Every page form: hidden inputs (the CSRF token, the dossier version) carry no ``id``, so a page with several
    forms has no duplicate ids (nothing labels a hidden input); WTForms' own messages are in the reader's
    language."""

    class Meta:
        def get_translations(self, form):
            return FORM_MESSAGES  # WTForms' own messages in the reader's language

        def render_field(self, field, render_kw):
            if field.type in ("CSRFTokenField", "HiddenField"):
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)


class YesNoField(RadioField):
    """Có / Không as radios; the first one takes the field's id, so ``<label for=field.id>`` labels an input."""

    def __iter__(self):
        for i, option in enumerate(super().__iter__()):
            if i == 0:
                option.id = self.id
            yield option


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
            raise ValidationError(f"{self.code}: {tr(message)}")


def _value_field(code: str, label: str, kind: str, default: str | None):
    if kind == "yes_no":
        return YesNoField(label, choices=[SelectChoice("true", _l("Có")), SelectChoice("false", _l("Không"))], default=default,
                          validators=[Optional()], validate_choice=True)
    hint = _l("0–100, ví dụ 86,5") if kind == "score" else _l("số nguyên ≥ 0, ví dụ 1.234")
    return StringField(label, default=default, validators=[Optional(), EngineValue(code, kind)],
                       render_kw={"inputmode": "decimal", "autocomplete": "off", "placeholder": hint})


def _display(kind: str, text: str | None) -> str | None:
    """Stored canonical text → what a Vietnamese user types: "1.234", "86,5"."""
    if text is None or kind == "yes_no":
        return text
    return format_number(from_canonical(kind, text))


def assessment_form(version: CriteriaVersion, stored: dict, column: str, formdata=None,
                    comments: bool = False) -> Form:
    """A form with one field per indicator (and a comment each when ``comments``), prefilled from ``stored``
    (code → {"self", "appraised", "comment"})."""

    class AssessmentForm(Form):
        lock_version = HiddenField()

    for _crit, ind in version.indicators():
        current = stored.get(ind.code, {})
        # an appraisal field starts empty until an appraiser saves a value for this submission: a value
        # copied from the commune's would be "appraised" by one click on save (the page shows it beside)
        value = current.get(column)
        setattr(AssessmentForm, field_name(ind.code), _value_field(ind.code, ind.label, ind.type,
                                                                   _display(ind.type, value)))
        if comments:
            setattr(AssessmentForm, field_name(ind.code) + "__comment",
                    TextAreaField(_l("Nhận xét"), default=current.get("comment") or "",
                                  render_kw={"rows": 1, "aria-label": _l("Nhận xét: %(label)s", label=ind.label)}))
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
    return version_text(form.lock_version.data)


def version_text(text) -> int | None:
    """A version as a form posts it (at most 18 ASCII digits), else None."""
    text = str(text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def missing_version() -> None:
    """400: the form did not say which version of the dossier it showed; nothing is applied."""
    abort(400, description=_("Biểu mẫu không ghi phiên bản hồ sơ mà bạn đã xem nên không có gì được lưu. "
                             "Hãy tải lại trang, xem lại hồ sơ rồi thử lại."))


def shown_version(form: FlaskForm, dry_run=None) -> int:
    """The dossier version the form showed (its hidden ``lock_version``). Without one the form is refused with
    400 and nothing is applied; ``dry_run`` (no arguments, changes nothing) first makes the operation's other
    checks, so that who may not do it at all is told that instead (403, 409)."""
    version = expected_version(form)
    if version is None:
        if dry_run is not None:
            dry_run()
        missing_version()
    return version


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
            field.errors = list(field.errors or []) + [f"{problem.code}: {tr(problem.message)}"]
        else:
            loose.append(tr(problem.describe()))
    return loose


def attach_text_problems(form: FlaskForm, problems, version: CriteriaVersion | None = None,
                         inline: bool = True) -> list[str]:
    """Text that could not be stored (``errors.typed_text_problems``: a control character pasted from Word) on
    its field, named as the page names it (an indicator by its code and label); the field holds what was typed
    without those characters. Returns the lines of problems with no visible field (every line when not
    ``inline``: a page that shows its form's problems at the top)."""
    names = {}
    for _crit, ind in version.indicators() if version else ():
        names[field_name(ind.code)] = f"{ind.code} ({ind.label})"
        names[field_name(ind.code) + "__comment"] = _("%(code)s (%(label)s), nhận xét", code=ind.code,
                                                       label=ind.label)
    loose = []
    for problem in problems:
        field = form._fields.get(problem.code)
        shown = field is not None and field.type not in ("CSRFTokenField", "HiddenField")
        name = names.get(problem.code) or (field.label.text if shown else problem.code)
        line = _("%(field)s: %(problem)s. Các ký tự đó đã được bỏ khỏi ô, phần còn lại vẫn giữ: hãy xem lại rồi "
                 "lưu.", field=name, problem=tr(problem.message))
        if shown and inline:
            field.errors = [*field.errors, line]
        else:
            loose.append(line)
    return loose


class VersionedForm(Form):
    """A form that changes a dossier: it carries the dossier version the page showed (optimistic locking)."""

    lock_version = HiddenField()


class ReasonForm(VersionedForm):
    reason = TextAreaField(_l("Lý do"), render_kw={"rows": 2, "required": True})


class PanelForm(VersionedForm):
    members = TextAreaField(_l("Thành phần hội đồng có mặt (mỗi người một dòng)"), render_kw={"rows": 4})


class DecisionFields(Form):
    """A decision's number, date and signer. A blank signer is taken from the dated issuer configuration by
    the service, which refuses the decision when neither names one."""

    decision_number = StringField(_l("Số quyết định"), validators=[Optional()],
                                  render_kw={"placeholder": "123/QĐ-UBND", "autocomplete": "off"})
    # Typed and shown day first (dd/mm/yyyy), whatever the browser's locale; an ISO date is read too.
    decision_date = DateField(_l("Ngày quyết định"), validators=[Optional()], format=["%d/%m/%Y", "%Y-%m-%d"],
                              widget=TextInput(), default=lambda: local_date(now()),  # today in Vietnam
                              render_kw={"placeholder": "dd/mm/yyyy", "autocomplete": "off", "inputmode": "numeric",
                                         "pattern": r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}"})
    signer_name = StringField(_l("Họ tên người ký"), validators=[Optional()],
                              render_kw={"placeholder": _l("để trống: theo cấu hình"), "autocomplete": "off"})
    signer_title = StringField(_l("Chức vụ người ký"), validators=[Optional()],
                               render_kw={"placeholder": _l("để trống: theo cấu hình"), "autocomplete": "off"})

    def decision(self) -> dict:
        """The decision's fields as the dossier service takes them (blank → None)."""
        return {"decision_number": self.decision_number.data or None, "decision_date": self.decision_date.data,
                "signer_name": self.signer_name.data or None, "signer_title": self.signer_title.data or None}


class RevokeForm(VersionedForm, DecisionFields):
    """Revoking a recognition is a decision of its own: number, date, signer, and the reason."""

    reason = TextAreaField(_l("Lý do thu hồi (nội bộ, lưu trong nhật ký)"), render_kw={"rows": 2, "required": True})
    public_reason = TextAreaField(_l("Lý do công bố (in trên quyết định thu hồi và trang tra cứu giấy công nhận)"),
                                  render_kw={"rows": 2, "required": True})


def field_errors(form: FlaskForm) -> list[str]:
    """Each field's errors as "Label: error; error" (e.g. a date that is not one), for flashing."""
    return [f"{getattr(form, name).label.text}: {'; '.join(map(str, errors))}" for name, errors in form.errors.items()]


class PlainForm(Form):
    """A form with only its CSRF token, for buttons that post."""
