"""What a partly filled form gives before anything is saved: every problem at once (bad values, numerators
above their totals, copies of a shared number that differ), the indicators still empty, and the points of
each criterion whose values are all present and good (exact evaluator: a preview, not a score of record).

Copies of a shared number (``engine.shared``) left blank take their source's value, as a saved form does."""

from __future__ import annotations

from dataclasses import dataclass, field

from .assessment import Value, coerce, pair_problems, parse_text
from .errors import InputProblem
from .evaluate import component_outcome, outcome_points
from .messages import N_
from .models import CriteriaVersion
from .shared import fill_shared, shared_problems, shared_sources

MAX_TEXT = 64  # characters of one typed value; longer is refused unread


@dataclass(frozen=True)
class Preview:
    values: dict[str, Value]  # the good values, typed
    problems: list[InputProblem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # empty indicators, in the criteria's order
    points: dict[str, int | None] = field(default_factory=dict)  # criterion → points; None: not all known

    @property
    def complete(self) -> bool:
        return not self.problems and not self.missing

    @property
    def known_total(self) -> int:
        return sum(p for p in self.points.values() if p is not None)


def preview(version: CriteriaVersion, raw: dict) -> Preview:
    """``raw``: indicator code → typed text (or a typed value); blank or absent is empty."""
    indicators = version.indicator_map()
    given = {k: v for k, v in raw.items() if k in indicators}
    raw = fill_shared(version, given)
    # a blank copy of a shared number stands for its source: its source alone is reported missing or bad
    derived = {code for code in shared_sources(version) if raw.get(code) is not given.get(code)}
    derived |= {code for code in shared_sources(version) if _blank(raw.get(code))}
    problems: list[InputProblem] = []
    typed: dict[str, Value] = {}
    missing: list[str] = []
    for code, ind in indicators.items():
        value = raw.get(code)
        if _blank(value):
            if code not in derived:
                missing.append(code)
            continue
        if isinstance(value, str) and len(value) > MAX_TEXT:
            parsed, message = None, N_("quá dài (%(length)s ký tự)", length=str(len(value)))
        else:
            parsed, message = parse_text(ind.type, value) if isinstance(value, str) else coerce(ind.type, value)
        if message:
            if code not in derived:
                problems.append(InputProblem(code, message))
        else:
            typed[code] = parsed
    problems += pair_problems(version, typed) + shared_problems(version, typed)
    bad = {p.code for p in problems}
    points: dict[str, int | None] = {}
    for crit in version.criteria:
        if any(i.code not in typed or i.code in bad for i in crit.indicators):
            points[crit.code] = None
        else:
            points[crit.code] = sum(outcome_points(c, component_outcome(c, typed)) for c in crit.components)
    return Preview(typed, problems, missing, points)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
