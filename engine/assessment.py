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
from .models import CriteriaVersion, Percentage, Rate
from .numbers import NumberError, format_number, parse_count, parse_decimal
from .text import nfc

Value = bool | int | Decimal

# Counts are children or cases of one commune. The bound keeps every value exact where durable-rules
# compares floats (it rounds above 2**53 and matches nothing for floats printed as 1e+16).
MAX_COUNT = 10_000_000

FLOAT_COUNT = ("{value} là số thập phân, không phải số nguyên: trong tệp YAML hoặc JSON, số trẻ em, "
               'số vụ ghi là số nguyên (3000) hoặc số trong dấu ngoặc kép ("3.000"); không có dấu ngoặc '
               "kép, 3.000 được đọc thành 3.0")


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
        raise AssessmentError([InputProblem("file", f"not UTF-8 text (byte {exc.start})")], str(path)) from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = YAML(typ="safe").load(text)
    except json.JSONDecodeError as exc:
        raise AssessmentError([InputProblem("file", f"line {exc.lineno}: {exc.msg}")], str(path)) from None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise AssessmentError([InputProblem("file", where + " ".join(str(exc).split()))], str(path)) from None
    except ValueError as exc:  # a value YAML types itself and cannot build, e.g. the date 2024-13-01
        raise AssessmentError([InputProblem("file", f"invalid value: {exc}")], str(path)) from None
    if not isinstance(data, dict):
        raise AssessmentError([InputProblem("file", "an assessment must be a mapping")], str(path))
    return data


def parse_header(data: dict, source: str = "") -> tuple[Commune, int | None, dt.date | None, str | None]:
    problems: list[InputProblem] = []
    allowed = {"commune", "year", "criteria_version", "assessed_on", "indicators"}
    for key in data:
        if key not in allowed:
            problems.append(InputProblem(str(key), "unknown key"))
    raw = data.get("commune")
    if not isinstance(raw, dict):
        problems.append(InputProblem("commune", "needs code, name and category"))
        raw = {}
    code, name, category = (raw.get(k) for k in ("code", "name", "category"))
    for key, value in (("code", code), ("name", name), ("category", category)):
        if value is None or str(value).strip() == "":
            problems.append(InputProblem(f"commune.{key}", "missing"))
    year = data.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        problems.append(InputProblem("year", f"expects a year such as 2024, got {year!r}"))
        year = None
    assessed_on = data.get("assessed_on")
    if isinstance(assessed_on, str):
        try:
            assessed_on = dt.date.fromisoformat(assessed_on)
        except ValueError:
            problems.append(InputProblem("assessed_on", f"expects YYYY-MM-DD, got {assessed_on!r}"))
            assessed_on = None
    elif assessed_on is not None and not isinstance(assessed_on, dt.date):
        problems.append(InputProblem("assessed_on", f"expects YYYY-MM-DD, got {assessed_on!r}"))
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
        problems.append(InputProblem("commune.category", f"unknown category {category!r} (one of: {known})"))
    indicators = version.indicator_map()
    if not isinstance(raw, dict):
        raise AssessmentError([InputProblem("indicators", "must be a mapping of indicator code to value")])
    for code in raw:
        if code not in indicators:
            problems.append(InputProblem(str(code), f"unknown indicator code for {version.id}"))
    values: dict[str, Value] = {}
    for code, indicator in indicators.items():
        if raw.get(code) is None:
            problems.append(InputProblem(code, "missing value"))
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


def pair_problems(version: CriteriaVersion, values: dict) -> list[InputProblem]:
    """Numerators above their denominators (cases above the population) among the values present."""
    out = []
    for crit in version.criteria:
        for comp in crit.components:
            if isinstance(comp, Percentage):
                top, bottom = comp.numerator, comp.denominator
            elif isinstance(comp, Rate):
                top, bottom = comp.cases, comp.population
            else:
                continue
            if values.get(top) is not None and values.get(bottom) is not None and values[top] > values[bottom]:
                shown = f"{format_number(values[top])} is above {bottom} ({format_number(values[bottom])})"
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
        return None, f"expects yes or no (true/false), got {value!r}"
    if isinstance(value, bool):
        return None, f"expects a number, got {value!r}"
    if isinstance(value, str):
        return None, f"expects a number, got text {value!r}"
    if not isinstance(value, int | float | Decimal):
        return None, f"expects a number, got {value!r}"
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None, f"expects a number, got {value!r}"
    if not number.is_finite():
        return None, f"expects a finite number, got {value!r}"
    if number < 0:
        return None, f"is negative ({value})"
    if kind == "count":
        if isinstance(value, float):
            return None, FLOAT_COUNT.format(value=value)
        if number != number.to_integral_value():
            return None, f"expects a whole number of children or cases, got {value}"
        if number > MAX_COUNT:
            most = format_number(MAX_COUNT)
            return None, f"{value} is above {most} (no commune has that many children or cases)"
        return int(number), None
    if number > 100:
        return None, f"a score is at most 100, got {value}"
    if number.as_tuple().exponent < -2:
        return None, f"a score has at most 2 decimals, got {value}"
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
        return None, f"expects có/không (true/false), got {text!r}"
    if raw == "":
        return None, "missing value"
    try:
        number = parse_count(raw) if kind == "count" else parse_decimal(raw, places=2)
    except NumberError as exc:
        if exc.reason == "not_a_number":
            return None, f"expects a number, got text {text!r}"
        if exc.reason == "not_finite":
            return None, f"expects a finite number, got {text!r}"
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
