"""Score an assessment: durable-rules and the independent evaluator, compared, then explained.

``score(version, assessment, mode="durable")`` returns a ``ScoreResult`` (``engine.result``): per criterion
its points, the band or item matched, the values used and the legal reference; the total, the category's
threshold, whether every recognition condition holds (with each failed one), whether the version is
provisional, the gap analysis, and the fingerprint of the criteria content. Mode ``python`` runs the
independent evaluator alone; ``durable`` (the default) runs durable-rules and checks every component against
the evaluator, raising ``EngineMismatch`` on any difference. The mode is a plain argument: the deployment's
settings (``CFC_ENGINE``) choose it.
"""

from __future__ import annotations

from typing import NamedTuple

from . import evaluate
from .assessment import Assessment
from .checks import band_range
from .errors import CfcError, EngineMismatch
from .gaps import improvements
from .loader import fingerprint
from .models import CriteriaVersion, YesNo, component_inputs, component_max
from .numbers import format_fraction, format_number, format_points
from .outcome import Outcome
from .result import (
    CategoryRef,
    CommuneRef,
    ComponentResult,
    CriterionResult,
    FailedCondition,
    Gap,
    Plan,
    ScoreResult,
    describe,
)

ENGINE_MODES = ("durable", "python")
_MAXIMA: dict[int, tuple[CriteriaVersion, dict[str, int]]] = {}  # id(version) → (version, key → max points)

__all__ = ["ComponentResult", "CriterionResult", "FailedCondition", "Gap", "Plan", "ScoreResult",
           "engine_mode", "outcomes", "score"]


def engine_mode(value: str | None = "durable") -> str:
    """``durable`` (durable-rules checked by the evaluator, the default) or ``python`` (evaluator alone), from
    a setting as written ("", None and any case allowed); CfcError for anything else."""
    mode = (value or "").strip().lower() or "durable"
    if mode not in ENGINE_MODES:
        raise CfcError(f"CFC_ENGINE={value!r}: use 'durable' (default) or 'python'")
    return mode


def outcomes(version: CriteriaVersion, values: dict, mode: str = "durable") -> tuple[dict[str, Outcome], str]:
    """Component outcomes and the engine label; raises EngineMismatch when the two evaluators differ."""
    reference = evaluate.evaluate(version, values)
    if engine_mode(mode) == "python":
        return reference, "python"
    from . import rules  # imported here so the python mode never touches durable

    found = rules.evaluate(version, values)
    diffs = [f"{k}: durable-rules {found.get(k)} vs evaluator {v}" for k, v in reference.items() if found.get(k) != v]
    if diffs:
        raise EngineMismatch("the rules engine and the independent evaluator disagree: " + "; ".join(diffs))
    return found, "durable-rules+checked"


def score(version: CriteriaVersion, assessment: Assessment, mode: str = "durable") -> ScoreResult:
    values = assessment.values
    found, label = outcomes(version, values, mode)
    maxima = _maxima(version)
    criteria = [_criterion(crit, found, values, maxima) for crit in version.criteria]
    total = sum(c.points for c in criteria)
    category = version.category(assessment.commune.category)
    if category is None:
        raise CfcError(f"unknown category {assessment.commune.category!r} for {version.id}")
    failed = _failed_conditions(version, criteria, total, category.threshold)
    notices = []
    if version.provisional:
        notices.append(
            f"Phiên bản tiêu chí {version.id} là TẠM THỜI (provisional): có giá trị chưa được đối chiếu với văn "
            "bản chính thức; điểm số chỉ để tham khảo."
        )
    gaps, plan = improvements(version, values, found, category.threshold)
    return ScoreResult(
        criteria_version=version.id,
        provisional=version.provisional,
        commune=CommuneRef(code=assessment.commune.code, name=assessment.commune.name),
        category=CategoryRef(id=category.id, label=category.label),
        total=total,
        max_total=version.max_total.points,
        threshold=category.threshold,
        recognized=not failed,
        criteria=criteria,
        failed_conditions=failed,
        gaps=gaps,
        plan=plan,
        engine=label,
        year=assessment.year,
        assessed_on=assessment.assessed_on.isoformat() if assessment.assessed_on else None,
        notices=notices,
        fingerprint=fingerprint(version),
    )


def _maxima(version: CriteriaVersion) -> dict[str, int]:
    """The most points of every component, computed once per version (versions are frozen)."""
    cached = _MAXIMA.get(id(version))
    if cached is None or cached[0] is not version:
        if len(_MAXIMA) > 64:  # a long-running process that reloads criteria keeps only recent ones
            _MAXIMA.clear()
        maxima = {f"{c.code}/{k.id}": component_max(k) for c in version.criteria for k in c.components}
        cached = _MAXIMA[id(version)] = (version, maxima)
    return cached[1]


def _criterion(crit, found: dict[str, Outcome], values: dict, maxima: dict[str, int]) -> CriterionResult:
    comps = []
    for comp in crit.components:
        key = f"{crit.code}/{comp.id}"
        comps.append(_component(crit.code, comp, found[key], values, maxima[key]))
    points = sum(c.points for c in comps)
    parts = ", ".join(f"{c.id} {format_number(c.points)}" for c in comps)
    return CriterionResult(
        code=crit.code,
        title=crit.title,
        legal_reference=crit.legal_reference,
        points=points,
        max_points=crit.max_points,
        met_at=crit.met_at,
        met=points >= crit.met_at,
        explanation=f"{crit.code}: {format_number(points)}/{format_points(crit.max_points)} ({parts})",
        components=comps,
    )


def _component(code: str, comp, outcome: Outcome, values: dict, max_points: int) -> ComponentResult:
    points = evaluate.outcome_points(comp, outcome)
    used = {c: _json_value(values[c]) for c in component_inputs(comp)}
    measured = exact = None
    if isinstance(comp, YesNo):
        matched = "có" if outcome.kind == "yes" else "không"
        verified = comp.verified
        label = comp.label or comp.indicator
    else:
        label = comp.label
        value = evaluate.measured(comp, values)
        if value is not None:
            measured, exact = format_fraction(value), str(value)
        if outcome.kind == "empty":
            matched = "mẫu số bằng 0 (không có trường hợp nào trong kỳ)"
            verified = comp.if_denominator_zero.verified
        else:
            band = comp.bands[outcome.band]
            matched = band_range(comp.kind, band)
            verified = band.verified
    return ComponentResult(
        id=comp.id, kind=comp.kind, label=label, points=points, max_points=max_points, outcome=outcome,
        matched=matched, values=used, measured=measured, measured_exact=exact, verified=verified,
        explanation=f"{code}/{comp.id}: {describe(comp.kind, used, measured, matched, points)}",
    )


def _json_value(value):
    if isinstance(value, bool | int):
        return value
    return float(value) if value != value.to_integral_value() else int(value)


def _failed_conditions(version, criteria, total: int, threshold: int) -> list[FailedCondition]:
    failed: list[FailedCondition] = []
    wanted = set(version.recognition.conditions)
    for crit in criteria:
        if "no_criterion_zero" in wanted and crit.points == 0:
            failed.append(FailedCondition(condition="no_criterion_zero", message=f"{crit.code} bị 0 điểm",
                                          criterion=crit.code))
        if "all_criteria_met" in wanted and not crit.met:
            failed.append(FailedCondition(
                condition="all_criteria_met", criterion=crit.code,
                message=(f"{crit.code} chưa đạt: {format_points(crit.points)}, "
                         f"cần ít nhất {format_number(crit.met_at)}"),
            ))
    if "total_reaches_threshold" in wanted and total < threshold:
        failed.append(FailedCondition(
            condition="total_reaches_threshold",
            message=f"tổng điểm {format_number(total)} chưa đạt ngưỡng {format_number(threshold)} "
                    f"(còn thiếu {format_points(threshold - total)})",
        ))
    return failed


class _Points(NamedTuple):
    code: str
    points: int
    met_at: int
    met: bool


def standing(version: CriteriaVersion, assessment: Assessment, mode: str = "durable"
             ) -> tuple[int, bool, list[str], dict[str, int]]:
    """What ``score`` decides, without the explanations and the gap analysis: (total, whether every recognition
    condition holds, the failed conditions' messages, points per criterion). For comparing many assessments
    (``dossiers.impact``); the same outcomes, points and conditions as ``score`` (tests/test_standing.py)."""
    found, _label = outcomes(version, assessment.values, mode)
    crits = []
    for crit in version.criteria:
        points = sum(evaluate.outcome_points(comp, found[f"{crit.code}/{comp.id}"]) for comp in crit.components)
        crits.append(_Points(crit.code, points, crit.met_at, points >= crit.met_at))
    total = sum(c.points for c in crits)
    category = version.category(assessment.commune.category)
    if category is None:
        raise CfcError(f"unknown category {assessment.commune.category!r} for {version.id}")
    failed = _failed_conditions(version, crits, total, category.threshold)
    return total, not failed, [f.message for f in failed], {c.code: c.points for c in crits}
