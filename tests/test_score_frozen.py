"""Scoring gives exactly the results frozen in ``tests/data/scores-qd06-2019.json``.

The file was written by ``scripts/freeze_scores.py`` from the scoring code as it was before its speed-ups
(issue #15): every scored acceptance case and 1,000 seeded synthetic assessments (every band of every
component, many values on a band edge), each scored in both engine modes. A difference names the assessment and
the part of the result (criteria, failed_conditions, gaps, plan, rest) that changed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.assessment import parse_assessment
from engine.loader import Registry
from engine.result import ScoreResult
from engine.scoring import score

FROZEN = Path(__file__).parent / "data" / "scores-qd06-2019.json"


def _freezer():
    import importlib.util

    spec = importlib.util.spec_from_file_location("freeze_scores", Path(__file__).parents[1] / "scripts" /
                                                  "freeze_scores.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scores_equal_the_frozen_ones():
    frozen = json.loads(FROZEN.read_text(encoding="utf-8"))
    version = Registry.load().get(frozen["version"])
    freezer = _freezer()
    assert frozen["codes"] == list(version.indicator_map())
    assert len(frozen["rows"]) > 1000
    differences = []
    for row in frozen["rows"]:
        data = {"commune": {"code": "10001", "name": "Xã thử", "category": row["category"]}, "year": 2024,
                "criteria_version": frozen["version"], "indicators": dict(zip(frozen["codes"], row["values"],
                                                                              strict=True))}
        assessment = parse_assessment(data, version)
        durable = freezer.field_digests(score(version, assessment, "durable").to_dict())
        changed = [part for part, digest in row["durable"].items() if durable.get(part) != digest]
        if freezer.whole_digest(score(version, assessment, "python").to_dict()) != row["python"]:
            changed.append("python mode")
        if changed:
            differences.append(f"{row['name']}: {', '.join(changed)}")
    assert not differences, (f"{len(differences)} of {len(frozen['rows'])} scores differ from the frozen ones "
                             "(if the change is meant, run scripts/freeze_scores.py): " + "; ".join(differences[:10]))


def test_scores_built_without_validation_read_back_strictly():
    """The scoring code builds its results without validating them (engine.result.construct): every one of
    them must be what strict validation accepts, and read back equal."""
    frozen = json.loads(FROZEN.read_text(encoding="utf-8"))
    version = Registry.load().get(frozen["version"])
    for row in frozen["rows"][::7]:
        data = {"commune": {"code": "10001", "name": "Xã thử", "category": row["category"]}, "year": 2024,
                "criteria_version": frozen["version"], "indicators": dict(zip(frozen["codes"], row["values"],
                                                                              strict=True))}
        result = score(version, parse_assessment(data, version))
        stored = ScoreResult.from_stored(result.to_dict())
        assert stored == result
        assert stored.to_dict() == result.to_dict()


@pytest.mark.parametrize("part", ["criteria", "failed_conditions", "gaps", "plan", "rest"])
def test_the_frozen_population_covers_each_part(part):
    """The population is varied: each part of the result takes many different values."""
    frozen = json.loads(FROZEN.read_text(encoding="utf-8"))
    assert len({row["durable"][part] for row in frozen["rows"]}) > 50


def _frozen_assessments(step: int):
    frozen = json.loads(FROZEN.read_text(encoding="utf-8"))
    version = Registry.load().get(frozen["version"])
    for row in frozen["rows"][::step]:
        data = {"commune": {"code": "10001", "name": "Xã thử", "category": row["category"]}, "year": 2024,
                "criteria_version": frozen["version"], "indicators": dict(zip(frozen["codes"], row["values"],
                                                                              strict=True))}
        yield version, parse_assessment(data, version), row


def _forget_shared_results():
    from engine import gaps, tables

    tables._TABLES.clear()
    gaps._GAPS.clear()


def test_results_shared_between_scores_equal_fresh_ones():
    """A dossier scored again with the same values takes the results, moves and plan options made the first
    time (engine.tables): the score is the one computed from nothing."""
    cases = list(_frozen_assessments(5))
    first = [score(version, assessment).to_dict() for version, assessment, _ in cases]
    again = [score(version, assessment).to_dict() for version, assessment, _ in cases]
    assert again == first
    for (version, assessment, _), shared in zip(cases, again, strict=True):
        _forget_shared_results()
        assert score(version, assessment).to_dict() == shared


def test_shared_results_stay_bounded(monkeypatch):
    """At most engine.tables.KEEP results, moves or options per component or criterion (and Gaps in all): a
    long-running process that scores many different dossiers does not grow; scores stay exact meanwhile."""
    from engine import gaps, tables

    freezer = _freezer()
    _forget_shared_results()
    monkeypatch.setattr(tables, "KEEP", 8)
    for version, assessment, row in _frozen_assessments(9):
        assert freezer.field_digests(score(version, assessment, "durable").to_dict()) == row["durable"]
    made = tables.tables(version)
    sizes = [len(c.answers) for c in made.components.values()] + [len(c.moves) for c in made.components.values()]
    sizes += [len(c.results) for c in made.criteria] + [len(c.options) for c in made.criteria] + [len(gaps._GAPS)]
    sizes += [len(c.said) for c in made.criteria]
    assert max(sizes) <= 8 and sum(sizes) > 8 * 10  # bounded, and in use
    _forget_shared_results()


def test_the_gap_functions_on_their_own_give_what_score_shows():
    """engine.gaps.component_moves, find_gaps and engine.plan.plan_improvements, called one by one, give the gaps
    and the plan of the score (whose options come from shapes already made, or made here from nothing)."""
    from engine import evaluate
    from engine.gaps import component_moves, find_gaps
    from engine.plan import plan_improvements

    for fresh in (False, True):
        for version, assessment, _row in _frozen_assessments(37):
            shown = score(version, assessment, "python")
            if fresh:
                _forget_shared_results()
            found = evaluate.evaluate(version, assessment.values)
            moves = component_moves(version, assessment.values, found)
            assert find_gaps(moves) == shown.gaps
            assert plan_improvements(version, found, shown.threshold, moves) == shown.plan
