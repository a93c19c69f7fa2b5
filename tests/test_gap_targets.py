"""What the gap analysis tells a commune is true: each gap's target value, entered, gives exactly the points it
promises, and doing every step of the plan makes the commune recognised.

A commune follows these numbers to decide what to improve; a target that lands in another band than the one
named (a rate band that no whole number of cases can reach, a percentage band that a small denominator
jumps over) would send it after the wrong goal. The values are drawn at the band edges (tests/test_property.py's
strategies), where such mistakes hide.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import evaluate
from engine.assessment import Assessment, Commune, check_values
from engine.loader import Registry
from engine.scoring import score
from engine.template import example_values

_spec = importlib.util.spec_from_file_location("property_strategies", Path(__file__).with_name("test_property.py"))
_strategies = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_strategies)


@functools.cache
def _registry() -> Registry:
    return Registry.load()


VERSION_IDS = sorted(_registry().versions)


def _component(version, criterion: str, component: str):
    crit = next(c for c in version.criteria if c.code == criterion)
    return next(c for c in crit.components if c.id == component)


def _points(comp, values: dict) -> int:
    return evaluate.outcome_points(comp, evaluate.component_outcome(comp, values))


def _scored(version, values: dict, category: str):
    checked = check_values(version, values, category)
    return score(version, Assessment(Commune("00001", "Xã Thử", category), 2026, None, version.id, checked), "python")


def _check(version, values: dict, category: str) -> None:
    result = _scored(version, values, category)
    for gap in [*result.gaps, *result.plan.steps]:
        comp = _component(version, gap.criterion, gap.component)
        before = _points(comp, values)
        after = _points(comp, {**values, gap.indicator: gap.target})
        assert after - before == gap.points_added, (
            f"{gap.message}: {gap.indicator} = {gap.target} gives {after - before:+d} points, not "
            f"{gap.points_added:+d}")
    if result.plan.reaches_threshold and result.plan.steps:
        changed = {**values, **{step.indicator: step.target for step in result.plan.steps}}
        again = _scored(version, changed, category)
        assert again.recognized, f"after the plan ({result.plan.message}): {[f.message for f in again.failed_conditions]}"


@pytest.mark.parametrize("version_id", VERSION_IDS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_each_gap_gives_what_it_promises_and_the_plan_recognises(version_id: str, data):
    version = _registry().get(version_id)
    raw = data.draw(_strategies.raw_values(version), label="indicators")
    category = data.draw(st.sampled_from([c.id for c in version.categories]), label="category")
    _check(version, check_values(version, raw), category)


@pytest.mark.parametrize("version_id", VERSION_IDS)
@pytest.mark.parametrize("cases", [0, 1, 2])
def test_a_rate_band_no_whole_number_of_cases_reaches_is_not_a_target(version_id: str, cases: int):
    """900 children: 1 case is 1.1 per 1,000, and no whole number of cases gives a rate in (0, 1]. The band
    above is "= 0" (0 cases); a gap or plan step must name that one, with its points (the demo's dossier 2)."""
    version = _registry().get(version_id)
    values = dict(example_values(version_id))
    values.update({"TC03.children": 900, "TC04.children": 900, "TC03.abused": cases})
    for category in (c.id for c in version.categories):
        _check(version, values, category)
    result = _scored(version, values, "other")
    assert all("0 < tỷ suất ≤ 1" not in text for text in [result.plan.message, *(g.message for g in result.gaps)])
    if cases == 1:  # the nearest better band is "= 0": 0 cases, +60
        gap = next(g for g in result.gaps if g.indicator == "TC03.abused")
        assert (gap.target, gap.points_added) == (0, 60), gap.message


def test_a_plan_when_the_total_already_reaches_the_threshold():
    """The total is above the threshold but a criterion is below its floor: the plan does not say "0 more
    points needed"; it says the total is reached and gives the steps, in Vietnamese and in English."""
    from dossiers.language import reader
    from engine.wording import plan_message

    version = _registry().get("qd06-2019")
    values = dict(example_values("qd06-2019"))
    values.update({code: False for code in ("TC01.officer", "TC01.collaborators", "TC01.board", "TC01.budget")})
    result = _scored(version, values, "mountain_island_difficult")
    assert result.total >= result.threshold and not result.recognized
    assert result.plan.points_needed == 0 and result.plan.steps
    assert result.plan.message.startswith("tổng điểm đã đạt ngưỡng nhưng còn điều kiện chưa đáp ứng; cách ít "
                                          "bước nhất ("), result.plan.message
    assert "cần thêm 0" not in result.plan.message
    made = plan_message(result.to_dict()["plan"], version)
    assert made == result.plan.message  # the stored text, remade as a message
    english = reader("en")(made)
    assert english.startswith("the total reaches the threshold but other conditions are not met; the shortest way "
                              "(steps: "), english
