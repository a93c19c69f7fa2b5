"""Template filters: numbers with the reader's separators (Vietnamese by ``engine.numbers``: ``1.000``,
``86,5``; English ``1,000``, ``86.5``), dates dd/mm/yyyy and times in Vietnam's local time, action names in
words, and Vietnamese alphabetical order."""

from __future__ import annotations

import datetime as dt
import unicodedata

from flask import Flask

from dossiers.audit_words import action_words, local_time
from engine.assessment import from_canonical
from engine.messages import N_
from engine.numbers import format_number

from .i18n import current_reader, tr


def vn_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y")


def vn_number(value, decimals: int | None = None) -> str:
    """1234.5 → "1.234,5" in Vietnamese, "1,234.5" in English (``decimals``: at most that many); None → "—"."""
    if value is None or isinstance(value, str):
        return "—" if value is None else value
    reader = current_reader()
    if reader.lang == "vi":
        return format_number(value, decimals)
    if decimals is not None:
        from decimal import Decimal

        value = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals)).normalize()
    return reader.number(value)


def file_size(size: int) -> str:
    """A file's size as a person reads it: "50 byte", "12,3 KB", "4,5 MB" (the reader's separators)."""
    if size < 1024:
        return f"{vn_number(size)} byte"
    if size < 1024 * 1024:
        return f"{vn_number(size / 1024, 1)} KB"
    return f"{vn_number(size / (1024 * 1024), 1)} MB"


def vn_value(text: str | None, kind: str) -> str:
    """A stored value (canonical text) as a page shows it: Có / Không, 1.234, 86,5; "—" when empty."""
    if text is None:
        return "—"
    if kind == "yes_no":
        return tr(N_("Có") if text == "true" else N_("Không"))
    return vn_number(from_canonical(kind, text))


def action_label(code: str) -> str:
    """An audit action ("transition.submit") or a workflow event ("submit") in words, in the reader's
    language."""
    return tr(action_words(code))


def explain(component, score) -> str:
    """A component of a score explained with the indicators' labels (rates "trên 1.000 trẻ em"), in the
    reader's language; the codes when the criteria version is not known here."""
    from engine.errors import CfcError
    from engine.models import Rate

    from .db import service

    try:
        version = service().registry.get(score.criteria_version)
    except CfcError:
        return tr(component.describe())
    labels = {code: ind.label for code, ind in version.indicator_map().items()}
    per = None
    for crit in version.criteria:
        for comp in crit.components:
            if comp.id == component.id and isinstance(comp, Rate) and set(component.values) <= {comp.cases,
                                                                                                  comp.population}:
                per = comp.per
    from engine.wording import readable_component

    return tr(readable_component(component, version).describe(labels, per))


def _version_of(score):
    """The criteria version a score was computed under, when this deployment knows it (else None)."""
    from engine.errors import CfcError

    from .db import service

    name = score.get("criteria_version") if isinstance(score, dict) else getattr(score, "criteria_version", None)
    try:
        return service().registry.get(name)
    except CfcError:
        return None


def gap_text(gap, score) -> str:
    """An improvement of a stored score in the reader's language (``engine.wording``)."""
    from engine.wording import gap_message

    return tr(gap_message(gap, _version_of(score)))


def plan_text(plan, score) -> str:
    from engine.wording import plan_message

    return tr(plan_message(plan, _version_of(score)))


def failed_text(failed, score) -> str:
    from engine.wording import failed_message

    return tr(failed_message(failed, score))


def vn_sort_key(text: str) -> tuple:
    """Vietnamese alphabetical order: Đ after D (not after Z), tones after the plain letter."""
    base = unicodedata.normalize("NFD", text.replace("Đ", "D\uffff").replace("đ", "d\uffff"))
    plain = "".join(ch for ch in base if not unicodedata.combining(ch)).lower()
    return plain, text


def may(*actions: str) -> bool:
    """Whether some dated procedure gives the signed-in user one of ``actions``: the navigation offers the pages
    of those actions (each page and action checks again with its dossier or round)."""
    from flask_login import current_user

    from dossiers.authority import roles_for

    from .db import service

    return current_user.is_authenticated and current_user.has(*roles_for(service().procedures, *actions))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["may"] = may
    app.jinja_env.filters.update(
        local_time=local_time, vn_date=vn_date, vn_number=vn_number, file_size=file_size, vn_value=vn_value,
        action_label=action_label, tr=tr, explain=explain, gap_text=gap_text, plan_text=plan_text,
        failed_text=failed_text,
    )
