"""Acceptance cases written by domain experts in ``criteria/tests/*.yaml`` (schema: comment at the top of each file).

Every case is one pytest case (id = the case name), scored under both engines: durable-rules checked by the
reference evaluator (mode ``durable``, the default) and the reference evaluator alone (mode ``python``). A failure
lists every mismatched field as ``FILE: CASE NAME: FIELD expected X vs actual Y``.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from functools import reduce
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from criteria import DIRECTORY
from engine.assessment import parse_assessment
from engine.errors import AssessmentError
from engine.loader import Registry
from engine.models import YesNo
from engine.scoring import score
from engine.template import example_values

CASES_DIR = DIRECTORY / "tests"
MIN_CASES = 40

FILE_KEYS = {"version", "baseline", "category", "cases"}
CASE_KEYS = {"name", "category", "input", "output", "rejects", "note"}
SCALAR_OUTPUTS = {"total": int, "recognized": bool, "threshold": int}
CRITERION_RE = re.compile(r"^(TC\d{2})$")
MET_RE = re.compile(r"^(TC\d{2})\.met$")
COMPONENT_RE = re.compile(r"^(TC\d{2})/([a-z][a-z0-9_]*)$")
FAILED_RE = re.compile(r"^(?:(TC\d{2}):)?([a-z_]+)$")
BASELINES = ("example", "none")  # the example assessment of the file's version, or nothing


@dataclass
class Case:
    file: str
    name: str
    version: str
    category: str
    indicators: dict
    output: dict = field(default_factory=dict)
    rejects: list | None = None


@functools.cache
def _registry() -> Registry:
    return Registry.load()


def _check_output(version, where: str, output: dict) -> list[str]:
    """Schema problems of one case's ``output`` against its criteria version."""
    problems = []
    criteria = {c.code: c for c in version.criteria}
    conditions = set(version.recognition.conditions)
    for key, value in output.items():
        key = str(key)
        if key in SCALAR_OUTPUTS:
            want = SCALAR_OUTPUTS[key]
            if type(value) is not want:
                problems.append(f"{where}: output.{key} must be {want.__name__}, got {value!r}")
        elif key == "failed":
            if not isinstance(value, list):
                problems.append(f"{where}: output.failed must be a list")
                continue
            for item in value:
                m = FAILED_RE.match(str(item))
                if not m or m.group(2) not in conditions or (m.group(1) and m.group(1) not in criteria):
                    problems.append(f"{where}: output.failed: unknown condition {item!r}")
        elif m := CRITERION_RE.match(key):
            if key not in criteria:
                problems.append(f"{where}: output.{key}: no such criterion in {version.id}")
            elif type(value) is not int:
                problems.append(f"{where}: output.{key} must be the criterion's points (int), got {value!r}")
        elif m := MET_RE.match(key):
            if m.group(1) not in criteria:
                problems.append(f"{where}: output.{key}: no such criterion in {version.id}")
            elif type(value) is not bool:
                problems.append(f"{where}: output.{key} must be true or false, got {value!r}")
        elif m := COMPONENT_RE.match(key):
            crit = criteria.get(m.group(1))
            if crit is None or m.group(2) not in {c.id for c in crit.components}:
                problems.append(f"{where}: output.{key}: no such component in {version.id}")
            elif type(value) is not int:
                problems.append(f"{where}: output.{key} must be the component's points (int), got {value!r}")
        else:
            problems.append(f"{where}: output.{key}: unknown field")
    return problems


def _shown(path: Path) -> str:
    """The case file as a reader finds it: relative to the project when it can be."""
    try:
        return str(path.relative_to(DIRECTORY.parent))
    except ValueError:
        return str(path)


def load_cases(directory: Path = CASES_DIR) -> tuple[list[Case], list[str]]:
    """Every case of every file, and every schema problem found (a malformed case is left out)."""
    yaml = YAML(typ="safe")
    registry = _registry()
    cases: list[Case] = []
    problems: list[str] = []
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        problems.append(f"{directory}: no case file (*.yaml)")
    for path in paths:
        fname = _shown(path)
        doc = yaml.load(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict):
            problems.append(f"{fname}: must be a mapping with version, baseline and cases")
            continue
        for key in set(doc) - FILE_KEYS:
            problems.append(f"{fname}: unknown key {key!r}")
        try:
            version = registry.get(str(doc.get("version")))
        except Exception as exc:  # UnknownVersion
            problems.append(f"{fname}: version: {exc}")
            continue
        baseline_name = doc.get("baseline", "example")
        if baseline_name not in BASELINES:
            problems.append(f"{fname}: baseline must be one of {sorted(BASELINES)}, got {baseline_name!r}")
            continue
        baseline = example_values(version.id) if baseline_name == "example" else {}
        default_category = doc.get("category", "other")
        raw_cases = doc.get("cases")
        if not isinstance(raw_cases, list) or not raw_cases:
            problems.append(f"{fname}: cases must be a non-empty list")
            continue
        for index, raw in enumerate(raw_cases):
            where = f"{fname}: case {index + 1}"
            if not isinstance(raw, dict) or not raw.get("name"):
                problems.append(f"{where}: a case is a mapping with at least a name")
                continue
            name = str(raw["name"])
            where = f"{fname}: {name}"
            bad = set(raw) - CASE_KEYS
            if bad:
                problems.append(f"{where}: unknown keys {sorted(bad)}")
            output, rejects = raw.get("output"), raw.get("rejects")
            if (output is None) == (rejects is None):
                problems.append(f"{where}: give exactly one of output (scored) or rejects (refused input)")
                continue
            if output is not None:
                if not isinstance(output, dict) or not output:
                    problems.append(f"{where}: output must be a non-empty mapping")
                    continue
                found = _check_output(version, where, output)
                if found:
                    problems.extend(found)
                    continue
            if rejects is not None and (not isinstance(rejects, list) or not rejects):
                problems.append(f"{where}: rejects must be a non-empty list of indicator codes")
                continue
            given = raw.get("input") or {}
            if not isinstance(given, dict):
                problems.append(f"{where}: input must be a mapping of indicator code to value")
                continue
            cases.append(
                Case(
                    file=fname,
                    name=name,
                    version=version.id,
                    category=str(raw.get("category", default_category)),
                    indicators={**baseline, **{str(k): v for k, v in given.items()}},
                    output={str(k): v for k, v in (output or {}).items()},
                    rejects=[str(c) for c in rejects] if rejects is not None else None,
                )
            )
    seen: set[str] = set()
    for case in cases:
        if case.name in seen:
            problems.append(f"{case.file}: {case.name}: duplicate case name")
        seen.add(case.name)
    return cases, problems


CASES, PROBLEMS = load_cases()


def actual_fields(result) -> dict:
    """Every field a case may check, read from a ScoreResult."""
    out = {"total": result.total, "recognized": result.recognized, "threshold": result.threshold}
    out["failed"] = sorted(
        f"{f.criterion}:{f.condition}" if f.criterion else f.condition for f in result.failed_conditions
    )
    for crit in result.criteria:
        out[crit.code] = crit.points
        out[f"{crit.code}.met"] = crit.met
        for comp in crit.components:
            out[f"{crit.code}/{comp.id}"] = comp.points
    return out


def mismatches(case: Case, result) -> list[str]:
    actual = actual_fields(result)
    lines = []
    for key, expected in case.output.items():
        got = actual.get(key)
        if key == "failed":
            expected = sorted(str(x) for x in expected)
        if got != expected:
            lines.append(f"{case.file}: {case.name}: {key} expected {expected!r} vs actual {got!r}")
    return lines


def run_case(case: Case, mode: str = "durable") -> list[str]:
    """Score one case; the list of mismatches (empty when the case passes)."""
    version = _registry().get(case.version)
    data = {"commune": {"code": "00000", "name": case.name, "category": case.category}, "year": 2024,
            "indicators": dict(case.indicators)}
    try:
        assessment = parse_assessment(data, version)
    except AssessmentError as exc:
        codes = sorted({p.code for p in exc.problems})
        if case.rejects is not None:
            expected = sorted(case.rejects)
            if codes != expected:
                return [f"{case.file}: {case.name}: rejects expected {expected!r} vs actual {codes!r} ({exc})"]
            return []
        return [f"{case.file}: {case.name}: input refused: {exc}"]
    if case.rejects is not None:
        return [f"{case.file}: {case.name}: rejects expected {sorted(case.rejects)!r} vs actual [] (input accepted)"]
    return mismatches(case, score(version, assessment, mode=mode))


@pytest.fixture(params=["durable", "python"])
def engine(request) -> str:
    """Run under the default engine (durable-rules checked by the evaluator) and the evaluator alone."""
    if request.param == "durable":
        from engine import rules

        problem = rules.import_error()
        if problem:
            pytest.skip(problem)
    return request.param


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_acceptance_case(case: Case, engine: str):
    failures = run_case(case, engine)
    assert not failures, f"[engine {engine}]\n" + "\n".join(failures)


def test_case_files_are_well_formed():
    assert not PROBLEMS, "\n".join(PROBLEMS)


def test_there_are_enough_cases():
    assert len(CASES) >= MIN_CASES, f"{len(CASES)} acceptance cases in {CASES_DIR}, expected at least {MIN_CASES}"


def test_cases_cover_every_criterion_and_category():
    version = _registry().get("qd06-2019")
    mine = [c for c in CASES if c.version == version.id]
    checked = {k.split(".")[0].split("/")[0] for c in mine for k in c.output}
    missing = [c.code for c in version.criteria if c.code not in checked]
    assert not missing, f"no acceptance case checks {missing}"
    categories = {c.category for c in mine if c.output.get("recognized") is not None}
    assert categories >= {c.id for c in version.categories}


def test_threshold_minus_one_is_unreachable():
    """Why the threshold cases test ``threshold - 5`` and not ``threshold - 1``.

    Every point value of qd06-2019 is a multiple of 5, so every total is: 899, 849 and 799 cannot be scored
    and the nearest total below each threshold is threshold - 5. If this test fails, the points changed and
    criteria/tests/ should gain cases at exactly threshold - 1.
    """
    version = _registry().get("qd06-2019")
    points = []
    for crit in version.criteria:
        for comp in crit.components:
            if isinstance(comp, YesNo):
                points.append(comp.points)
            else:
                points.extend(b.points for b in comp.bands)
                empty = getattr(comp, "if_denominator_zero", None)
                if empty is not None:
                    points.append(empty.points)
    step = reduce(math.gcd, points)
    for cat in version.categories:
        assert (cat.threshold - 1) % step != 0, f"{cat.id}: total {cat.threshold - 1} is reachable now"
