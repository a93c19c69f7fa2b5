"""The rules administrator's forms. Each carries ``seen``, the content version of the criteria file the page
showed: an edit made on an older page is refused (``dossiers.criteria_admin``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _  # lazy: labels are read per request, in its language
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form
from .entries import shown

FIELD_LABELS = {
    "points": _("Điểm"), "threshold": _("Ngưỡng điểm"), "max_points": _("Điểm tối đa"),
    "met_at": _("Điểm tối thiểu để đạt"), "min": _("Cận dưới"), "max": _("Cận trên"),
    "per": _("Tính trên số trẻ em"),
}


class VersionForm(Form):
    """A form about one criteria file: the locator of the value (none to publish) and the file version seen."""

    at = HiddenField()
    seen = HiddenField(validators=[DataRequired()])


class VerifyForm(VersionForm):
    source = StringField(_("Văn bản đã đối chiếu (văn bản, điều, khoản)"),
                         validators=[DataRequired(), Length(max=300)],
                         render_kw={"autocomplete": "off", "placeholder": "QĐ 06/QĐ-TTg, Điều 2 khoản 2"})


class CorrectForm(VersionForm):
    field = SelectField(_("Giá trị cần sửa"), validators=[DataRequired()])
    value = StringField(_("Giá trị mới"), validators=[Length(max=40)],
                        render_kw={"autocomplete": "off", "inputmode": "decimal"})
    source = StringField(_("Nguồn của giá trị mới"), validators=[Optional(), Length(max=300)],
                         render_kw={"autocomplete": "off"})
    verified = BooleanField(_("Đã đối chiếu với văn bản chính thức"))


class PublishForm(VersionForm):
    """Publishing: nothing but the version seen."""


def field_choices(entry) -> list[tuple[str, str]]:
    """The numbers of a value the form may change, each with what it is now: "Cận dưới (hiện: 95)"."""
    return [(name, str(_("%(field)s (hiện: %(value)s)", field=FIELD_LABELS[name], value=shown(value))))
            for name, value in entry.numbers]
