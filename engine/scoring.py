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

from fractions import Fraction
from typing import NamedTuple

from . import evaluate
from .assessment import Assessment
from .errors import CfcError, EngineMismatch
from .loader import fingerprint
from .models import CriteriaVersion, YesNo
from .numbers import format_fraction, format_number, format_points
from .outcome import Outcome
from .plan import improvements
from .result import (
    CategoryRef,
    CommuneRef,
    ComponentResult,
    CriterionResult,
    FailedCondition,
    Gap,
    Plan,
    ScoreResult,
    construct,
    describe,
)
from .tables import Component, Criterion, answer_keys, remember, tables

ENGINE_MODES = ("durable", "python")
ENGINE_LABELS = {"durable": "durable-rules+checked", "python": "python"}  # what a score records as its engine

__all__ = ["ENGINE_LABELS", "ComponentResult", "CriterionResult", "FailedCondition", "Gap", "Plan", "ScoreResult",
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
    return _checked(version, evaluate.evaluate(version, values), values, mode)


def _checked(version: CriteriaVersion, reference: dict[str, Outcome], values: dict,
             mode: str) -> tuple[dict[str, Outcome], str]:
    if engine_mode(mode) == "python":
        return reference, ENGINE_LABELS["python"]
    from . import rules  # imported here so the python mode never touches durable

    found = rules.evaluate(version, values)
    if found != reference:  # compared whole first: the usual case, equal, costs one comparison
        diffs = [f"{k}: durable-rules {found.get(k)} vs evaluator {v}" for k, v in reference.items() if found.get(k) != v]
        if diffs:
            raise EngineMismatch("the rules engine and the independent evaluator disagree: " + "; ".join(diffs))
    return found, ENGINE_LABELS["durable"]


def score(version: CriteriaVersion, assessment: Assessment, mode: str = "durable") -> ScoreResult:
    values = assessment.values
    reference, measures = evaluate.evaluate_measured(version, values)
    found, label = _checked(version, reference, values, mode)
    keys = answer_keys(version, values)
    criteria = [_criterion(crit, found, values, measures, keys) for crit in tables(version).criteria]
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
    gaps, plan = improvements(version, values, found, category.threshold, keys)
    # validated (the header comes from the caller); the lists hold models already made, taken as they are
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


def _criterion(table: Criterion, found: dict[str, Outcome], values: dict, measures: dict[str, Fraction],
               keys: dict[str, tuple]) -> CriterionResult:
    """A criterion's result, built without validation from the version's tables; the one of a set of input
    values (``keys``) is made once and shared (results are frozen)."""
    key = table.pick(keys)
    made = table.results.get(key)
    if made is None:
        made = remember(table.results, key, _make_criterion(table, found, values, measures, keys))
    return made


def _make_criterion(table: Criterion, found: dict[str, Outcome], values: dict, measures: dict[str, Fraction],
                    keys: dict[str, tuple]) -> CriterionResult:
    comps = [_component(c, found[c.key], keys[c.key], values, measures.get(c.key)) for c in table.components]
    each = tuple([c.points for c in comps])
    said = table.said.get(each)
    if said is None:  # what it says depends on its components' points only: made once per set of them
        said = remember(table.said, each, _said(table, comps))
    crit = table.crit
    points, met, explanation = said
    return construct(CriterionResult, {
        "code": crit.code, "title": crit.title, "legal_reference": crit.legal_reference, "points": points,
        "max_points": crit.max_points, "met_at": crit.met_at, "met": met, "explanation": explanation,
        "components": comps,
    })


def _said(table: Criterion, comps: list[ComponentResult]) -> tuple[int, bool, str]:
    points = sum(c.points for c in comps)
    parts = ", ".join([f"{c.id} {format_number(c.points)}" for c in comps])
    return points, points >= table.crit.met_at, f"{table.head}{format_number(points)}{table.tail}{parts})"


def _component(table: Component, outcome: Outcome, key: tuple, values: dict,
               value: Fraction | None) -> ComponentResult:
    """``key``: its input values (``engine.tables.answer_keys``), which decide its outcome; ``value``: the measured value,
    as the evaluator computed it (None: a yes/no item, or empty). Results are frozen: the one of a key is made
    once and shared (a dossier is scored again and again with the same values)."""
    made = table.answers.get(key)
    if made is None:
        if isinstance(table.comp, YesNo):
            made = _yes_no(table, outcome, key[0])
        else:
            made = _measured(table, outcome, values, value)
        made = remember(table.answers, key, made)
    return made


def _measured(table: Component, outcome: Outcome, values: dict, value: Fraction | None) -> ComponentResult:
    comp = table.comp
    used = {}
    for code in table.inputs:
        raw = values[code]
        used[code] = raw if type(raw) is int else _json_value(raw)
    measured = exact = None
    if value is not None:
        measured, exact = format_fraction(value), str(value)
    if outcome.kind == "empty":
        points, matched, verified, tail = table.empty
    else:
        index = outcome.band
        points, matched = table.band_points[index], table.band_matched[index]
        verified, tail = table.band_verified[index], table.band_tail[index]
    # describe(), written from the tables: the values used, the measured value, then ": {matched} → {points}"
    shown = ""
    if measured is not None and comp.kind == "percentage":
        shown = f" = {measured}%"
    elif measured is not None and comp.kind == "rate":
        shown = f" = {measured}"
    inputs = " / ".join([f"{code} = {format_number(v)}" for code, v in used.items()])
    return construct(ComponentResult, {
        "id": comp.id, "kind": comp.kind, "label": comp.label, "points": points, "max_points": table.max_points,
        "outcome": outcome, "matched": matched, "values": used, "measured": measured,
        "explanation": f"{table.prefix}{inputs}{shown}{tail}", "verified": verified, "measured_exact": exact,
    })


def _yes_no(table: Component, outcome: Outcome, answer: bool) -> ComponentResult:
    comp = table.comp
    points = evaluate.outcome_points(comp, outcome)
    matched = "có" if outcome.kind == "yes" else "không"
    used = {comp.indicator: answer}
    return ComponentResult(
        id=comp.id, kind=comp.kind, label=comp.label or comp.indicator, points=points, max_points=table.max_points,
        outcome=outcome, matched=matched, values=used, measured=None, measured_exact=None, verified=comp.verified,
        explanation=f"{table.prefix}{describe(comp.kind, used, None, matched, points)}",
    )


def _json_value(value):
    if isinstance(value, bool | int):
        return value
    return float(value) if value != value.to_integral_value() else int(value)


def _failed_conditions(version, criteria, total: int, threshold: int) -> list[FailedCondition]:
    failed: list[FailedCondition] = []
    wanted = version.recognition.conditions
    zero, met = "no_criterion_zero" in wanted, "all_criteria_met" in wanted
    for crit in criteria:
        if zero and crit.points == 0:
            failed.append(_failure(("no_criterion_zero", crit.code), lambda c=crit: {
                "condition": "no_criterion_zero", "message": f"{c.code} bị 0 điểm", "criterion": c.code}))
        if met and not crit.met:
            failed.append(_failure(("all_criteria_met", crit.code, crit.points, crit.met_at), lambda c=crit: {
                "condition": "all_criteria_met",
                "message": f"{c.code} chưa đạt: {format_points(c.points)}, cần ít nhất {format_number(c.met_at)}",
                "criterion": c.code}))
    if "total_reaches_threshold" in wanted and total < threshold:
        failed.append(_failure(("total_reaches_threshold", total, threshold), lambda: {
            "condition": "total_reaches_threshold",
            "message": f"tổng điểm {format_number(total)} chưa đạt ngưỡng {format_number(threshold)} "
                       f"(còn thiếu {format_points(threshold - total)})",
            "criterion": None}))
    return failed


_FAILED: dict[tuple, FailedCondition] = {}  # what a failed condition says depends on its numbers only


def _failure(key: tuple, fields) -> FailedCondition:
    """The failed condition of ``key``, made from ``fields()`` once and shared (results are frozen)."""
    made = _FAILED.get(key)
    if made is None:
        made = remember(_FAILED, key, construct(FailedCondition, fields()))
    return made


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
