"""Gap analysis: what a commune must improve, and the cheapest set of improvements that reaches recognition.

For each component below its maximum, ``find_gaps`` gives the value that reaches the next better band and the
points it adds. ``plan_improvements`` chooses, across all components, the set of band moves with the fewest
steps (one step = one band up; a yes/no item is one step) that lifts every criterion to its ``met_at`` and above
zero and the total to the category's threshold. It is an exact search (a knapsack over criteria).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

from .checks import band_range
from .evaluate import outcome_points
from .models import Count, CriteriaVersion, Percentage, Rate, Survey, YesNo


@dataclass
class Gap:
    criterion: str
    component: str
    indicator: str
    current: object
    target: object
    change: str
    points_added: int
    message: str


@dataclass
class Plan:
    reaches_threshold: bool
    points_needed: int
    steps: list[Gap] = field(default_factory=list)
    points_added: int = 0
    message: str = ""


def _index(outcome: str) -> int | None:
    return int(outcome.split(":")[1]) if outcome.startswith("band:") else None


def _options(crit_code: str, comp, outcome: str, values: dict) -> list[tuple[int, Gap]]:
    """Every better outcome reachable by changing one indicator: (steps, gap), nearest first."""
    current = outcome_points(comp, outcome)
    if isinstance(comp, YesNo):
        if outcome == "yes":
            return []
        gap = Gap(crit_code, comp.id, comp.indicator, False, True, "set",
                  comp.points, f"{comp.indicator}: chuyển sang «có» → +{comp.points} điểm")
        return [(1, gap)]
    index = _index(outcome)
    if index is None:  # denominator zero: nothing to improve by changing counts
        return []
    out = []
    for target in range(index - 1, -1, -1):
        band = comp.bands[target]
        added = band.points - current
        if added <= 0:
            continue
        gap = _target(crit_code, comp, band, values, added)
        if gap is not None:
            out.append((index - target, gap))
    return out


def _target(crit_code: str, comp, band, values: dict, added: int) -> Gap | None:
    where = band_range(comp.kind, band)
    if isinstance(comp, Percentage):
        den = values[comp.denominator]
        need = math.ceil(Fraction(band.min) * den / 100) if band.min is not None else 0
        if need > den:
            return None
        code, now, change, verb = comp.numerator, values[comp.numerator], "at_least", "tăng lên ít nhất"
    elif isinstance(comp, Rate):
        pop = values[comp.population]
        need = math.floor(Fraction(band.max) * pop / comp.per)
        code, now, change, verb = comp.cases, values[comp.cases], "at_most", "giảm xuống tối đa"
    elif isinstance(comp, Count):
        need = math.floor(Fraction(band.max))
        code, now, change, verb = comp.count, values[comp.count], "at_most", "giảm xuống tối đa"
    elif isinstance(comp, Survey):
        need = band.min
        code, now, change, verb = comp.score, values[comp.score], "at_least", "tăng lên ít nhất"
    else:
        return None
    if need is None or need < 0:
        return None
    shown = need if not hasattr(need, "normalize") else format(need.normalize(), "f").replace(".", ",")
    message = f"{code}: {verb} {shown} ({where}) → +{added} điểm"
    return Gap(crit_code, comp.id, code, _plain(now), _plain(need), change, added, message)


def _plain(value):
    if hasattr(value, "to_integral_value"):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def find_gaps(version: CriteriaVersion, values: dict, found: dict[str, str]) -> list[Gap]:
    """For each component below its maximum, the value that reaches the next better band."""
    gaps = []
    for crit in version.criteria:
        for comp in crit.components:
            options = _options(crit.code, comp, found[f"{crit.code}/{comp.id}"], values)
            if options:
                gaps.append(options[0][1])
    return gaps


def plan_improvements(version: CriteriaVersion, values: dict, found: dict[str, str], threshold: int) -> Plan:
    """The fewest band steps that meet every condition; ties go to the smaller change in points."""
    conditions = set(version.recognition.conditions)
    total = 0
    per_criterion = []
    for crit in version.criteria:
        choices = []
        base = 0
        for comp in crit.components:
            outcome = found[f"{crit.code}/{comp.id}"]
            base += outcome_points(comp, outcome)
            choices.append([(0, None)] + _options(crit.code, comp, outcome, values))
        total += base
        floor = max(crit.met_at if "all_criteria_met" in conditions else 0,
                    1 if "no_criterion_zero" in conditions else 0)
        best: dict[int, tuple[int, list[Gap]]] = {}
        for combo in itertools.product(*choices):
            gain = sum(g.points_added for _, g in combo if g)
            if base + gain < floor:
                continue
            cost = sum(s for s, _ in combo)
            if gain not in best or cost < best[gain][0]:
                best[gain] = (cost, [g for _, g in combo if g])
        per_criterion.append(best)
    need = max(0, threshold - total) if "total_reaches_threshold" in conditions else 0
    # knapsack over criteria: state = points gained (capped at need) → (steps, gained, chosen gaps)
    states: dict[int, tuple[int, int, list[Gap]]] = {0: (0, 0, [])}
    for best in per_criterion:
        nxt: dict[int, tuple[int, int, list[Gap]]] = {}
        if not best:  # the criterion cannot reach its floor at all
            states = {}
            break
        for have, (cost, gained, steps) in states.items():
            for gain, (c, gaps) in best.items():
                key = min(need, have + gain)
                cand = (cost + c, gained + gain, steps + gaps)
                if key not in nxt or cand[:2] < nxt[key][:2]:
                    nxt[key] = cand
        states = nxt
    if need in states:
        cost, gained, steps = states[need]
        if not steps:
            return Plan(True, 0, [], 0, "đã đáp ứng mọi điều kiện công nhận")
        message = f"cần thêm {need} điểm; cách ít bước nhất ({cost} bước, +{gained} điểm): " + "; ".join(
            s.message for s in steps
        )
        return Plan(True, need, steps, gained, message)
    return Plan(False, need, [], 0, "không thể đạt điều kiện công nhận chỉ bằng cải thiện các chỉ số")
