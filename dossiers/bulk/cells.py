"""The cells of an import file: a commune code as text, a value typed as a form reads it (numbers exactly as
an XLSX holds them; text by ``engine.numbers``, so ``1,000`` is refused as ambiguous), a bad value as a report
shows it (numbers written the Vietnamese way), the engine's message turned into a reason and a Vietnamese
explanation, and the ratio pairs whose numerator may not exceed its denominator."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from engine.assessment import (
    FLOAT_COUNT,
    MAX_COUNT,
    NEGATIVE,
    NOT_A_NUMBER,
    NOT_FINITE,
    NOT_WHOLE,
    SCORE_ABOVE_100,
    SCORE_PLACES,
    TEXT_NOT_NUMBER,
    TOO_MANY,
    YES_NO,
    YES_NO_TEXT,
    coerce,
    parse_text,
)
from engine.messages import N_
from engine.models import CriteriaVersion, Percentage, Rate
from engine.numbers import format_number

from .table import CellValue, shown


def fold(text: str) -> str:
    """Text compared loosely: NFC, stripped, case-folded."""
    return unicodedata.normalize("NFC", text).strip().casefold()


def commune_code(value: CellValue) -> str | None:
    """A code cell as text: 70, 70.0, "70" and " 70 " are all "70"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return shown(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else format(value, "f")
    return value.strip()


def shown_value(value: CellValue) -> str:
    """A value cell as a report shows it: text as written, a number the Vietnamese way (1.234, 86,5)."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return format_number(value)
    return shown(value)


def parse_cell(kind: str, value: CellValue):
    """A cell to its typed value, or an error message (text as typed by a person, numbers exactly)."""
    if isinstance(value, str):
        return parse_text(kind, value)
    if kind == "yes_no" and not isinstance(value, bool) and value in (0, 1):
        return parse_text(kind, str(int(value)))
    return coerce(kind, value)


def classify(message: str) -> tuple[str, str]:
    """An engine message (``engine.assessment``'s, told apart by msgid) → (reason key, Vietnamese explanation)."""
    msgid = getattr(message, "msgid", None)
    if msgid == NEGATIVE:
        return "negative", N_("số âm")
    if msgid in (NOT_A_NUMBER, TEXT_NOT_NUMBER, NOT_FINITE):
        return "not_a_number", N_("không phải là số")
    if msgid in (YES_NO, YES_NO_TEXT):
        return "invalid", N_("cần ghi có hoặc không")
    if msgid in (NOT_WHOLE, FLOAT_COUNT):
        return "invalid", N_("số trẻ em, số vụ phải là số nguyên")
    if msgid == TOO_MANY:
        return "invalid", N_("lớn hơn %(limit)s (không xã nào có nhiều trẻ em hay số vụ như vậy)", limit=MAX_COUNT)
    if msgid == SCORE_ABOVE_100:
        return "invalid", N_("điểm khảo sát tối đa là 100")
    if msgid == SCORE_PLACES:
        return "invalid", N_("điểm khảo sát có tối đa 2 chữ số thập phân")
    return "invalid", message


def ratio_pairs(version: CriteriaVersion) -> dict[str, list[str]]:
    """Numerator (or cases) code → its denominator (or population) codes."""
    out: dict[str, list[str]] = {}
    for crit in version.criteria:
        for comp in crit.components:
            if isinstance(comp, Percentage):
                out.setdefault(comp.numerator, []).append(comp.denominator)
            elif isinstance(comp, Rate):
                out.setdefault(comp.cases, []).append(comp.population)
    return out
