"""Gap analysis: what a commune must improve, and the cheapest set of improvements that reaches recognition.

For each component below its maximum, ``find_gaps`` gives the value that reaches the next better band and the
points it adds. ``plan_improvements`` chooses, across all components, the set of band moves with the fewest
steps (one step = one band up; a yes/no item is one step) that lifts every criterion to its ``met_at`` and above
zero and the total to the category's threshold. It is an exact search (a knapsack over criteria).

``improvements`` does both from one computation of every component's moves (``component_moves``); a move
becomes a ``Gap`` (with its Vietnamese message) only when it is shown.
"""

from __future__ import annotations

import itertools
import math
from operator import itemgetter
from typing import NamedTuple

from .checks import band_range
from .evaluate import exact, outcome_points
from .models import Band, Count, CriteriaVersion, Percentage, Rate, Survey, YesNo
from .numbers import format_number, format_points
from .outcome import Outcome
from .result import Gap, Plan

__all__ = ["Gap", "Move", "Plan", "component_moves", "find_gaps", "improvements", "plan_improvements"]


class Move(NamedTuple):
    """One better outcome of a component, reached by changing one indicator."""

    steps: int  # bands gained (a yes/no item: 1)
    added: int  # points gained
    criterion: str
    component: str
    kind: str
    indicator: str
    current: object
    target: object  # the value to reach (True for a yes/no item)
    change: str  # set | at_least | at_most
    band: Band | None  # the band reached (None for a yes/no item)


Moves = dict[str, list[Move]]  # component key ("TC07/immunisation") → its moves, nearest first
_VERBS = {"at_least": "tăng lên ít nhất", "at_most": "giảm xuống tối đa"}
_STEPS, _POINTS = itemgetter(0), itemgetter(1)


def improvements(version: CriteriaVersion, values: dict, found: dict[str, Outcome],
                 threshold: int) -> tuple[list[Gap], Plan]:
    """The gaps and the plan, from one computation of the moves (a move shown twice is one Gap)."""
    moves = component_moves(version, values, found)
    made: dict[int, Gap] = {}

    def gap(move: Move) -> Gap:
        if id(move) not in made:
            made[id(move)] = to_gap(move)
        return made[id(move)]

    return find_gaps(moves, gap), plan_improvements(version, found, threshold, moves, gap)


def component_moves(version: CriteriaVersion, values: dict, found: dict[str, Outcome]) -> Moves:
    out: Moves = {}
    for crit in version.criteria:
        for comp in crit.components:
            key = f"{crit.code}/{comp.id}"
            out[key] = _moves(crit.code, comp, found[key], values)
    return out


def to_gap(move: Move) -> Gap:
    if move.band is None:
        message = f"{move.indicator}: chuyển sang «có» → +{format_points(move.added)}"
    else:
        message = (f"{move.indicator}: {_VERBS[move.change]} {format_number(move.target)} "
                   f"({band_range(move.kind, move.band)}) → +{format_points(move.added)}")
    return Gap(criterion=move.criterion, component=move.component, indicator=move.indicator,
               current=_plain(move.current), target=_plain(move.target), change=move.change,
               points_added=move.added, message=message)


def _moves(crit_code: str, comp, outcome: Outcome, values: dict) -> list[Move]:
    """Every better outcome reachable by changing one indicator, nearest first."""
    if isinstance(comp, YesNo):
        if outcome.kind == "yes":
            return []
        return [Move(1, comp.points, crit_code, comp.id, comp.kind, comp.indicator, False, True, "set", None)]
    index = outcome.band
    if index is None:  # denominator zero: nothing to improve by changing counts
        return []
    current = outcome_points(comp, outcome)
    out = []
    for target in range(index - 1, -1, -1):
        band = comp.bands[target]
        added = band.points - current
        if added <= 0:
            continue
        reach = _target(comp, band, values)
        if reach is not None:
            code, need, change = reach
            out.append(Move(index - target, added, crit_code, comp.id, comp.kind, code, values[code], need,
                            change, band))
    return out


def _target(comp, band: Band, values: dict) -> tuple[str, object, str] | None:
    """(indicator, value to reach, at_least | at_most) that puts the component in ``band``; None if none."""
    if isinstance(comp, Percentage):
        den = values[comp.denominator]
        need = math.ceil(exact(band.min) * den / 100) if band.min is not None else 0
        if need > den:
            return None
        code, change = comp.numerator, "at_least"
    elif isinstance(comp, Rate):
        need = math.floor(exact(band.max) * values[comp.population] / comp.per)
        code, change = comp.cases, "at_most"
    elif isinstance(comp, Count):
        need = math.floor(exact(band.max))
        code, change = comp.count, "at_most"
    elif isinstance(comp, Survey):
        need = band.min
        code, change = comp.score, "at_least"
    else:
        return None
    if need is None or need < 0:
        return None
    return code, need, change


def _plain(value):
    if hasattr(value, "to_integral_value"):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def find_gaps(moves: Moves, gap=to_gap) -> list[Gap]:
    """For each component below its maximum, the value that reaches the next better band."""
    return [gap(better[0]) for better in moves.values() if better]


def plan_improvements(version: CriteriaVersion, found: dict[str, Outcome], threshold: int, moves: Moves,
                      gap=to_gap) -> Plan:
    """The fewest band steps that meet every condition; ties go to the smaller change in points."""
    conditions = set(version.recognition.conditions)
    total = 0
    per_criterion = []
    stay = (0, 0, None)  # (steps, points, move): the component as it is
    for crit in version.criteria:
        choices = []
        base = 0
        for comp in crit.components:
            key = f"{crit.code}/{comp.id}"
            base += outcome_points(comp, found[key])
            choices.append([stay, *((m.steps, m.added, m) for m in moves[key])])
        total += base
        floor = max(crit.met_at if "all_criteria_met" in conditions else 0,
                    1 if "no_criterion_zero" in conditions else 0)
        best: dict[int, tuple[int, list[Move]]] = {}
        for combo in itertools.product(*choices):
            gain = sum(map(_POINTS, combo))
            if base + gain < floor:
                continue
            cost = sum(map(_STEPS, combo))
            if gain not in best or cost < best[gain][0]:
                best[gain] = (cost, [c[2] for c in combo if c[2] is not None])
        per_criterion.append(best)
    need = max(0, threshold - total) if "total_reaches_threshold" in conditions else 0
    return _cheapest(per_criterion, need, gap)


def _cheapest(per_criterion: list[dict[int, tuple[int, list[Move]]]], need: int, gap) -> Plan:
    """Knapsack over criteria: state = points gained (capped at need) → (steps, gained, chosen moves), the
    moves kept as a chain (earlier chain, this criterion's moves) and listed once at the end."""
    states: dict[int, tuple[int, int, tuple | None]] = {0: (0, 0, None)}
    for best in per_criterion:
        nxt: dict[int, tuple[int, int, tuple | None]] = {}
        if not best:  # the criterion cannot reach its floor at all
            states = {}
            break
        options = [(gain, c, moves) for gain, (c, moves) in best.items()]
        for have, (cost, gained, chain) in states.items():
            room = need - have
            for gain, c, moves in options:
                key = have + gain if gain < room else need
                old = nxt.get(key)
                steps = cost + c
                if old is None or steps < old[0] or (steps == old[0] and gained + gain < old[1]):
                    nxt[key] = (steps, gained + gain, (chain, moves))
        states = nxt
    if need not in states:
        return Plan(reaches_threshold=False, points_needed=need,
                    message="không thể đạt điều kiện công nhận chỉ bằng cải thiện các chỉ số")
    cost, gained, chain = states[need]
    parts = []
    while chain is not None:
        chain, moves = chain
        parts.append(moves)
    chosen = [m for moves in reversed(parts) for m in moves]
    if not chosen:
        return Plan(reaches_threshold=True, points_needed=0, message="đã đáp ứng mọi điều kiện công nhận")
    steps = [gap(m) for m in chosen]
    message = (f"cần thêm {format_points(need)}; cách ít bước nhất ({cost} bước, +{format_points(gained)}): "
               + "; ".join(s.message for s in steps))
    return Plan(reaches_threshold=True, points_needed=need, steps=steps, points_added=gained, message=message)
