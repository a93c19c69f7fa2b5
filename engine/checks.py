"""Cross-field checks of a criteria version, each problem tied to the path of the field it is about.

Paths are tuples into the YAML document (``("criteria", 6, "components", 0, "bands", 1, "max")``); the loader
turns them into line numbers. Every check runs, so one run reports every problem.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from pydantic import ValidationError

from .models import (
    HIGHER_IS_BETTER,
    Category,
    Count,
    CriteriaVersion,
    Criterion,
    MaxTotal,
    Percentage,
    Rate,
    Survey,
    YesNo,
    component_inputs,
    component_max,
)
from .numbers import format_number

Path = tuple[str | int, ...]
Found = tuple[Path, str]

# durable-rules lets one fact match at most 64 conditions; one event per component meets one rule per band.
MAX_BANDS = 30

_INPUT_TYPES = {"yes_no": "yes_no", "percentage": "count", "rate": "count", "count": "count", "survey": "score"}


def check_version(version: CriteriaVersion) -> list[Found]:
    """Every cross-field problem of a version, as (path, message)."""
    return list(_check(version))


def _check(v: CriteriaVersion) -> Iterator[Found]:
    if v.effective_to is not None and v.effective_to < v.effective_from:
        yield ("effective_to",), f"{v.effective_to} is before effective_from {v.effective_from}"
    yield from _duplicates([c.id for c in v.categories], ("categories",), "id", "category id")
    yield from _duplicates([c.code for c in v.criteria], ("criteria",), "code", "criterion code")
    yield from _duplicate_indicators(list(enumerate(v.criteria)))
    yield from _shared(v)
    total = sum(c.max_points for c in v.criteria)
    if total != v.max_total.points:
        yield ("max_total", "points"), f"criteria maxima add up to {total}, not {v.max_total.points}"
    yield from _thresholds(list(enumerate(v.categories)), v.max_total)
    for i, crit in enumerate(v.criteria):
        yield from _check_criterion(crit, ("criteria", i))
    if v.status == "official":
        for path, _ in unverified(v):
            yield path + ("verified",), "an official version may hold only verified numbers"


def _duplicate_indicators(criteria: list[tuple[int, Criterion]]) -> Iterator[Found]:
    seen: dict[str, Path] = {}
    for i, crit in criteria:
        for j, ind in enumerate(crit.indicators):
            here: Path = ("criteria", i, "indicators", j, "code")
            if ind.code in seen:
                first = ".".join(str(p) for p in seen[ind.code][:2])
                yield here, f"indicator code {ind.code} is already defined ({first})"
            else:
                seen[ind.code] = here


def _shared(v: CriteriaVersion) -> Iterator[Found]:
    """``same_as`` names an indicator of an earlier criterion, of the same type, that shares with no other."""
    seen: dict[str, tuple[str, str | None]] = {}  # code → (type, same_as), earlier criteria only
    for i, crit in enumerate(v.criteria):
        for j, ind in enumerate(crit.indicators):
            if ind.same_as is not None:
                here: Path = ("criteria", i, "indicators", j, "same_as")
                source = seen.get(ind.same_as)
                if source is None:
                    yield here, f"{ind.same_as} is not an indicator of an earlier criterion"
                elif source[0] != ind.type:
                    yield here, f"{ind.same_as} is a {source[0]}, {ind.code} a {ind.type}"
                elif source[1] is not None:
                    yield here, f"{ind.same_as} itself shares {source[1]}: name {source[1]}"
        for ind in crit.indicators:
            seen.setdefault(ind.code, (ind.type, ind.same_as))


def _thresholds(categories: list[tuple[int, Category]], max_total: MaxTotal | None) -> Iterator[Found]:
    if max_total is None:
        return
    for i, cat in categories:
        if cat.threshold > max_total.points:
            yield ("categories", i, "threshold"), (
                f"threshold {cat.threshold} is above the total maximum {max_total.points}"
            )


def check_parts(data: dict) -> list[Found]:
    """Cross-field checks of a document that failed structural validation: every category and criterion
    that is valid on its own is still checked, so one run reports every problem."""
    out: list[Found] = []
    raw_categories = data.get("categories") if isinstance(data.get("categories"), list) else []
    raw_criteria = data.get("criteria") if isinstance(data.get("criteria"), list) else []
    out += _duplicates([c.get("id") if isinstance(c, dict) else None for c in raw_categories], ("categories",),
                       "id", "category id")
    out += _duplicates([c.get("code") if isinstance(c, dict) else None for c in raw_criteria], ("criteria",),
                       "code", "criterion code")
    categories = _valid(Category, raw_categories)
    criteria = _valid(Criterion, raw_criteria)
    try:
        max_total = MaxTotal.model_validate(data.get("max_total"))
    except ValidationError:
        max_total = None
    out += _thresholds(categories, max_total)
    out += _duplicate_indicators(criteria)
    for i, crit in criteria:
        out += _check_criterion(crit, ("criteria", i))
    return [(path, message) for path, message in out if message]


def _valid(model, items: list) -> list[tuple[int, object]]:
    out = []
    for i, item in enumerate(items):
        try:
            out.append((i, model.model_validate(item)))
        except ValidationError:
            continue
    return out


def _duplicates(values: list, base: Path, field: str, what: str) -> Iterator[Found]:
    seen: set = set()
    for i, value in enumerate(values):
        if value is None:
            continue
        if value in seen:
            yield base + (i, field), f"duplicate {what} {value}"
        seen.add(value)


def _check_criterion(crit: Criterion, at: Path) -> Iterator[Found]:
    types = {}
    for j, ind in enumerate(crit.indicators):
        if not ind.code.startswith(crit.code + "."):
            yield at + ("indicators", j, "code"), f"{ind.code} must start with {crit.code}."
        types[ind.code] = ind.type
    yield from _duplicates([c.id for c in crit.components], at + ("components",), "id", "component id")
    used: set[str] = set()
    for k, comp in enumerate(crit.components):
        where = at + ("components", k)
        fields = _input_fields(comp)
        for field, code in zip(fields, component_inputs(comp), strict=True):
            used.add(code)
            want = _INPUT_TYPES[comp.kind]
            if code not in types:
                yield where + (field,), f"{code} is not an indicator of {crit.code}"
            elif types[code] != want:
                yield where + (field,), f"{code} is of type {types[code]}, a {comp.kind} component needs {want}"
        if not isinstance(comp, YesNo):
            yield from _check_bands(comp, where)
    for j, ind in enumerate(crit.indicators):
        if ind.code not in used:
            yield at + ("indicators", j, "code"), f"{ind.code} is not used by any component"
    reachable = sum(component_max(c) for c in crit.components)
    if reachable > crit.max_points:
        yield at + ("max_points",), (
            f"components of {crit.code} give up to {reachable} points, above its maximum {crit.max_points}"
        )
    elif reachable < crit.max_points:
        yield at + ("max_points",), (
            f"components of {crit.code} give at most {reachable} points, so its maximum {crit.max_points} "
            "cannot be reached"
        )
    if crit.met_at > crit.max_points:
        yield at + ("met_at",), f"met_at {crit.met_at} is above the maximum {crit.max_points}"


def _input_fields(comp) -> tuple[str, ...]:
    if isinstance(comp, YesNo):
        return ("indicator",)
    if isinstance(comp, Percentage):
        return ("numerator", "denominator")
    if isinstance(comp, Rate):
        return ("cases", "population")
    if isinstance(comp, Count):
        return ("count",)
    return ("score",)


def _check_bands(comp: Percentage | Rate | Count | Survey, at: Path) -> Iterator[Found]:
    """Bands are listed best first and must tile the value range with no gap and no overlap."""
    bands = comp.bands
    higher = comp.kind in HIGHER_IS_BETTER
    # The edge towards better values is `max` when higher is better, `min` when lower is better.
    good, bad = ("max", "min") if higher else ("min", "max")
    if len(bands) > MAX_BANDS:
        yield at + ("bands",), f"{len(bands)} bands: at most {MAX_BANDS} (one rule per band in durable-rules)"
    for b, band in enumerate(bands):
        here = at + ("bands", b)
        if band.min is not None and band.max is not None and band.min >= band.max:
            yield here + ("min",), f"min {band.min} is not below max {band.max}"
        for edge in ("min", "max"):
            value = getattr(band, edge)
            if value is not None and value < 0:
                yield here + (edge,), f"{edge} {value} is negative"
            if value is not None and higher and value > 100:
                yield here + (edge,), f"{edge} {value} is above 100"
    if getattr(bands[0], good) is not None:
        yield at + ("bands", 0, good), (
            f"the first (best) band must be open on the {good} side: remove {good} {getattr(bands[0], good)}"
        )
    last = len(bands) - 1
    if getattr(bands[last], bad) is not None and not (higher and bands[last].min == 0):
        yield at + ("bands", last, bad), (
            f"the last (worst) band must be open on the {bad} side: remove {bad} {getattr(bands[last], bad)}"
        )
    for b in range(1, len(bands)):
        prev, band = bands[b - 1], bands[b]
        edge_prev, edge_here = getattr(prev, bad), getattr(band, good)
        here = at + ("bands", b, good)
        if edge_prev is None or edge_here is None:
            yield here, f"band {b} must share its edge with band {b - 1}: set {good} = {bad} of band {b - 1}"
        elif (edge_here > edge_prev) == higher and edge_here != edge_prev:
            yield here, f"overlaps band {b - 1}: {good} {edge_here} vs its {bad} {edge_prev}"
        elif edge_here != edge_prev:
            yield here, f"gap after band {b - 1}: {good} {edge_here} vs its {bad} {edge_prev}"
        if band.points > prev.points:
            yield at + ("bands", b, "points"), (
                f"band {b} gives {band.points} points, more than the better band {b - 1} ({prev.points})"
            )


def unverified(v: CriteriaVersion) -> list[tuple[Path, str]]:
    """Every object whose numbers are not yet verified, as (path, description)."""
    out: list[tuple[Path, str]] = []
    if not v.max_total.verified:
        out.append((("max_total",), f"max_total {v.max_total.points}"))
    for i, cat in enumerate(v.categories):
        if not cat.verified:
            out.append((("categories", i), f"category {cat.id} threshold {cat.threshold}"))
    for i, crit in enumerate(v.criteria):
        at: Path = ("criteria", i)
        if not crit.verified:
            out.append((at, f"{crit.code} max_points {crit.max_points}, met_at {crit.met_at}"))
        for k, comp in enumerate(crit.components):
            where = at + ("components", k)
            name = f"{crit.code}/{comp.id}"
            if isinstance(comp, YesNo):
                if not comp.verified:
                    out.append((where, f"{name} points {comp.points}"))
                continue
            if isinstance(comp, Rate) and not comp.verified:
                out.append((where, f"{name} per {comp.per}"))
            empty = getattr(comp, "if_denominator_zero", None)
            if empty is not None and not empty.verified:
                out.append((where + ("if_denominator_zero",), f"{name}/if_denominator_zero points {empty.points}"))
            for b, band in enumerate(comp.bands):
                if not band.verified:
                    out.append((where + ("bands", b), f"{name}/bands/{b} {describe_band(comp.kind, band)}"))
    return out


def describe_band(kind: str, band) -> str:
    """A band as a person reads it, e.g. '95 ≤ tỷ lệ < 98 → 35 điểm'."""
    return f"{band_range(kind, band)} → {band.points} điểm"


def band_range(kind: str, band) -> str:
    """A band's range as a person reads it, e.g. '95 ≤ tỷ lệ % < 98' (every score shows several)."""
    return _range(kind, band.min, band.max)


@functools.lru_cache(maxsize=1024)
def _range(kind: str, lo, hi) -> str:
    name = {"percentage": "tỷ lệ %", "rate": "tỷ suất", "count": "số ca", "survey": "điểm"}[kind]
    if kind in HIGHER_IS_BETTER:
        parts = [f"{format_number(lo)} ≤ " if lo not in (None, 0) else "", name,
                 f" < {format_number(hi)}" if hi is not None else ""]
        if lo in (None, 0) and hi is None:
            return f"mọi {name}"
        if lo not in (None, 0) and hi is None:
            return f"{name} ≥ {format_number(lo)}"
        return "".join(parts)
    if lo is None and hi is None:
        return f"mọi {name}"
    if lo is None:
        return f"{name} ≤ {format_number(hi)}" if hi != 0 else f"{name} = 0"
    if hi is None:
        return f"{name} > {format_number(lo)}"
    return f"{format_number(lo)} < {name} ≤ {format_number(hi)}"
