"""Gap analysis: what a commune must improve, and the cheapest set of improvements that reaches recognition.

For each component below its maximum, ``find_gaps`` gives the value that reaches the next better band and the
points it adds. ``plan_improvements`` chooses, across all components, the set of band moves with the fewest
steps (one step = one band up; a yes/no item is one step) that lifts every criterion to its ``met_at`` and above
zero and the total to the category's threshold. It is an exact search (a knapsack over criteria).

``improvements`` does both from one computation of every component's moves (``component_moves``); a move
becomes a ``Gap`` (with its Vietnamese message) only when it is shown.
"""

from __future__ import annotations

import functools
import itertools
from operator import itemgetter
from typing import NamedTuple

from .checks import band_range
from .evaluate import exact, outcome_points
from .loader import fingerprint
from .models import Band, Count, CriteriaVersion, Percentage, Rate, Survey, YesNo
from .numbers import format_number, format_points
from .outcome import NO, Outcome
from .result import Gap, Plan, construct
from .tables import tables

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
    shown: str | None  # the range of the band reached, as shown (``band_range``); None for a yes/no item


Moves = dict[str, list[Move]]  # component key ("TC07/immunisation") → its moves, nearest first
_VERBS = {"at_least": "tăng lên ít nhất", "at_most": "giảm xuống tối đa"}
_STEPS, _POINTS = itemgetter(0), itemgetter(1)


def improvements(version: CriteriaVersion, values: dict, found: dict[str, Outcome],
                 threshold: int) -> tuple[list[Gap], Plan]:
    """The gaps and the plan, from one computation of the moves (a move shown twice is one Gap; the move and
    the Gap of a yes/no item depend on the version only and are made once)."""
    moves = component_moves(version, values, found)
    made: dict[int, Gap] = _constant_gaps(version)

    def gap(move: Move) -> Gap:
        if id(move) not in made:
            made[id(move)] = to_gap(move)
        return made[id(move)]

    return find_gaps(moves, gap), plan_improvements(version, found, threshold, moves, gap)


def component_moves(version: CriteriaVersion, values: dict, found: dict[str, Outcome]) -> Moves:
    out: Moves = {}
    yes_moves = _yes_no(version)[0]
    for crit in tables(version).criteria:
        code = crit.crit.code
        for comp in crit.components:
            outcome = found[comp.key]
            if outcome == NO:  # a yes/no item answered no: its one move, made once per version
                out[comp.key] = yes_moves[comp.key]
            else:
                out[comp.key] = _moves(code, comp.comp, outcome, values, comp.band_matched)
    return out


_YES_NO: dict[str, tuple[Moves, dict[int, Gap]]] = {}  # fingerprint → (key → moves, id(move) → Gap)


def _yes_no(version: CriteriaVersion) -> tuple[Moves, dict[int, Gap]]:
    """The move of every yes/no item answered no, and its Gap: they depend on the version only."""
    fp = fingerprint(version)
    found = _YES_NO.get(fp)
    if found is None:
        if len(_YES_NO) > 64:
            _YES_NO.clear()
        moves: Moves = {}
        for crit in version.criteria:
            for comp in crit.components:
                if isinstance(comp, YesNo):
                    moves[f"{crit.code}/{comp.id}"] = _moves(crit.code, comp, NO, {})
        found = _YES_NO[fp] = (moves, {id(m[0]): to_gap(m[0]) for m in moves.values()})
    return found


def _constant_gaps(version: CriteriaVersion) -> dict[int, Gap]:
    """id(move) → Gap of every yes/no item's move, a copy for one scoring to add its other gaps to."""
    return dict(_yes_no(version)[1])


def to_gap(move: Move) -> Gap:
    if move.shown is None:
        message = f"{move.indicator}: chuyển sang «có» → +{format_points(move.added)}"
    else:
        message = (f"{move.indicator}: {_VERBS[move.change]} {format_number(move.target)} "
                   f"({move.shown}) → +{format_points(move.added)}")
    return construct(Gap, {"criterion": move.criterion, "component": move.component, "indicator": move.indicator,
                           "current": _plain(move.current), "target": _plain(move.target), "change": move.change,
                           "points_added": move.added, "message": message})


def _moves(crit_code: str, comp, outcome: Outcome, values: dict, shown: tuple[str, ...] = ()) -> list[Move]:
    """Every better outcome reachable by changing one indicator, nearest first; ``shown``: each band's range
    as shown (``engine.tables``)."""
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
                            change, shown[target] if shown else band_range(comp.kind, band)))
    return out


def _target(comp, band: Band, values: dict) -> tuple[str, object, str] | None:
    """(indicator, value to reach, at_least | at_most) that puts the component in ``band``; None if none."""
    # in whole numbers: an edge p/q, ceil(p/q * den / 100) = -(-p * den // (q * 100)); the same as in fractions
    if isinstance(comp, Percentage):
        den = values[comp.denominator]
        if band.min is not None:
            p, q = _ratio(band.min)
            need = -(-p * den // (q * 100))
        else:
            need = 0
        if need > den:
            return None
        code, change = comp.numerator, "at_least"
    elif isinstance(comp, Rate):  # a better band of a rate or count always has a max (only the worst has none)
        p, q = _ratio(band.max)
        need = p * values[comp.population] // (q * comp.per)
        code, change = comp.cases, "at_most"
    elif isinstance(comp, Count):
        p, q = _ratio(band.max)
        need = p // q
        code, change = comp.count, "at_most"
    elif isinstance(comp, Survey):
        need = band.min
        code, change = comp.score, "at_least"
    else:
        return None
    if need is None or need < 0:
        return None
    return code, need, change


@functools.lru_cache(maxsize=4096)
def _ratio(edge) -> tuple[int, int]:
    """A band edge (Decimal) as (numerator, denominator) in lowest terms."""
    return exact(edge).as_integer_ratio()


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
    yes_moves = _yes_no(version)[0]
    if len(_ANSWERED) > 64:
        _ANSWERED.clear()
    answered = _ANSWERED.setdefault(fingerprint(version), {})
    for crit in tables(version).criteria:
        base = sum(outcome_points(c.comp, found[c.key]) for c in crit.components)
        total += base
        floor = max(crit.crit.met_at if "all_criteria_met" in conditions else 0,
                    1 if "no_criterion_zero" in conditions else 0)
        if crit.yes_no_only and all(moves[c.key] is yes_moves[c.key] if found[c.key] == NO else not moves[c.key]
                                    for c in crit.components):
            # yes/no items with their own moves: the options depend on the answers only, made once
            key = (crit.crit.code, floor, *(found[c.key] for c in crit.components))
            best = answered.get(key)
            if best is None:
                best = answered[key] = _options(crit, moves, base, floor)
        else:
            best = _options(crit, moves, base, floor)
        per_criterion.append(best)
    need = max(0, threshold - total) if "total_reaches_threshold" in conditions else 0
    return _cheapest(per_criterion, need, gap)


_ANSWERED: dict[str, dict[tuple, dict[int, tuple[int, list[Move]]]]] = {}  # fingerprint → options of yes/no


def _options(crit, moves: Moves, base: int, floor: int) -> dict[int, tuple[int, list[Move]]]:
    """Points gained → (fewest steps, the moves) of one criterion, for every gain that keeps it at ``floor``
    or above."""
    best: dict[int, tuple[int, list[Move]]] = {}
    if len(crit.components) == 1:  # the loop below for one component: stay, then each move
        if base >= floor:
            best[0] = (0, [])
        for m in moves[crit.components[0].key]:
            if base + m.added >= floor and (m.added not in best or m.steps < best[m.added][0]):
                best[m.added] = (m.steps, [m])
        return best
    stay = (0, 0, None)  # (steps, points, move): the component as it is
    choices = [[stay, *((m.steps, m.added, m) for m in moves[c.key])] for c in crit.components]
    for combo in itertools.product(*choices):
        gain = sum(map(_POINTS, combo))
        if base + gain < floor:
            continue
        cost = sum(map(_STEPS, combo))
        if gain not in best or cost < best[gain][0]:
            best[gain] = (cost, [c[2] for c in combo if c[2] is not None])
    return best


def _cheapest(per_criterion: list[dict[int, tuple[int, list[Move]]]], need: int, gap) -> Plan:
    """Knapsack over criteria: state = points gained (capped at need) → (steps, gained, chosen moves), the
    moves kept as a chain (earlier chain, this criterion's moves) and listed once at the end.

    Below ``need`` a state's points gained are its key (nothing was capped), so two ways to the same key gain
    the same and only fewer steps replace the first found; at ``need`` fewer steps, then fewer points win."""
    states: dict[int, tuple[int, int, tuple | None]] = {0: (0, 0, None)}
    # the most points the criteria after each one can still add: a state that cannot reach the need with them
    # is dropped (so are all its successors, and no state that can reach the need comes from it: the order in
    # which the others are found, which decides ties, is unchanged)
    most = [max(best, default=0) for best in per_criterion]
    still = [sum(most[i + 1:]) for i in range(len(most))]
    for i, best in enumerate(per_criterion):
        nxt: dict[int, tuple[int, int, tuple | None]] = {}
        if not best:  # the criterion cannot reach its floor at all
            states = {}
            break
        options = [(gain, c, moves) for gain, (c, moves) in best.items()]
        lowest = need - still[i]  # the least a state must have after this criterion
        get = nxt.get
        for have, (cost, gained, chain) in states.items():
            room = need - have
            for gain, c, moves in options:
                steps = cost + c
                if gain < room:  # gains are never negative: have < need, so gained == have
                    key = have + gain
                    if key < lowest:
                        continue
                    old = get(key)
                    if old is None or steps < old[0]:
                        nxt[key] = (steps, key, (chain, moves))
                else:
                    old = get(need)
                    if old is None or steps < old[0] or (steps == old[0] and gained + gain < old[1]):
                        nxt[need] = (steps, gained + gain, (chain, moves))
        states = nxt
    if need not in states:
        return construct(Plan, {"reaches_threshold": False, "points_needed": need, "steps": [], "points_added": 0,
                                "message": "không thể đạt điều kiện công nhận chỉ bằng cải thiện các chỉ số"})
    cost, gained, chain = states[need]
    parts = []
    while chain is not None:
        chain, moves = chain
        parts.append(moves)
    chosen = [m for moves in reversed(parts) for m in moves]
    if not chosen:
        return construct(Plan, {"reaches_threshold": True, "points_needed": 0, "steps": [], "points_added": 0,
                                "message": "đã đáp ứng mọi điều kiện công nhận"})
    steps = [gap(m) for m in chosen]
    message = (f"cần thêm {format_points(need)}; cách ít bước nhất ({cost} bước, +{format_points(gained)}): "
               + "; ".join(s.message for s in steps))
    return construct(Plan, {"reaches_threshold": True, "points_needed": need, "steps": steps, "points_added": gained,
                            "message": message})
