"""durable-rules (``engine.rules``) and the exact reference evaluator (``engine.evaluate``) agree on every input.

The strategies read the bands of each loaded criteria version and aim at their edges: a denominator is often a
multiple of the least common denominator of every edge of the components that share it, so a numerator can
land exactly on each edge (98 % of 50 = 49; 2 per 1000 of 1000 = 2), and the values one unit either side of
the edge are drawn too. Counts and survey scores are drawn at, just below and just above their edges as well.
"""

from __future__ import annotations

import functools
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import evaluate, rules
from engine.assessment import MAX_COUNT, check_values
from engine.errors import AssessmentError
from engine.loader import Registry
from engine.models import HIGHER_IS_BETTER, Count, CriteriaVersion, Percentage, Rate, Survey, YesNo
from engine.outcome import band_outcome
from engine.template import example_values

pytestmark = pytest.mark.skipif(rules.import_error() is not None, reason=str(rules.import_error()))


@functools.cache
def _registry() -> Registry:
    return Registry.load()


VERSION_IDS = sorted(_registry().versions)


# ---------------------------------------------------------------------------------------------- band edges


def edges(component) -> list[Fraction]:
    """Every finite band edge of a component, in the unit of its measured value."""
    found = {Fraction(getattr(b, e)) for b in component.bands for e in ("min", "max") if getattr(b, e) is not None}
    return sorted(found)


def scale(component) -> int:
    """measured = numerator * scale / denominator."""
    return 100 if isinstance(component, Percentage) else component.per


def ratio_parts(component) -> tuple[str, str]:
    if isinstance(component, Percentage):
        return component.numerator, component.denominator
    return component.cases, component.population


def edge_step(components) -> int:
    """The smallest denominator for which every edge of every component is an exact whole numerator."""
    step = 1
    for comp in components:
        for edge in edges(comp):
            step = math.lcm(step, (edge / scale(comp)).denominator)
    return step


def near_edge_numerators(component, den: int) -> list[int]:
    """Numerators at each edge (when exact) and one unit either side, kept within 0..den."""
    found = {0, den}
    for edge in edges(component):
        exact = edge * den / scale(component)
        lo, hi = math.floor(exact), math.ceil(exact)
        found |= {lo - 1, lo, hi, hi + 1}
    return sorted(n for n in found if 0 <= n <= den)


def ratio_groups(version: CriteriaVersion) -> dict[str, list]:
    """Percentage and rate components grouped by their denominator indicator (TC08 shares one)."""
    groups: dict[str, list] = {}
    for crit in version.criteria:
        for comp in crit.components:
            if isinstance(comp, Percentage | Rate):
                groups.setdefault(ratio_parts(comp)[1], []).append(comp)
    return groups


# ---------------------------------------------------------------------------------------------- strategies


@st.composite
def denominators(draw, step: int) -> int:
    """Mostly exact multiples of ``step`` (every edge reachable), sometimes one off, sometimes 0 or anything."""
    kind = draw(st.sampled_from(["multiple"] * 6 + ["off_by_one", "off_by_one", "any", "empty"]))
    if kind == "empty":
        return 0
    if kind == "any":
        return draw(st.integers(1, 10**6))
    k = draw(st.integers(1, 300) | st.integers(1, MAX_COUNT // step - 1))
    return k * step + (draw(st.sampled_from([-1, 1])) if kind == "off_by_one" else 0)


@st.composite
def numerators(draw, component, den: int) -> int:
    """Mostly on an edge (exactly when it is whole, else the whole numbers around it) or one unit off it."""
    if den == 0:
        return 0
    if draw(st.integers(0, 3)) == 0:
        return draw(st.integers(0, den))
    edge = draw(st.sampled_from(edges(component)))
    exact = edge * den / scale(component)
    if exact.denominator == 1:
        num = int(exact) + draw(st.sampled_from([0, 0, -1, 1]))
    else:
        num = draw(st.sampled_from([math.floor(exact), math.ceil(exact)]))
    return min(max(num, 0), den)


def near_edge_counts(component) -> list[int]:
    """Whole counts at each edge and one unit either side (never negative)."""
    near = set()
    for edge in edges(component):
        near |= {math.floor(edge) - 1, math.floor(edge), math.ceil(edge), math.ceil(edge) + 1}
    return sorted(n for n in near if n >= 0)


def count_values(component) -> st.SearchStrategy[int]:
    return st.sampled_from(near_edge_counts(component)) | st.integers(0, 10**6)


@st.composite
def survey_values(draw, component):
    """Scores 0..100 with at most 2 decimals, mostly on an edge or 0.01 either side; as Decimal or as the float
    a YAML file gives."""
    if draw(st.integers(0, 3)) == 0:
        hundredths = draw(st.integers(0, 10000))
    else:
        edge = draw(st.sampled_from(edges(component)))
        hundredths = min(max(math.floor(edge * 100) + draw(st.sampled_from([0, 0, -1, 1])), 0), 10000)
    score = Decimal(hundredths) / 100
    return float(score) if draw(st.booleans()) else score


@st.composite
def raw_values(draw, version: CriteriaVersion) -> dict:
    """Indicator values a commune could submit, aimed at the band edges of ``version``."""
    values: dict = {}
    for den_code, comps in ratio_groups(version).items():
        den = draw(denominators(edge_step(comps)))
        values[den_code] = den
        for comp in comps:
            num_code = ratio_parts(comp)[0]
            values[num_code] = draw(numerators(comp, den))
    for crit in version.criteria:
        for comp in crit.components:
            if isinstance(comp, YesNo):
                values[comp.indicator] = draw(st.booleans())
            elif isinstance(comp, Count):
                values[comp.count] = draw(count_values(comp))
            elif isinstance(comp, Survey):
                values[comp.score] = draw(survey_values(comp))
    return values


def disagreements(version: CriteriaVersion, values: dict) -> list[str]:
    reference = evaluate.evaluate(version, values)
    found = rules.evaluate(version, values)
    return [
        f"{key}: durable-rules {found.get(key)} vs evaluator {want} (measured {_measured(version, key, values)})"
        for key, want in reference.items()
        if found.get(key) != want
    ]


def _measured(version: CriteriaVersion, key: str, values: dict) -> str:
    code, comp_id = key.split("/")
    crit = next(c for c in version.criteria if c.code == code)
    comp = next(c for c in crit.components if c.id == comp_id)
    if isinstance(comp, YesNo):
        return str(values[comp.indicator])
    return str(evaluate.measured(comp, values))


# ---------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("version_id", VERSION_IDS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_rules_engine_agrees_with_reference_evaluator(version_id: str, data):
    version = _registry().get(version_id)
    raw = data.draw(raw_values(version), label="indicators")
    values = check_values(version, raw)  # the strategies only make valid assessments
    problems = disagreements(version, values)
    assert not problems, "\n".join(problems)


def _edge_inputs(version: CriteriaVersion):
    """(label, values, key, component, measured value) for every edge of every component, exact and ±1 unit."""
    groups = ratio_groups(version)
    for crit in version.criteria:
        for comp in crit.components:
            key = f"{crit.code}/{comp.id}"
            if isinstance(comp, Percentage | Rate):
                num_code, den_code = ratio_parts(comp)
                step = edge_step(groups[den_code])
                for k in (1, 3, 1000):
                    den = step * k
                    for num in near_edge_numerators(comp, den):
                        values = dict(example_values())
                        values[den_code] = den
                        for other in groups[den_code]:  # keep shared-denominator siblings valid
                            other_num = ratio_parts(other)[0]
                            values[other_num] = min(values[other_num], den)
                        values[num_code] = num
                        yield f"{key} {num}/{den}", values, key, comp, Fraction(num * scale(comp), den)
            elif isinstance(comp, Count):
                for n in near_edge_counts(comp):
                    values = dict(example_values(), **{comp.count: n})
                    yield f"{key} {n}", values, key, comp, Fraction(n)
            elif isinstance(comp, Survey):
                for edge in edges(comp):
                    for delta in (Fraction(-1, 100), Fraction(0), Fraction(1, 100)):
                        v = edge + delta
                        if 0 <= v <= 100:
                            score = Decimal(v.numerator) / Decimal(v.denominator)
                            values = dict(example_values(), **{comp.score: score})
                            yield f"{key} {score}", values, key, comp, v


def expected_band(comp, value: Fraction) -> int:
    """The band a value falls in, derived afresh from the band conventions (best band first)."""
    higher = comp.kind in HIGHER_IS_BETTER
    for index, band in enumerate(comp.bands):
        lo = None if band.min is None else Fraction(band.min)
        hi = None if band.max is None else Fraction(band.max)
        if higher and (lo is None or lo <= value) and (hi is None or value < hi):
            return index
        if not higher and (lo is None or lo < value) and (hi is None or value <= hi):
            return index
    raise AssertionError(f"{comp.id}: {value} is in no band")


@pytest.mark.parametrize("version_id", VERSION_IDS)
def test_every_band_edge_agrees(version_id: str):
    """Deterministic sweep: every edge of every component, exactly and one unit either side."""
    version = _registry().get(version_id)
    problems = []
    seen = 0
    for label, raw, key, comp, value in _edge_inputs(version):
        values = check_values(version, raw)
        problems.extend(f"{label}: {p}" for p in disagreements(version, values))
        want = band_outcome(expected_band(comp, value))  # every denominator here is above 0
        got = evaluate.evaluate(version, values)[key]
        if got != want:
            problems.append(f"{label}: evaluator {got}, band conventions give {want} (value {value})")
        seen += 1
    assert seen > 0
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------- count bounds
# durable-rules compares floats: it rounds counts above 2**53 and matches no rule for a float printed as 1e+16.
# Such counts are refused as input (no commune has ten million children), so they never reach it.
@pytest.mark.parametrize("count", [10**16, 2**53, MAX_COUNT + 1])
def test_counts_beyond_any_commune_are_refused_before_scoring(count):
    version = _registry().get("qd06-2019")
    with pytest.raises(AssessmentError) as info:
        check_values(version, dict(example_values(), **{"TC05.children": count, "TC05.deaths": count}))
    codes = {p.code for p in info.value.problems}
    assert codes == {"TC05.children", "TC05.deaths"}
    assert all("10.000.000" in p.message for p in info.value.problems)


def test_largest_accepted_count_is_scored_exactly():
    version = _registry().get("qd06-2019")
    raw = dict(example_values(), **{"TC07.children_under_1": MAX_COUNT, "TC07.fully_immunised": MAX_COUNT * 98 // 100 - 1})
    values = check_values(version, raw)
    assert evaluate.evaluate(version, values)["TC07/immunisation"] == band_outcome(1)
    assert not disagreements(version, values)
