"""Administrative units: CSV import (all rows checked first, all or nothing), lookups and jurisdiction.

CSV columns (UTF-8, header row): ``level`` (province | district | commune), ``code`` (official code),
``name``, ``parent_code`` (empty for a province), ``valid_from``, ``valid_to`` (YYYY-MM-DD or empty = open),
``successor_code`` (the unit that took over after a merger, may be loaded later), and any number of
``category_YYYY`` columns giving a commune's category in that year (``ward_central_city``, ``other``,
``mountain_island_difficult``). Re-importing a file updates the same units (keyed by level, code, valid_from).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Integer, Select, bindparam, literal, select
from sqlalchemy.orm import Session

from engine.errors import CfcError
from engine.workflow import round_date

from .models import CommuneCategory, Unit

LEVELS = ("province", "district", "commune")
PARENT_LEVELS = {"province": (), "district": ("province",), "commune": ("district", "province")}
CATEGORIES = ("ward_central_city", "other", "mountain_island_difficult")
REQUIRED = ("level", "code", "name", "parent_code", "valid_from", "valid_to", "successor_code")


class UnitImportError(CfcError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problems, nothing imported:\n" + "\n".join(problems))


@dataclass
class ImportReport:
    created: int
    updated: int
    categories: int


def _date(text: str) -> dt.date | None:
    text = (text or "").strip()
    return dt.date.fromisoformat(text) if text else None


def import_csv(session: Session, source: Path | str | io.TextIOBase, name: str | None = None) -> ImportReport:
    """Import units from CSV; raises UnitImportError naming every bad line, and stores nothing then."""
    rows, header = _read_csv(source)
    name = name or (str(source) if isinstance(source, str | Path) else "units.csv")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise UnitImportError([f"{name}: missing columns: {', '.join(missing)}"])
    cat_cols = [c for c in header if re.fullmatch(r"category_\d{4}", c or "")]
    problems: list[str] = []
    parsed = []
    seen = set()
    for line, row in enumerate(rows, start=2):
        item = _check_row(f"{name}:{line}", row, cat_cols, seen, problems)
        if item is not None:
            parsed.append(item)
    problems += _parent_problems(session, parsed)
    if problems:
        raise UnitImportError(problems)
    existing = {(u.level, u.code, u.valid_from): u for u in session.execute(select(Unit)).scalars()}
    by_level_code: dict[tuple[str, str], list[Unit]] = {}
    for unit in existing.values():
        by_level_code.setdefault((unit.level, unit.code), []).append(unit)
    staged, created = _upsert_units(session, parsed, existing, by_level_code)
    session.flush()
    n_cats = _link_parents(session, staged, by_level_code, problems)
    if problems:
        raise UnitImportError(problems)  # the caller's transaction is rolled back: nothing is stored
    _link_successors(existing.values(), by_level_code)
    return ImportReport(created, len(parsed) - created, n_cats)


def _read_csv(source: Path | str | io.TextIOBase) -> tuple[list[dict], list[str]]:
    """The rows of a file or text stream, and its header."""
    if isinstance(source, str | Path):
        with open(source, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
            return rows, list(rows[0].keys()) if rows else []
    reader = csv.DictReader(source)
    rows = list(reader)
    return rows, list(reader.fieldnames or [])


def _check_row(where: str, row: dict, cat_cols: list[str], seen: set, problems: list[str]) -> tuple | None:
    """The parsed row (where, row, level, code, start, end, categories), every problem appended to
    ``problems``; None when its dates cannot be read."""
    level = (row["level"] or "").strip()
    code = (row["code"] or "").strip()
    if level not in LEVELS:
        problems.append(f"{where}: level: {level!r} is not one of {', '.join(LEVELS)}")
    if not code.isdigit():
        problems.append(f"{where}: code: {code!r} is not an official numeric code")
    if not (row["name"] or "").strip():
        problems.append(f"{where}: name: missing")
    try:
        start, end = _date(row["valid_from"]), _date(row["valid_to"])
    except ValueError as exc:
        problems.append(f"{where}: valid_from/valid_to: {exc}")
        return None
    if start and end and end < start:
        problems.append(f"{where}: valid_to {end} is before valid_from {start}")
    if level != "province" and not (row["parent_code"] or "").strip():
        problems.append(f"{where}: parent_code: a {level} needs its parent's code")
    key = (level, code, start)
    if key in seen:
        problems.append(f"{where}: code: {level} {code} from {start or 'the start'} is listed twice")
    seen.add(key)
    cats = {}
    for col in cat_cols:
        value = (row.get(col) or "").strip()
        if value and value not in CATEGORIES:
            problems.append(f"{where}: {col}: {value!r} is not one of {', '.join(CATEGORIES)}")
        elif value:
            if level != "commune":
                problems.append(f"{where}: {col}: only communes have a category")
            cats[int(col.split("_")[1])] = value
    return where, row, level, code, start, end, cats


def _parent_problems(session: Session, parsed: list[tuple]) -> list[str]:
    """Rows whose parent code names no unit above them, in the database or in the file."""
    known = {(u.level, u.code) for u in session.execute(select(Unit)).scalars()}
    known |= {(level, code) for _, _, level, code, _, _, _ in parsed}
    problems = []
    for where, row, level, code, *_ in parsed:
        parent_code = (row["parent_code"] or "").strip()
        if level in PARENT_LEVELS and parent_code and not any(
            (parent_level, parent_code) in known for parent_level in PARENT_LEVELS[level]
        ):
            problems.append(f"{where}: parent_code: no unit {parent_code} above {level} {code}")
    return problems


def _upsert_units(session: Session, parsed: list[tuple], existing: dict, by_level_code: dict
                  ) -> tuple[list[tuple], int]:
    """Each row's unit, created or updated (keyed by level, code, valid_from); returns what is left to link
    (where, unit, parent code, categories) and how many were created."""
    staged, created = [], 0
    for where, row, level, code, start, end, cats in parsed:
        unit = existing.get((level, code, start))
        if unit is None:
            unit = Unit(level=level, code=code, valid_from=start)
            session.add(unit)
            existing[(level, code, start)] = unit
            by_level_code.setdefault((level, code), []).append(unit)
            created += 1
        unit.name = row["name"].strip()
        unit.valid_to = end
        unit.successor_code = (row["successor_code"] or "").strip() or None
        staged.append((where, unit, (row["parent_code"] or "").strip(), cats))
    return staged, created


def _link_parents(session: Session, staged: list[tuple], by_level_code: dict, problems: list[str]) -> int:
    """Each unit's parent (valid on its start) and its categories; returns the number of categories stored."""
    n_cats = 0
    for where, unit, parent_code, cats in staged:
        if unit.level != "province":
            parent = _pick(by_level_code, PARENT_LEVELS[unit.level], parent_code, unit.valid_from)
            if parent is None:
                problems.append(f"{where}: parent_code: no unit {parent_code} above {unit.level} {unit.code}")
                continue
            unit.parent_id = parent.id
        for year, category in cats.items():
            row = session.execute(
                select(CommuneCategory).where(CommuneCategory.unit_id == unit.id, CommuneCategory.year == year)
            ).scalar_one_or_none()
            if row is None:
                session.add(CommuneCategory(unit_id=unit.id, year=year, category=category))
            else:
                row.category = category
            n_cats += 1
    return n_cats


def _link_successors(units, by_level_code: dict) -> None:
    """A merged unit's successor: the unit of its successor code in force the day after it ended."""
    for unit in units:
        if unit.successor_code and unit.successor_id is None:
            successor = _pick(by_level_code, (unit.level,), unit.successor_code,
                              unit.valid_to + dt.timedelta(days=1) if unit.valid_to else None)
            if successor is not None:
                unit.successor_id = successor.id


def _pick(index, levels, code: str, on: dt.date | None) -> Unit | None:
    """The unit of one of ``levels`` with ``code`` valid on ``on`` (or sharing the same open start)."""
    for level in levels:
        for unit in index.get((level, code), []):
            if on is None and unit.valid_from is None:
                return unit
            if on is not None and (unit.valid_from is None or unit.valid_from <= on) and (
                unit.valid_to is None or on <= unit.valid_to
            ):
                return unit
    return None


def find_unit(session: Session, code: str, level: str | None = None, on: dt.date | None = None) -> Unit:
    """The unit with ``code`` (valid on ``on`` when given, else the newest); CfcError when none."""
    query = select(Unit).where(Unit.code == str(code))
    if level:
        query = query.where(Unit.level == level)
    return choose_unit(list(session.execute(query).scalars()), code, on)


def choose_unit(units: list[Unit], code: str, on: dt.date | None = None) -> Unit:
    """``find_unit``'s choice among the units with ``code`` (of its level)."""
    if on is not None:
        units = [u for u in units if valid_on(u, on)]
    if not units:
        when = f" on {on}" if on else ""
        raise CfcError(f"no administrative unit with code {code}{when}")
    units.sort(key=lambda u: (u.valid_to is None, u.valid_from or dt.date.min), reverse=True)
    return units[0]


def valid_on(unit: Unit, day: dt.date) -> bool:
    """Whether the unit is in force on ``day`` (an empty date is an open end)."""
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day <= unit.valid_to)


def communes_of(session: Session, unit_code: str, year: int | None = None) -> list[tuple[str, str]]:
    """(code, name) of every commune of a unit in force on the date of the round ``year`` (default: this
    year's), by code."""
    day = round_date(year or dt.date.today().year)
    unit = find_unit(session, unit_code, None, day)
    found = [u for u in session.execute(select(Unit)).scalars()
             if u.level == "commune" and contains(unit, u) and valid_on(u, day)]
    return [(u.code, u.name) for u in sorted(found, key=lambda u: (len(u.code), u.code))]


def code_order(code: str | None) -> tuple:
    """A sort key for official unit codes: numeric codes by their number, then other codes, then none."""
    if code is None:
        return (2, 0, "")
    return (0, int(code), "") if code.isdigit() else (1, 0, code)


def contains(outer: Unit, inner: Unit) -> bool:
    """Whether ``inner`` is ``outer`` or lies inside it, or inside a unit that ``outer`` succeeded after a
    merger (following successor links: Kon Tum (62), merged into Quảng Ngãi (51) on 01/07/2025, lies within
    Quảng Ngãi for the dossiers of its earlier rounds)."""
    for unit in (inner, *inner.ancestors()):
        node, steps = unit, 0
        while node is not None and steps <= MAX_SUCCESSIONS:
            if node.id == outer.id:
                return True
            node, steps = node.successor, steps + 1
    return False


MAX_SUCCESSIONS = 8  # a chain of mergers longer than this is a loop in the data
MAX_DEPTH = 8  # levels under a unit (province → district → commune: 2); deeper is a loop in the data


def within(outer_id: int) -> Select:
    """The ids of every unit ``contains`` finds inside the unit ``outer_id``, as one SQL query (two recursive
    common table expressions): the unit and those it succeeded after mergers, and everything under them. For
    narrowing a query to a jurisdiction in the database; the check of each row stays ``contains``."""
    return _within().params(within_unit=outer_id)


@functools.cache
def _within() -> Select:
    """``within``'s query, built once (building it costs more than running it), the unit bound later."""
    merged = select(Unit.id.label("id"), literal(0).label("steps")) \
        .where(Unit.id == bindparam("within_unit", type_=Integer)).cte("merged_into", recursive=True)
    merged = merged.union_all(select(Unit.id, merged.c.steps + 1).join(merged, Unit.successor_id == merged.c.id)
                              .where(merged.c.steps < MAX_SUCCESSIONS))
    under = select(merged.c.id.label("id"), literal(0).label("depth")).cte("under_unit", recursive=True)
    under = under.union_all(select(Unit.id, under.c.depth + 1).join(under, Unit.parent_id == under.c.id)
                            .where(under.c.depth < MAX_DEPTH))
    return select(under.c.id)


def path_names(unit: Unit) -> dict[str, str]:
    """{"commune": …, "district": …, "province": …} for a unit and its ancestors."""
    out = {unit.level: unit.name}
    for a in unit.ancestors():
        out[a.level] = a.name
    return out


def category_of(session: Session, commune: Unit, year: int) -> str | None:
    row = session.execute(
        select(CommuneCategory).where(CommuneCategory.unit_id == commune.id, CommuneCategory.year == year)
    ).scalar_one_or_none()
    return row.category if row else None
