"""A stored score's gaps, plan and failed conditions as translatable messages, for the reader's language.

A score stores these texts in Vietnamese (``Gap.message``, ``Plan.message``, ``FailedCondition.message``) and
that stored form does not change. Shown to a reader, each is made again as a ``Message`` from the structured
fields beside it (the indicator, the target, the component's bands in the criteria version, the criterion's
points) and used only when its Vietnamese text is exactly the one stored: a score written by an older engine,
or under criteria whose bands changed since, is shown as it was stored, never with a guessed range.

The scoring code (``engine.gaps``, ``engine.scoring``) is not touched: these run only at display time.
"""

from __future__ import annotations

import re

from .checks import band_range
from .messages import N_, Message
from .models import CriteriaVersion, YesNo
from .numbers import NumberError, format_number, format_points, parse_decimal

_EMPTY = N_("mẫu số bằng 0 (không có trường hợp nào trong kỳ)")  # = tables.EMPTY_MATCHED, what scores store
_VERBS = {"at_least": N_("tăng lên ít nhất"), "at_most": N_("giảm xuống tối đa")}
_STEPS = re.compile(r"\((\d+) bước, ")


def _field(item, name: str):
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def gap_message(gap, version: CriteriaVersion | None) -> str:
    """One improvement (a ``Gap`` or its JSON form) as a Message, or its stored text when it cannot be remade."""
    stored = _field(gap, "message") or ""
    for made in _gap_candidates(gap, version):
        if made == stored:
            return made
    return stored


def _gap_candidates(gap, version: CriteriaVersion | None):
    indicator, change = _field(gap, "indicator"), _field(gap, "change")
    points = format_points(_field(gap, "points_added"))
    if change == "set":
        yield N_("%(indicator)s: chuyển sang «có» → +%(points)s", indicator=indicator, points=points)
        return
    component = _component(version, _field(gap, "criterion"), _field(gap, "component"))
    if component is None or isinstance(component, YesNo) or change not in _VERBS:
        return
    target = format_number(_field(gap, "target"))
    for band in component.bands:
        yield N_("%(indicator)s: %(verb)s %(target)s (%(range)s) → +%(points)s", indicator=indicator,
                 verb=_VERBS[change], target=target, range=band_range(component.kind, band), points=points)


def _component(version: CriteriaVersion | None, criterion: str | None, component: str | None):
    if version is None:
        return None
    for crit in version.criteria:
        if crit.code == criterion:
            return next((c for c in crit.components if c.id == component), None)
    return None


def plan_message(plan, version: CriteriaVersion | None) -> str:
    """The plan's summary as a Message (its steps remade too), or its stored text."""
    stored = _field(plan, "message") or ""
    steps = list(_field(plan, "steps") or [])
    if not steps:
        made = {m: m for m in (N_("không thể đạt điều kiện công nhận chỉ bằng cải thiện các chỉ số"),
                               N_("đã đáp ứng mọi điều kiện công nhận"))}
        return made.get(stored, stored)
    found = _STEPS.search(stored)
    if found is None:
        return stored
    parts = [gap_message(s, version) for s in steps]
    need, added = _field(plan, "points_needed"), format_points(_field(plan, "points_added"))
    if need:
        made = N_("cần thêm %(need)s; cách ít bước nhất (%(steps)s bước, +%(added)s): %(moves)s",
                  need=format_points(need), steps=found.group(1), added=added, moves=parts)
    else:
        made = N_("tổng điểm đã đạt ngưỡng nhưng còn điều kiện chưa đáp ứng; cách ít bước nhất (%(steps)s bước, "
                  "+%(added)s): %(moves)s", steps=found.group(1), added=added, moves=parts)
    return made if made == stored else stored


def failed_message(failed, score) -> str:
    """A failed recognition condition as a Message, from the score's own figures, or its stored text."""
    stored = _field(failed, "message") or ""
    condition, code = _field(failed, "condition"), _field(failed, "criterion")
    made: Message | None = None
    if condition == "no_criterion_zero":
        made = N_("%(code)s bị 0 điểm", code=code)
    elif condition == "all_criteria_met":
        crit = next((c for c in _field(score, "criteria") or [] if _field(c, "code") == code), None)
        if crit is not None:
            made = N_("%(code)s chưa đạt: %(points)s, cần ít nhất %(met_at)s", code=code,
                      points=format_points(_field(crit, "points")), met_at=_field(crit, "met_at"))
    elif condition == "total_reaches_threshold":
        total, threshold = _field(score, "total"), _field(score, "threshold")
        if isinstance(total, int) and isinstance(threshold, int):
            made = N_("tổng điểm %(total)s chưa đạt ngưỡng %(threshold)s (còn thiếu %(missing)s)", total=total,
                      threshold=threshold, missing=format_points(threshold - total))
    return made if made is not None and made == stored else stored


def readable_component(component, version: CriteriaVersion | None):
    """A component of a stored score whose band range and measured value are Messages (``0 < tỷ suất ≤ 1``,
    ``0,41…``), to be explained in the reader's language; each only when it remakes the stored text exactly."""
    updates: dict = {}
    criterion = component.explanation.split("/", 1)[0]
    comp = _component(version, criterion, component.id)
    outcome = component.outcome
    if comp is not None and not isinstance(comp, YesNo) and outcome.kind == "band" and outcome.band < len(comp.bands):
        remade = band_range(comp.kind, comp.bands[outcome.band])
        if remade == component.matched:
            updates["matched"] = remade
    elif outcome.kind == "empty" and component.matched == _EMPTY:
        updates["matched"] = _EMPTY
    measured = component.measured
    if measured:
        cut = measured.endswith("…")
        try:
            value = parse_decimal(measured.removesuffix("…"))
        except NumberError:
            value = None
        if value is not None:
            remade = Message("%(value)s…" if cut else "%(value)s", value=value)
            if remade == measured:
                updates["measured"] = remade
    return component.model_copy(update=updates) if updates else component
