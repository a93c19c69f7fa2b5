"""Score an assessment: durable-rules and the independent evaluator, compared, then explained.

``score(version, assessment)`` returns a ``ScoreResult``: per criterion its points, the band or item matched,
the values used and the legal reference; the total, the category's threshold, whether every recognition
condition holds (with each failed one), whether the version is provisional, and the gap analysis.
``CFC_ENGINE=python`` runs the independent evaluator alone; the default runs durable-rules and checks every
component against the evaluator, raising ``EngineMismatch`` on any difference.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction

from . import __version__, evaluate
from .assessment import Assessment
from .checks import band_range
from .errors import CfcError, EngineMismatch
from .gaps import Gap, Plan, find_gaps, plan_improvements
from .models import CriteriaVersion, YesNo, component_inputs, component_max


@dataclass
class ComponentResult:
    id: str
    kind: str
    label: str
    points: int
    max_points: int
    outcome: str
    matched: str
    values: dict
    measured: str | None
    explanation: str
    verified: bool


@dataclass
class CriterionResult:
    code: str
    title: str
    legal_reference: str
    points: int
    max_points: int
    met_at: int
    met: bool
    explanation: str
    components: list[ComponentResult]


@dataclass
class FailedCondition:
    condition: str
    message: str
    criterion: str | None = None


@dataclass
class ScoreResult:
    criteria_version: str
    provisional: bool
    commune: dict
    category: dict
    total: int
    max_total: int
    threshold: int
    recognized: bool
    criteria: list[CriterionResult]
    failed_conditions: list[FailedCondition]
    gaps: list[Gap]
    plan: Plan
    engine: str
    engine_version: str = __version__
    year: int | None = None
    assessed_on: str | None = None
    notices: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return _plain(self)


def _plain(node):
    """Dataclasses → dicts, recursively (like dataclasses.asdict, without its deep copies of every leaf)."""
    if hasattr(node, "__dataclass_fields__"):
        return {name: _plain(getattr(node, name)) for name in node.__dataclass_fields__}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    return node


def engine_mode() -> str:
    """``durable`` (durable-rules checked by the evaluator, the default) or ``python`` (evaluator alone)."""
    mode = os.environ.get("CFC_ENGINE", "durable").strip().lower() or "durable"
    if mode not in ("durable", "python"):
        raise CfcError(f"CFC_ENGINE={mode!r}: use 'durable' (default) or 'python'")
    return mode


def outcomes(version: CriteriaVersion, values: dict) -> tuple[dict[str, str], str]:
    """Component outcomes and the engine label; raises EngineMismatch when the two evaluators differ."""
    reference = evaluate.evaluate(version, values)
    if engine_mode() == "python":
        return reference, "python"
    from . import rules  # imported here so CFC_ENGINE=python never touches durable

    found = rules.evaluate(version, values)
    diffs = [f"{k}: durable-rules {found.get(k)} vs evaluator {v}" for k, v in reference.items() if found.get(k) != v]
    if diffs:
        raise EngineMismatch("the rules engine and the independent evaluator disagree: " + "; ".join(diffs))
    return found, "durable-rules+checked"


def score(version: CriteriaVersion, assessment: Assessment) -> ScoreResult:
    values = assessment.values
    found, label = outcomes(version, values)
    criteria = [_criterion(crit, found, values) for crit in version.criteria]
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
    return ScoreResult(
        criteria_version=version.id,
        provisional=version.provisional,
        commune={"code": assessment.commune.code, "name": assessment.commune.name},
        category={"id": category.id, "label": category.label},
        total=total,
        max_total=version.max_total.points,
        threshold=category.threshold,
        recognized=not failed,
        criteria=criteria,
        failed_conditions=failed,
        gaps=find_gaps(version, values, found),
        plan=plan_improvements(version, values, found, category.threshold),
        engine=label,
        year=assessment.year,
        assessed_on=assessment.assessed_on.isoformat() if assessment.assessed_on else None,
        notices=notices,
    )


def _criterion(crit, found: dict[str, str], values: dict) -> CriterionResult:
    comps = []
    for comp in crit.components:
        outcome = found[f"{crit.code}/{comp.id}"]
        comps.append(_component(crit.code, comp, outcome, values))
    points = sum(c.points for c in comps)
    parts = ", ".join(f"{c.id} {c.points}" for c in comps)
    return CriterionResult(
        code=crit.code,
        title=crit.title,
        legal_reference=crit.legal_reference,
        points=points,
        max_points=crit.max_points,
        met_at=crit.met_at,
        met=points >= crit.met_at,
        explanation=f"{crit.code}: {points}/{crit.max_points} điểm ({parts})",
        components=comps,
    )


def _component(code: str, comp, outcome: str, values: dict) -> ComponentResult:
    points = evaluate.outcome_points(comp, outcome)
    used = {c: _json_value(values[c]) for c in component_inputs(comp)}
    measured = None
    if isinstance(comp, YesNo):
        matched = "có" if outcome == "yes" else "không"
        verified = comp.verified
        explanation = f"{comp.indicator} = {matched} → {points} điểm"
        label = comp.label or comp.indicator
    else:
        label = comp.label
        value = evaluate.measured(comp, values)
        measured = None if value is None else format_fraction(value)
        if outcome == "empty":
            rule = comp.if_denominator_zero
            matched = "mẫu số bằng 0 (không có trường hợp nào trong kỳ)"
            verified = rule.verified
        else:
            band = comp.bands[int(outcome.split(":")[1])]
            matched = band_range(comp.kind, band)
            verified = band.verified
        inputs = " / ".join(f"{c} = {str(v).replace('.', ',')}" for c, v in used.items())
        shown = f" = {measured}" if measured is not None and comp.kind in ("percentage", "rate") else ""
        explanation = f"{inputs}{shown}: {matched} → {points} điểm"
    return ComponentResult(
        id=comp.id,
        kind=comp.kind,
        label=label,
        points=points,
        max_points=component_max(comp),
        outcome=outcome,
        matched=matched,
        values=used,
        measured=measured,
        explanation=f"{code}/{comp.id}: {explanation}",
        verified=verified,
    )


def _json_value(value):
    if isinstance(value, bool | int):
        return value
    return float(value) if value != value.to_integral_value() else int(value)


def format_fraction(value: Fraction) -> str:
    """Exact when it can be, else truncated (never rounded up: 97.96 stays below 98) with '…'."""
    whole = value.numerator // value.denominator
    rest = value - whole
    if rest == 0:
        return str(whole)
    hundredths = int(rest * 100)
    exact = rest * 100 == hundredths
    text = f"{whole},{hundredths:02d}".rstrip("0").rstrip(",")
    return text if exact else text + "…"


def _failed_conditions(version, criteria, total: int, threshold: int) -> list[FailedCondition]:
    failed: list[FailedCondition] = []
    wanted = set(version.recognition.conditions)
    for crit in criteria:
        if "no_criterion_zero" in wanted and crit.points == 0:
            failed.append(FailedCondition("no_criterion_zero", f"{crit.code} bị 0 điểm", crit.code))
        if "all_criteria_met" in wanted and not crit.met:
            failed.append(
                FailedCondition(
                    "all_criteria_met",
                    f"{crit.code} chưa đạt: {crit.points} điểm, cần ít nhất {crit.met_at}",
                    crit.code,
                )
            )
    if "total_reaches_threshold" in wanted and total < threshold:
        failed.append(
            FailedCondition(
                "total_reaches_threshold",
                f"tổng điểm {total} chưa đạt ngưỡng {threshold} (còn thiếu {threshold - total} điểm)",
            )
        )
    return failed
