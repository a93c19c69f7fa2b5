"""Cross-field checks of a criteria version, each problem tied to the path of the field it is about.

Paths are tuples into the YAML document (``("criteria", 6, "components", 0, "bands", 1, "max")``); the loader
turns them into line numbers. Every check runs, so one run reports every problem.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import ValidationError

from .band_text import band_range as band_range  # re-exported: where every module looks for it
from .band_text import describe_band
from .messages import N_, Message
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

Path = tuple[str | int, ...]
# Messages name the YAML's values as the file writes them (``threshold 1850``), so they are given as text.
Found = tuple[Path, Message]

# durable-rules lets one fact match at most 64 conditions; one event per component meets one rule per band.
MAX_BANDS = 30

_INPUT_TYPES = {"yes_no": "yes_no", "percentage": "count", "rate": "count", "count": "count", "survey": "score"}


def check_version(version: CriteriaVersion) -> list[Found]:
    """Every cross-field problem of a version, as (path, message)."""
    return list(_check(version))


def _check(v: CriteriaVersion) -> Iterator[Found]:
    if v.effective_to is not None and v.effective_to < v.effective_from:
        yield ("effective_to",), N_("%(to)s trước effective_from %(start)s", to=v.effective_to.isoformat(),
                                     start=v.effective_from.isoformat())
    yield from _duplicates([c.id for c in v.categories], ("categories",), "id", N_("mã nhóm xã"))
    yield from _duplicates([c.code for c in v.criteria], ("criteria",), "code", N_("mã tiêu chí"))
    yield from _duplicate_indicators(list(enumerate(v.criteria)))
    yield from _shared(v)
    total = sum(c.max_points for c in v.criteria)
    if total != v.max_total.points:
        yield ("max_total", "points"), N_("điểm tối đa của các tiêu chí cộng lại là %(total)s, không phải %(points)s",
                                          total=str(total), points=str(v.max_total.points))
    yield from _thresholds(list(enumerate(v.categories)), v.max_total)
    for i, crit in enumerate(v.criteria):
        yield from _check_criterion(crit, ("criteria", i))
    if v.status == "official":
        for path, _ in unverified(v):
            yield path + ("verified",), N_("phiên bản chính thức chỉ được chứa các giá trị đã xác minh")


def _duplicate_indicators(criteria: list[tuple[int, Criterion]]) -> Iterator[Found]:
    seen: dict[str, Path] = {}
    for i, crit in criteria:
        for j, ind in enumerate(crit.indicators):
            here: Path = ("criteria", i, "indicators", j, "code")
            if ind.code in seen:
                first = ".".join(str(p) for p in seen[ind.code][:2])
                yield here, N_("mã chỉ số %(code)s đã được khai báo (%(first)s)", code=ind.code, first=first)
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
                    yield here, N_("%(code)s không phải là chỉ số của một tiêu chí đứng trước", code=ind.same_as)
                elif source[0] != ind.type:
                    yield here, N_("%(source)s có kiểu %(source_type)s, còn %(code)s có kiểu %(type)s", source=ind.same_as,
                                source_type=source[0], code=ind.code, type=ind.type)
                elif source[1] is not None:
                    yield here, N_("%(code)s cũng dùng chung %(first)s: hãy ghi %(first)s", code=ind.same_as, first=source[1])
        for ind in crit.indicators:
            seen.setdefault(ind.code, (ind.type, ind.same_as))


def _thresholds(categories: list[tuple[int, Category]], max_total: MaxTotal | None) -> Iterator[Found]:
    if max_total is None:
        return
    for i, cat in categories:
        if cat.threshold > max_total.points:
            yield ("categories", i, "threshold"), N_("ngưỡng %(threshold)s lớn hơn tổng điểm tối đa %(points)s",
                                                     threshold=str(cat.threshold), points=str(max_total.points))


def check_parts(data: dict) -> list[Found]:
    """Cross-field checks of a document that failed structural validation: every category and criterion
    that is valid on its own is still checked, so one run reports every problem."""
    out: list[Found] = []
    raw_categories = data.get("categories") if isinstance(data.get("categories"), list) else []
    raw_criteria = data.get("criteria") if isinstance(data.get("criteria"), list) else []
    out += _duplicates([c.get("id") if isinstance(c, dict) else None for c in raw_categories], ("categories",),
                       "id", N_("mã nhóm xã"))
    out += _duplicates([c.get("code") if isinstance(c, dict) else None for c in raw_criteria], ("criteria",),
                       "code", N_("mã tiêu chí"))
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


def _duplicates(values: list, base: Path, field: str, what: Message) -> Iterator[Found]:
    seen: set = set()
    for i, value in enumerate(values):
        if value is None:
            continue
        if value in seen:
            yield base + (i, field), N_("%(what)s %(value)s bị trùng", what=what, value=str(value))
        seen.add(value)


def _check_criterion(crit: Criterion, at: Path) -> Iterator[Found]:
    types = {}
    for j, ind in enumerate(crit.indicators):
        if not ind.code.startswith(crit.code + "."):
            yield at + ("indicators", j, "code"), N_("%(code)s phải bắt đầu bằng %(prefix)s", code=ind.code,
                                                        prefix=crit.code + ".")
        types[ind.code] = ind.type
    yield from _duplicates([c.id for c in crit.components], at + ("components",), "id", N_("mã thành phần"))
    used: set[str] = set()
    for k, comp in enumerate(crit.components):
        where = at + ("components", k)
        fields = _input_fields(comp)
        for field, code in zip(fields, component_inputs(comp), strict=True):
            used.add(code)
            want = _INPUT_TYPES[comp.kind]
            if code not in types:
                yield where + (field,), N_("%(code)s không phải là chỉ số của %(criterion)s", code=code,
                                           criterion=crit.code)
            elif types[code] != want:
                yield where + (field,), N_("%(code)s có kiểu %(type)s, thành phần kiểu %(kind)s cần %(want)s", code=code,
                                           type=types[code], kind=comp.kind, want=want)
        if not isinstance(comp, YesNo):
            yield from _check_bands(comp, where)
    for j, ind in enumerate(crit.indicators):
        if ind.code not in used:
            yield at + ("indicators", j, "code"), N_("%(code)s không được thành phần nào dùng", code=ind.code)
    reachable = sum(component_max(c) for c in crit.components)
    if reachable > crit.max_points:
        yield at + ("max_points",), N_(
            "các thành phần của %(code)s cho tới %(reachable)s điểm, vượt điểm tối đa %(most)s của tiêu chí",
            code=crit.code, reachable=str(reachable), most=str(crit.max_points))
    elif reachable < crit.max_points:
        yield at + ("max_points",), N_(
            "các thành phần của %(code)s cho nhiều nhất %(reachable)s điểm, nên không thể đạt điểm tối đa %(most)s",
            code=crit.code, reachable=str(reachable), most=str(crit.max_points))
    if crit.met_at > crit.max_points:
        yield at + ("met_at",), N_("met_at %(met_at)s lớn hơn điểm tối đa %(most)s", met_at=str(crit.met_at),
                                     most=str(crit.max_points))


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
        yield at + ("bands",), N_("%(count)s mức: nhiều nhất %(most)s (mỗi mức là một luật của durable-rules)",
                                    count=str(len(bands)), most=str(MAX_BANDS))
    for b, band in enumerate(bands):
        here = at + ("bands", b)
        if band.min is not None and band.max is not None and band.min >= band.max:
            yield here + ("min",), N_("min %(min)s không nhỏ hơn max %(max)s", min=str(band.min), max=str(band.max))
        for edge in ("min", "max"):
            value = getattr(band, edge)
            if value is not None and value < 0:
                yield here + (edge,), N_("%(edge)s %(value)s là số âm", edge=edge, value=str(value))
            if value is not None and higher and value > 100:
                yield here + (edge,), N_("%(edge)s %(value)s lớn hơn 100", edge=edge, value=str(value))
    if getattr(bands[0], good) is not None:
        yield at + ("bands", 0, good), N_("mức đầu tiên (tốt nhất) phải để trống %(edge)s: bỏ %(edge)s %(value)s",
                                           edge=good, value=str(getattr(bands[0], good)))
    last = len(bands) - 1
    if getattr(bands[last], bad) is not None and not (higher and bands[last].min == 0):
        yield at + ("bands", last, bad), N_("mức cuối cùng (kém nhất) phải để trống %(edge)s: bỏ %(edge)s %(value)s",
                                             edge=bad, value=str(getattr(bands[last], bad)))
    for b in range(1, len(bands)):
        prev, band = bands[b - 1], bands[b]
        edge_prev, edge_here = getattr(prev, bad), getattr(band, good)
        here = at + ("bands", b, good)
        if edge_prev is None or edge_here is None:
            yield here, N_("mức %(band)s phải liền với mức %(previous)s: đặt %(good)s = %(bad)s của mức %(previous)s",
                            band=str(b), previous=str(b - 1), good=good, bad=bad)
        elif (edge_here > edge_prev) == higher and edge_here != edge_prev:
            yield here, N_("chồng lên mức %(previous)s: %(good)s %(here)s so với %(bad)s %(there)s của mức đó",
                            previous=str(b - 1), good=good, here=str(edge_here), bad=bad, there=str(edge_prev))
        elif edge_here != edge_prev:
            yield here, N_("hở sau mức %(previous)s: %(good)s %(here)s so với %(bad)s %(there)s của mức đó",
                            previous=str(b - 1), good=good, here=str(edge_here), bad=bad, there=str(edge_prev))
        if band.points > prev.points:
            yield at + ("bands", b, "points"), N_(
                "mức %(band)s cho %(points)s điểm, nhiều hơn mức tốt hơn %(previous)s (%(better)s)",
                band=str(b), points=str(band.points), previous=str(b - 1), better=str(prev.points))


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
                    out.append((where + ("bands", b), N_("%(name)s/bands/%(index)s %(band)s", name=name, index=str(b),
                                                               band=describe_band(comp.kind, band))))
    return out
