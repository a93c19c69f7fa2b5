"""Gap analysis: what a commune must improve, one component at a time.

For each component below its maximum, ``find_gaps`` gives the value that reaches the next better band and the
points it adds. ``component_moves`` gives every better outcome of each component reachable by changing one
indicator (a ``Move``); ``engine.plan`` chooses the cheapest set of them that reaches recognition. A move
becomes a ``Gap`` (with its Vietnamese message) only when it is shown. A component's moves depend on its input
values only: those of one set of values are made once and shared (``engine.tables``), as is the Gap of a move
(``gap_of``).
"""

from __future__ import annotations

from typing import NamedTuple

from .evaluate import outcome_points
from .models import CriteriaVersion, YesNo
from .numbers import format_number, format_points
from .outcome import Outcome
from .result import Gap, construct
from .tables import answer_keys, remember, tables

__all__ = ["Gap", "Move", "Shape", "component_moves", "find_gaps", "gap_of", "moves_and_shapes"]


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


Moves = dict[str, tuple[Move, ...]]  # component key ("TC07/immunisation") → its moves, nearest first
_VERBS = {"at_least": "tăng lên ít nhất", "at_most": "giảm xuống tối đa"}
TOTAL_REACHED = "tổng điểm đã đạt ngưỡng nhưng còn điều kiện chưa đáp ứng"  # a plan's opening when need is 0


def component_moves(version: CriteriaVersion, values: dict, found: dict[str, Outcome],
                    keys: dict[str, tuple] | None = None) -> Moves:
    """Every component's moves, nearest first. They depend on the component's input values only (its outcome
    is a function of them), so the moves of one set of them are made once and shared (``engine.tables``)."""
    keys = keys if keys is not None else answer_keys(version, values)
    return moves_and_shapes(version, values, found, keys)[0]


Shape = tuple[int, tuple[tuple[int, int], ...]]  # a component's points now, and (steps, points added) of its moves


def moves_and_shapes(version: CriteriaVersion, values: dict, found: dict[str, Outcome],
                     keys: dict[str, tuple]) -> tuple[Moves, dict[str, Shape]]:
    """Every component's moves, and its shape: all a criterion's options in the plan depend on."""
    moves: Moves = {}
    shapes: dict[str, Shape] = {}
    for crit in tables(version).criteria:
        code = crit.crit.code
        for comp in crit.components:
            key = keys[comp.key]
            made = comp.moves.get(key)
            if made is None:
                better = tuple(_moves(code, comp, found[comp.key], values))
                shape = (outcome_points(comp.comp, found[comp.key]), tuple([(m.steps, m.added) for m in better]))
                made = remember(comp.moves, key, (better, shape))
            moves[comp.key], shapes[comp.key] = made
    return moves, shapes


_GAPS: dict[Move, Gap] = {}  # a move → its Gap (a Gap depends on the move's fields only), at most KEEP


def gap_of(move: Move) -> Gap:
    """The Gap of a move, made once per move and shared (Gaps are frozen)."""
    made = _GAPS.get(move)
    if made is None:
        made = remember(_GAPS, move, to_gap(move))
    return made


def to_gap(move: Move) -> Gap:
    if move.shown is None:
        message = f"{move.indicator}: chuyển sang «có» → +{format_points(move.added)}"
    else:
        message = (f"{move.indicator}: {_VERBS[move.change]} {format_number(move.target)} "
                   f"({move.shown}) → +{format_points(move.added)}")
    return construct(Gap, {"criterion": move.criterion, "component": move.component, "indicator": move.indicator,
                           "current": _plain(move.current), "target": _plain(move.target), "change": move.change,
                           "points_added": move.added, "message": message})


def _moves(crit_code: str, table, outcome: Outcome, values: dict) -> list[Move]:
    """Every better outcome of a component (``table``: its ``engine.tables.Component``) reachable by changing
    one indicator, nearest first."""
    comp = table.comp
    if isinstance(comp, YesNo):
        if outcome.kind == "yes":
            return []
        return [Move(1, comp.points, crit_code, comp.id, comp.kind, comp.indicator, False, True, "set", None)]
    index = outcome.band
    if index is None:  # denominator zero: nothing to improve by changing counts
        return []
    points = table.band_points
    current = points[index]
    out = []
    for target in range(index - 1, -1, -1):
        added = points[target] - current
        if added <= 0:
            continue
        reach = _target(comp, target, table.band_edges[target], values)
        if reach is not None:
            code, need, change = reach
            out.append(Move(index - target, added, crit_code, comp.id, comp.kind, code, values[code], need,
                            change, table.band_matched[target]))
    return out


def _target(comp, band: int, edges: tuple, values: dict) -> tuple[str, object, str] | None:
    """(indicator, value to reach, at_least | at_most) that puts the component in band ``band``, whose edges
    (min, max, each p/q or None) are ``edges``; None if none."""
    # in whole numbers: an edge p/q, ceil(p/q * den / 100) = -(-p * den // (q * 100)); the same as in fractions
    kind = comp.kind
    if kind == "percentage":
        den = values[comp.denominator]
        if edges[0] is not None:
            p, q = edges[0]
            need = -(-p * den // (q * 100))
        else:
            need = 0
        if need > den or (edges[1] is not None and need * 100 * edges[1][1] >= edges[1][0] * den):
            return None  # beyond the denominator, or a band no whole numerator reaches (it lands above)
        code, change = comp.numerator, "at_least"
    elif kind == "rate":  # a better band of a rate or count always has a max (only the worst has none)
        p, q = edges[1]
        population = values[comp.population]
        need = p * population // (q * comp.per)
        if edges[0] is not None and need * comp.per * edges[0][1] <= edges[0][0] * population:
            return None  # no whole number of cases gives a rate in this band: the most it allows lands below
        code, change = comp.cases, "at_most"
    elif kind == "count":
        p, q = edges[1]
        need = p // q
        if edges[0] is not None and need * edges[0][1] <= edges[0][0]:
            return None  # no whole count in this band
        code, change = comp.count, "at_most"
    elif kind == "survey":
        need = comp.bands[band].min
        code, change = comp.score, "at_least"
    else:
        return None
    if need is None or need < 0:
        return None
    return code, need, change


def _plain(value):
    if type(value) is int:
        return value
    if hasattr(value, "to_integral_value"):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def find_gaps(moves: Moves) -> list[Gap]:
    """For each component below its maximum, the value that reaches the next better band."""
    return [gap_of(better[0]) for better in moves.values() if better]
