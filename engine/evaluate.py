"""The independent evaluator: pure functions in exact arithmetic (fractions), no I/O, no durable-rules.

It is compiled from the same validated criteria as the rules and checks every durable-rules result; with
the engine mode ``python`` it is the only evaluator. A component's outcome is an ``engine.outcome.Outcome``:
yes, no, empty (denominator zero) or band N (the index of the matched band).
"""

from __future__ import annotations

import functools
from fractions import Fraction

from .models import HIGHER_IS_BETTER, Band, Count, CriteriaVersion, Percentage, Rate, Survey, YesNo
from .outcome import EMPTY, NO, YES, Outcome, band_outcome


def measured(component, values: dict) -> Fraction | None:
    """The value a component's bands are tested on (percent, rate per N, count, score); None when empty."""
    if isinstance(component, Percentage):
        num, den = values[component.numerator], values[component.denominator]
        return None if den == 0 else Fraction(num * 100, den)
    if isinstance(component, Rate):
        cases, pop = values[component.cases], values[component.population]
        return None if pop == 0 else Fraction(cases * component.per, pop)
    if isinstance(component, Count):
        return Fraction(values[component.count])
    if isinstance(component, Survey):
        return Fraction(values[component.score])
    raise TypeError(f"no measured value for {component.kind}")


@functools.lru_cache(maxsize=4096)
def exact(edge) -> Fraction:
    """A band edge (Decimal) as a Fraction; the few edges of a version are converted once."""
    return Fraction(edge)


def in_band(kind: str, band: Band, value: Fraction) -> bool:
    """Higher-is-better bands hold min <= v < max; lower-is-better bands hold min < v <= max."""
    lo = None if band.min is None else exact(band.min)
    hi = None if band.max is None else exact(band.max)
    if kind in HIGHER_IS_BETTER:
        return (lo is None or value >= lo) and (hi is None or value < hi)
    return (lo is None or value > lo) and (hi is None or value <= hi)


def component_outcome(component, values: dict) -> Outcome:
    if isinstance(component, YesNo):
        return YES if values[component.indicator] else NO
    return measured_outcome(component, measured(component, values))


def measured_outcome(component, value: Fraction | None) -> Outcome:
    """The outcome of a component with bands, from its measured value (None: empty)."""
    if value is None:
        return EMPTY
    for index, band in enumerate(component.bands):
        if in_band(component.kind, band, value):
            return band_outcome(index)
    raise ValueError(f"{component.id}: value {value} is in no band")  # the loader forbids gaps


def outcome_points(component, outcome: Outcome) -> int:
    if isinstance(component, YesNo):
        return component.points if outcome.kind == "yes" else 0
    if outcome.kind == "empty":
        return component.if_denominator_zero.points
    return component.bands[outcome.band].points


def evaluate(version: CriteriaVersion, values: dict) -> dict[str, Outcome]:
    """Outcome of every component, keyed ``"TC07/immunisation"``."""
    return {
        f"{crit.code}/{comp.id}": component_outcome(comp, values)
        for crit in version.criteria
        for comp in crit.components
    }


def evaluate_measured(version: CriteriaVersion, values: dict) -> tuple[dict[str, Outcome], dict[str, Fraction]]:
    """``evaluate``, and the measured value of every component with bands that is not empty (scoring shows
    them), from the same computation."""
    outcomes: dict[str, Outcome] = {}
    values_measured: dict[str, Fraction] = {}
    for crit in version.criteria:
        for comp in crit.components:
            key = f"{crit.code}/{comp.id}"
            if isinstance(comp, YesNo):
                outcomes[key] = YES if values[comp.indicator] else NO
                continue
            value = measured(comp, values)
            outcomes[key] = measured_outcome(comp, value)
            if value is not None:
                values_measured[key] = value
    return outcomes, values_measured
