"""A commune's assessment: its header and its indicator values, checked against a criteria version.

Every bad value is collected (missing, unknown code, wrong type, negative, numerator above denominator) and
raised together as one ``AssessmentError`` naming each indicator code; nothing is scored from bad input.

Numbers typed by a person (``parse_text``) and quoted numbers in a score file are read by ``engine.numbers``:
``1.234`` = 1234, ``86,5``; an ambiguous ``1,000`` is refused. In a YAML or JSON score file a count is a whole
number or a quoted Vietnamese number (``"3.000"``): an unquoted ``3.000`` reaches us as the float 3.0, so a
float count is refused, never read as 3. Survey scores may be floats (``86.5``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .errors import AssessmentError, InputProblem
from .messages import N_
from .models import CriteriaVersion, Percentage, Rate
from .numbers import NumberError, parse_count, parse_decimal
from .text import nfc

Value = bool | int | Decimal

# Counts are children or cases of one commune. The bound keeps every value exact where durable-rules
# compares floats (it rounds above 2**53 and matches nothing for floats printed as 1e+16).
MAX_COUNT = 10_000_000

FLOAT_COUNT = N_("%(value)s là số thập phân, không phải số nguyên: trong tệp YAML hoặc JSON, số trẻ em, "
               'số vụ ghi là số nguyên (3000) hoặc số trong dấu ngoặc kép ("3.000"); không có dấu ngoặc '
               "kép, 3.000 được đọc thành 3.0")
MISSING = N_("chưa nhập giá trị")
# Validation messages (msgids: rendered in the reader's language, see engine.messages); dossiers.bulk.cells
# tells them apart by msgid.
NOT_A_NUMBER = N_("cần nhập một số, nhận được «%(value)s»")
TEXT_NOT_NUMBER = N_("cần nhập một số, nhận được chữ «%(value)s»")
NOT_FINITE = N_("cần nhập một số hữu hạn, nhận được «%(value)s»")
NEGATIVE = N_("là số âm (%(value)s)")
NOT_WHOLE = N_("số trẻ em, số vụ phải là số nguyên, nhận được %(value)s")
TOO_MANY = N_("%(value)s lớn hơn %(most)s (không xã nào có nhiều trẻ em hay số vụ như vậy)")
SCORE_ABOVE_100 = N_("điểm khảo sát tối đa là 100, nhận được %(value)s")
SCORE_PLACES = N_("điểm khảo sát có tối đa 2 chữ số thập phân, nhận được %(value)s")
YES_NO = N_("cần có hoặc không (true/false), nhận được «%(value)s»")
YES_NO_TEXT = N_("cần ghi có hoặc không, nhận được «%(value)s»")


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    category: str


@dataclass(frozen=True)
class Assessment:
    """Validated input to scoring: values are bool (yes_no), int (count) or Decimal (score)."""

    commune: Commune
    year: int | None
    assessed_on: dt.date | None
    criteria_version: str | None
    values: dict[str, Value] = field(default_factory=dict)


def read_assessment_file(path: Path | str) -> dict:
    """Read a YAML or JSON assessment file into plain data; a syntax error names the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AssessmentError([InputProblem("file", exc.strerror or str(exc))], str(path)) from None
    except UnicodeDecodeError as exc:
        raise AssessmentError([InputProblem("file", N_("không phải văn bản UTF-8 (byte %(byte)s)", byte=str(exc.start)))], str(path)) from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = YAML(typ="safe").load(text)
    except json.JSONDecodeError as exc:
        raise AssessmentError([InputProblem("file", N_("dòng %(line)s: %(error)s", line=str(exc.lineno), error=exc.msg))], str(path)) from None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        error = " ".join(str(exc).split())
        problem = N_("dòng %(line)s: %(error)s", line=str(mark.line + 1), error=error) if mark else error
        raise AssessmentError([InputProblem("file", problem)], str(path)) from None
    except ValueError as exc:  # a value YAML types itself and cannot build, e.g. the date 2024-13-01
        raise AssessmentError([InputProblem("file", N_("giá trị không hợp lệ: %(error)s", error=str(exc)))], str(path)) from None
    if not isinstance(data, dict):
        raise AssessmentError([InputProblem("file", N_("tệp tự đánh giá phải là một bảng khoá: giá trị"))], str(path))
    return data


def parse_header(data: dict, source: str = "") -> tuple[Commune, int | None, dt.date | None, str | None]:
    problems: list[InputProblem] = []
    allowed = {"commune", "year", "criteria_version", "assessed_on", "indicators"}
    for key in data:
        if key not in allowed:
            problems.append(InputProblem(str(key), N_("khoá không có trong mẫu tự đánh giá")))
    raw = data.get("commune")
    if not isinstance(raw, dict):
        problems.append(InputProblem("commune", N_("cần mã, tên và loại xã (code, name, category)")))
        raw = {}
    code, name, category = (raw.get(k) for k in ("code", "name", "category"))
    for key, value in (("code", code), ("name", name), ("category", category)):
        if value is None or str(value).strip() == "":
            problems.append(InputProblem(f"commune.{key}", N_("chưa có")))
    year = data.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        problems.append(InputProblem("year", N_("cần một năm như 2024, nhận được «%(value)s»", value=str(year))))
        year = None
    assessed_on = data.get("assessed_on")
    if isinstance(assessed_on, str):
        try:
            assessed_on = dt.date.fromisoformat(assessed_on)
        except ValueError:
            problems.append(InputProblem("assessed_on", N_("cần ngày dạng YYYY-MM-DD, nhận được «%(value)s»", value=str(assessed_on))))
            assessed_on = None
    elif assessed_on is not None and not isinstance(assessed_on, dt.date):
        problems.append(InputProblem("assessed_on", N_("cần ngày dạng YYYY-MM-DD, nhận được «%(value)s»", value=str(assessed_on))))
        assessed_on = None
    version = data.get("criteria_version")
    if problems:
        raise AssessmentError(problems, source)
    commune = Commune(str(code).strip(), str(name).strip(), str(category).strip())
    return commune, year, assessed_on, (str(version) if version else None)


def check_values(version: CriteriaVersion, raw: dict, category: str | None = None) -> dict[str, Value]:
    """Validate raw indicator values against ``version``; return them typed, or raise with every problem."""
    problems: list[InputProblem] = []
    if category is not None and version.category(category) is None:
        known = ", ".join(c.id for c in version.categories)
        problems.append(InputProblem("commune.category", N_("không có loại «%(category)s» (các loại: %(known)s)", category=str(category), known=known)))
    indicators = version.indicator_map()
    if not isinstance(raw, dict):
        raise AssessmentError([InputProblem("indicators", N_("phải là một bảng mã chỉ số: giá trị"))])
    for code in raw:
        if code not in indicators:
            problems.append(InputProblem(str(code), N_("không có chỉ số này trong bộ tiêu chí %(version)s", version=version.id)))
    values: dict[str, Value] = {}
    for code, indicator in indicators.items():
        if raw.get(code) is None:
            problems.append(InputProblem(code, N_(MISSING)))
            continue
        value, message = file_value(indicator.type, raw[code])
        if message:
            problems.append(InputProblem(code, message))
        else:
            values[code] = value
    problems.extend(pair_problems(version, values))
    if problems:
        raise AssessmentError(problems)
    return values


def value_pairs(version: CriteriaVersion) -> list[tuple[str, str]]:
    """(numerator, denominator) codes of every percentage, (cases, population) of every rate."""
    out = []
    for crit in version.criteria:
        for comp in crit.components:
            if isinstance(comp, Percentage):
                out.append((comp.numerator, comp.denominator))
            elif isinstance(comp, Rate):
                out.append((comp.cases, comp.population))
    return out


def pair_problems(version: CriteriaVersion, values: dict) -> list[InputProblem]:
    """Numerators above their denominators (cases above the population) among the values present."""
    out = []
    indicators = version.indicator_map()
    for top, bottom in value_pairs(version):
        if values.get(top) is not None and values.get(bottom) is not None and values[top] > values[bottom]:
            shown = N_("%(value)s lớn hơn «%(label)s» (%(total)s)", value=values[top],
                       label=indicators[bottom].label if bottom in indicators else bottom, total=values[bottom])
            out.append(InputProblem(top, shown))
    return out


def file_value(kind: str, value: object) -> tuple[Value | None, str | None]:
    """A value of a score file (YAML or JSON): typed, or a count or score written as a quoted Vietnamese
    number (``"3.000"``, ``"86,5"``). Yes/no stays a boolean (``true``/``false``), never text."""
    if isinstance(value, str) and kind != "yes_no":
        return parse_text(kind, value)
    return coerce(kind, value)


def coerce(kind: str, value: object) -> tuple[Value | None, str | None]:
    """One typed value to its type, or an error message. Strings and booleans never pass as numbers, nor
    floats as counts (see the module's docstring)."""
    if kind == "yes_no":
        if isinstance(value, bool):
            return value, None
        return None, N_(YES_NO, value=str(value))
    if isinstance(value, bool):
        return None, N_(NOT_A_NUMBER, value=str(value))
    if isinstance(value, str):
        return None, N_(TEXT_NOT_NUMBER, value=value)
    if not isinstance(value, int | float | Decimal):
        return None, N_(NOT_A_NUMBER, value=str(value))
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None, N_(NOT_A_NUMBER, value=str(value))
    if not number.is_finite():
        return None, N_(NOT_FINITE, value=str(value))
    if number < 0:
        return None, N_(NEGATIVE, value=number)
    if kind == "count":
        if isinstance(value, float):
            return None, N_(FLOAT_COUNT, value=str(value))
        if number != number.to_integral_value():
            return None, N_(NOT_WHOLE, value=number)
        if number > MAX_COUNT:
            return None, N_(TOO_MANY, value=number, most=MAX_COUNT)
        return int(number), None
    if number > 100:
        return None, N_(SCORE_ABOVE_100, value=number)
    if number.as_tuple().exponent < -2:
        return None, N_(SCORE_PLACES, value=number)
    return number.normalize() if number else Decimal(0), None


def parse_assessment(data: dict, version: CriteriaVersion, source: str = "") -> Assessment:
    """Header and values together; problems of both are reported in one error."""
    problems: list[InputProblem] = []
    try:
        commune, year, assessed_on, version_id = parse_header(data, source)
    except AssessmentError as exc:
        problems.extend(exc.problems)
        commune, year, assessed_on, version_id = None, None, None, None
    category = commune.category if commune else None
    try:
        values = check_values(version, data.get("indicators") or {}, category)
    except AssessmentError as exc:
        problems.extend(exc.problems)
        values = {}
    if problems:
        raise AssessmentError(problems, source)
    return Assessment(commune, year, assessed_on, version_id, values)


YES = {"true", "có", "co", "yes", "1", "x", "đạt"}
NO = {"false", "không", "khong", "no", "0", ""}


def parse_text(kind: str, text: str) -> tuple[Value | None, str | None]:
    """A value typed by a person (form field, CLI, spreadsheet cell) → typed value, or an error message.

    Numbers are read by ``engine.numbers``: a comma is the decimal mark, a dot or a space groups thousands
    ("1.234" = 1234, "97,5" = 97.5); "86.5" is the decimal 86,5 (a count refuses it: not whole); "1,000" is
    ambiguous and refused with a Vietnamese message that says how to write it. Text is read in NFC: "có"
    typed decomposed is "có".
    """
    raw = nfc(text).strip()
    if kind == "yes_no":
        low = raw.lower()
        if low in YES:
            return True, None
        if low in NO and low != "":
            return False, None
        return None, N_(YES_NO_TEXT, value=text)
    if raw == "":
        return None, N_(MISSING)
    try:
        number = parse_count(raw) if kind == "count" else parse_decimal(raw, places=2)
    except NumberError as exc:
        if exc.reason == "not_a_number":
            return None, N_(TEXT_NOT_NUMBER, value=text)
        if exc.reason == "not_finite":
            return None, N_(NOT_FINITE, value=text)
        return None, exc.message
    return coerce(kind, number)


def canonical_text(value: Value) -> str:
    """How a typed value is stored: "true"/"false", "49", "86.5"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return format(value.normalize(), "f")


def from_canonical(kind: str, text: str | None) -> Value | None:
    if text is None:
        return None
    if kind == "yes_no":
        return text == "true"
    if kind == "count":
        return int(text)
    return Decimal(text)
