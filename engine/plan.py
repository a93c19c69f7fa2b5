"""The plan: the cheapest set of improvements that reaches recognition (a knapsack over criteria).

``plan_improvements`` chooses, across all components, the set of band moves (``engine.gaps.Move``) with the fewest
steps (one step = one band up; a yes/no item is one step) that lifts every criterion to its ``met_at`` and above
zero and the total to the category's threshold; ties go to the smaller change in points, then to the first
found. It is an exact search. ``improvements`` gives the gaps and the plan from one computation of the moves.

A criterion's options depend on its components' shapes only (the points each has now, the steps and points of
each move): they are made once per shape and shared (``engine.tables``), and few shapes exist.
"""

from __future__ import annotations

import itertools
from operator import itemgetter
from typing import NamedTuple

from .evaluate import outcome_points
from .gaps import TOTAL_REACHED, Move, Moves, Shape, find_gaps, gap_of, moves_and_shapes
from .models import CriteriaVersion
from .numbers import format_points
from .outcome import Outcome
from .result import Gap, Plan, construct
from .tables import answer_keys, remember, tables

__all__ = ["Plan", "improvements", "plan_improvements"]
_STEPS, _POINTS = itemgetter(0), itemgetter(1)


def improvements(version: CriteriaVersion, values: dict, found: dict[str, Outcome], threshold: int,
                 keys: dict[str, tuple] | None = None) -> tuple[list[Gap], Plan]:
    """The gaps and the plan, from one computation of the moves. ``keys``: each component's input values
    (``engine.tables.answer_keys``), when the caller has them."""
    keys = keys if keys is not None else answer_keys(version, values)
    moves, shapes = moves_and_shapes(version, values, found, keys)
    return find_gaps(moves), _plan(version, threshold, moves, shapes)


def plan_improvements(version: CriteriaVersion, found: dict[str, Outcome], threshold: int, moves: Moves) -> Plan:
    """The fewest band steps that meet every condition; ties go to the smaller change in points. ``found``: the
    outcomes ``moves`` were made from (``engine.gaps.component_moves``)."""
    points = {c.key: outcome_points(c.comp, found[c.key]) for c in tables(version).components.values()}
    shapes = {key: (points[key], tuple([(m.steps, m.added) for m in better])) for key, better in moves.items()}
    return _plan(version, threshold, moves, shapes)


def _plan(version: CriteriaVersion, threshold: int, moves: Moves, shapes: dict[str, Shape]) -> Plan:
    """``plan_improvements`` from the components' moves and shapes. A criterion's options depend on its
    components' shapes only, so they are made once per shape and shared (few shapes exist: a band, and which
    better bands a whole number reaches)."""
    total = 0
    per_criterion = []
    movelists = []
    for crit in tables(version).criteria:
        shape = crit.pick(shapes)
        made = crit.options.get(shape)
        if made is None:
            made = remember(crit.options, shape, _criterion_options(crit, shape))
        total += made[0]
        per_criterion.append(made)
        movelists.append(crit.pick(moves))
    conditions = version.recognition.conditions
    need = max(0, threshold - total) if "total_reaches_threshold" in conditions else 0
    return _cheapest(per_criterion, need, movelists)


class _Choices(NamedTuple):
    """A criterion in the plan: its points now, its options (points gained, fewest steps, the moves as
    (component, move) positions), in the order they were found, and the most points an option gains."""

    base: int
    options: tuple[tuple[int, int, tuple[tuple[int, int], ...]], ...]
    most: int


def _criterion_options(crit, shape: tuple[Shape, ...]) -> _Choices:
    base = sum([points for points, _ in shape])
    best = _options(shape, base, crit.floor)
    return _Choices(base, tuple((gain, c, chosen) for gain, (c, chosen) in best.items()), max(best, default=0))


def _options(shape: tuple[Shape, ...], base: int, floor: int) -> dict[int, tuple[int, tuple[tuple[int, int], ...]]]:
    """Points gained → (fewest steps, the moves as (component, move) positions) of one criterion, for every
    gain that keeps it at ``floor`` or above."""
    best: dict[int, tuple[int, tuple[tuple[int, int], ...]]] = {}
    if len(shape) == 1:  # the loop below for one component: stay, then each move
        if base >= floor:
            best[0] = (0, ())
        for i, (steps, added) in enumerate(shape[0][1]):
            if base + added >= floor and (added not in best or steps < best[added][0]):
                best[added] = (steps, ((0, i),))
        return best
    stay = (0, 0, None)  # (steps, points, position): the component as it is
    choices = [[stay, *((steps, added, (n, i)) for i, (steps, added) in enumerate(moves))]
               for n, (_points, moves) in enumerate(shape)]
    for combo in itertools.product(*choices):
        gain = sum(map(_POINTS, combo))
        if base + gain < floor:
            continue
        cost = sum(map(_STEPS, combo))
        if gain not in best or cost < best[gain][0]:
            best[gain] = (cost, tuple([c[2] for c in combo if c[2] is not None]))
    return best


def _cheapest(per_criterion: list[_Choices], need: int, movelists: list[tuple[tuple[Move, ...], ...]]) -> Plan:
    """Knapsack over criteria: state = points gained (capped at need) → (steps, gained, chosen moves), the
    moves kept as a chain (earlier chain, this criterion, its moves' positions) and listed once at the end.

    Below ``need`` a state's points gained are its key (nothing was capped), so two ways to the same key gain
    the same and only fewer steps replace the first found; at ``need`` fewer steps, then fewer points win."""
    states: dict[int, tuple[int, int, tuple | None]] = {0: (0, 0, None)}
    # the most points the criteria after each one can still add: a state that cannot reach the need with them
    # is dropped (so are all its successors, and no state that can reach the need comes from it: the order in
    # which the others are found, which decides ties, is unchanged)
    still = sum(choices.most for choices in per_criterion)
    for n, choices in enumerate(per_criterion):
        options = choices.options
        if not options:  # the criterion cannot reach its floor at all
            states = {}
            break
        still -= choices.most
        if len(options) == 1 and options[0][:2] == (0, 0):  # only "stay as it is", at no cost: every state stays
            continue  # (its key was already at least ``lowest``, which this criterion leaves unchanged)
        lowest = need - still  # the least a state must have after this criterion
        nxt: dict[int, tuple[int, int, tuple | None]] = {}
        get = nxt.get
        for have, (cost, gained, chain) in states.items():
            room = need - have
            for gain, c, picks in options:
                steps = cost + c
                if gain < room:  # gains are never negative: have < need, so gained == have
                    key = have + gain
                    if key < lowest:
                        continue
                    old = get(key)
                    if old is None or steps < old[0]:
                        nxt[key] = (steps, key, (chain, n, picks))
                else:
                    old = get(need)
                    if old is None or steps < old[0] or (steps == old[0] and gained + gain < old[1]):
                        nxt[need] = (steps, gained + gain, (chain, n, picks))
        states = nxt
    if need not in states:
        return construct(Plan, {"reaches_threshold": False, "points_needed": need, "steps": [], "points_added": 0,
                                "message": "không thể đạt điều kiện công nhận chỉ bằng cải thiện các chỉ số"})
    cost, gained, chain = states[need]
    parts = []
    while chain is not None:
        chain, n, picks = chain
        parts.append([movelists[n][comp][move] for comp, move in picks])
    chosen = [m for moves in reversed(parts) for m in moves]
    if not chosen:
        return construct(Plan, {"reaches_threshold": True, "points_needed": 0, "steps": [], "points_added": 0,
                                "message": "đã đáp ứng mọi điều kiện công nhận"})
    steps = [gap_of(m) for m in chosen]
    way = f"cách ít bước nhất ({cost} bước, +{format_points(gained)}): " + "; ".join(s.message for s in steps)
    # need 0: the total already reaches the threshold; the steps lift the criteria still below their floor
    message = f"cần thêm {format_points(need)}; {way}" if need else f"{TOTAL_REACHED}; {way}"
    return construct(Plan, {"reaches_threshold": True, "points_needed": need, "steps": steps, "points_added": gained,
                            "message": message})
