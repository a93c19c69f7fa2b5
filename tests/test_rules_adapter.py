"""The durable-rules adapter (engine/rules.py): results, session hygiene, threads, and the engine switch."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from cfc import main
from criteria import DIRECTORY
from engine import evaluate, rules, scoring
from engine.assessment import check_values, parse_assessment
from engine.errors import CfcError
from engine.loader import load_version
from engine.models import Count, Percentage, Rate, Survey, YesNo
from engine.outcome import Outcome, band_outcome
from engine.template import example_header, example_values, template

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = DIRECTORY / "qd06-2019.yaml"
VERSION = load_version(SHIPPED)


def random_values(rng: random.Random) -> dict:
    """A valid set of raw indicator values, biased towards band edges and empty denominators."""
    raw: dict = {}
    components = [k for c in VERSION.criteria for k in c.components]
    for comp in components:
        if isinstance(comp, Percentage | Rate):
            den = comp.denominator if isinstance(comp, Percentage) else comp.population
            raw.setdefault(den, rng.choice([0, rng.randint(1, 60), rng.randint(1, 5000), rng.choice([50, 200, 1000, 3000])]))
    for comp in components:
        if isinstance(comp, Percentage):
            d = raw[comp.denominator]
            raw[comp.numerator] = rng.choice([d, rng.randint(0, d), d - d // 50, d * 19 // 20, d * 9 // 10, d * 4 // 5])
        elif isinstance(comp, Rate):
            d = raw[comp.population]
            edges = [d * k // comp.per for k in (1, 2, 5, 10, 15, 20, 25)]
            raw[comp.cases] = min(d, rng.choice([0, 1, 2, rng.randint(0, max(1, d // 20)), *edges]))
        elif isinstance(comp, Count):
            raw[comp.count] = rng.randint(0, 3)
        elif isinstance(comp, Survey):
            raw[comp.score] = rng.choice([rng.randint(0, 10000) / 100, 50, 70, 80, 100, 0, 79.99, 69.99, 49.99])
        elif isinstance(comp, YesNo):
            raw[comp.indicator] = rng.random() < 0.7
    return raw


@pytest.fixture(scope="module")
def samples() -> list[dict]:
    rng = random.Random(2019)
    out = [check_values(VERSION, dict(example_values()))]
    out += [check_values(VERSION, random_values(rng)) for _ in range(120)]
    return out


@pytest.fixture(scope="module")
def expected(samples) -> list[dict]:
    return [evaluate.evaluate(VERSION, values) for values in samples]


def with_values(**changes) -> dict:
    raw = dict(example_values())
    raw.update({k.replace("__", "."): v for k, v in changes.items()})
    return check_values(VERSION, raw)


def test_durable_agrees_with_the_independent_evaluator(samples, expected):
    assert [rules.evaluate(VERSION, values) for values in samples] == expected


@pytest.mark.parametrize(
    ("changes", "key", "outcome"),
    [
        ({"TC07__fully_immunised": 49, "TC07__children_under_1": 50}, "TC07/immunisation", "band:0"),  # exactly 98 %
        ({"TC07__fully_immunised": 48, "TC07__children_under_1": 50}, "TC07/immunisation", "band:1"),  # 96 %
        ({"TC07__fully_immunised": 45, "TC07__children_under_1": 50}, "TC07/immunisation", "band:2"),  # exactly 90 %
        ({"TC07__fully_immunised": 44, "TC07__children_under_1": 50}, "TC07/immunisation", "band:3"),  # 88 %
        ({"TC07__fully_immunised": 0, "TC07__children_under_1": 0}, "TC07/immunisation", "empty"),
        ({"TC07__fully_immunised": 0, "TC07__children_under_1": 7}, "TC07/immunisation", "band:3"),  # 0 %
        ({"TC06__cases_with_plan": 2, "TC06__cases": 2}, "TC06/intervention_plans", "band:0"),  # exactly 100 %
        ({"TC06__cases_with_plan": 1, "TC06__cases": 2}, "TC06/intervention_plans", "band:2"),
        ({"TC03__abused": 0}, "TC03/abuse_rate", "band:0"),  # rate 0
        ({"TC03__abused": 1, "TC03__children": 1000}, "TC03/abuse_rate", "band:1"),  # exactly 1 per 1000
        ({"TC03__abused": 2, "TC03__children": 1000}, "TC03/abuse_rate", "band:2"),  # exactly 2 per 1000
        ({"TC03__abused": 3, "TC03__children": 1000}, "TC03/abuse_rate", "band:3"),
        ({"TC03__abused": 0, "TC03__children": 0}, "TC03/abuse_rate", "empty"),
        ({"TC05__deaths": 0}, "TC05/deaths", "band:0"),
        ({"TC05__deaths": 1}, "TC05/deaths", "band:1"),
        ({"TC05__deaths": 2}, "TC05/deaths", "band:2"),
        ({"TC13__satisfaction": 80}, "TC13/satisfaction", "band:0"),
        ({"TC13__satisfaction": 79.99}, "TC13/satisfaction", "band:1"),
        ({"TC13__satisfaction": 0}, "TC13/satisfaction", "band:3"),
        ({"TC13__satisfaction": 100}, "TC13/satisfaction", "band:0"),
        ({"TC01__officer": False}, "TC01/officer", "no"),
        ({"TC01__officer": True}, "TC01/officer", "yes"),
    ],
)
def test_band_edges(changes, key, outcome):
    values = with_values(**changes)
    assert rules.evaluate(VERSION, values)[key] == Outcome.parse(outcome)
    assert evaluate.evaluate(VERSION, values)[key] == Outcome.parse(outcome)
    assert str(rules.evaluate(VERSION, values)[key]) == outcome


def test_no_session_state_is_left_after_evaluations(samples, expected, monkeypatch):
    original = rules._post
    posted: list[str] = []

    def spy(compiled, events):
        assert all(event["sid"] == rules.SESSION for event in json.loads(events))  # the one session
        posted.append(events)
        return original(compiled, events)

    monkeypatch.setattr(rules, "_post", spy)
    for i, values in enumerate(samples[:40]):
        assert rules.evaluate(VERSION, values) == expected[i]
        try:
            state = rules.session_state(VERSION, rules.SESSION)
        except Exception as exc:  # report what it does instead of returning
            pytest.fail(f"session_state(version, {rules.SESSION!r}) raised {type(exc).__module__}."
                        f"{type(exc).__name__}: {exc} instead of returning the session's state")
        assert isinstance(state, dict)
        assert set(state) <= {"sid", "id", "$s"}, f"facts left in the session: {state}"
    assert len(posted) == 40


def test_a_failed_evaluation_leaves_nothing_for_the_next_one(samples, expected, monkeypatch):
    """An event posted twice matches twice: the evaluation fails, and the event left over from it does not meet
    the next evaluation's events (the session's state is deleted)."""
    original = rules._events_text

    def doubled(compiled, values):
        events = json.loads(original(compiled, values))
        extra = dict(events[5], id=len(events))
        return json.dumps([*events, extra])

    monkeypatch.setattr(rules, "_events_text", doubled)
    with pytest.raises(rules.RulesEngineError, match="matched 2 rules, expected exactly one"):
        rules.evaluate(VERSION, samples[0])
    monkeypatch.setattr(rules, "_events_text", original)
    for i in range(1, 6):
        assert rules.evaluate(VERSION, samples[i]) == expected[i]


def test_an_interrupted_evaluation_leaves_nothing_for_the_next_one(samples, expected, monkeypatch):
    """Ctrl-C while durable hands out the matched rules: the events not yet read, and the action durable holds
    open, are deleted with the session's state; the next evaluation gets its own results only."""
    import durable_rules_engine as native

    def interrupted(handle, state):
        raise KeyboardInterrupt

    monkeypatch.setattr(native, "complete_and_start_action", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rules.evaluate(VERSION, samples[0])
    monkeypatch.undo()
    for i in range(1, 6):
        assert rules.evaluate(VERSION, samples[i]) == expected[i]


def test_2000_evaluations_in_a_row_stay_under_the_session_limit(samples, expected):
    n = len(samples)
    for i in range(2000):
        assert rules.evaluate(VERSION, samples[i % n]) == expected[i % n], f"evaluation {i}"


def test_8_threads_give_the_same_results_as_sequential(samples, expected):
    start = threading.Barrier(8)

    def worker(offset: int) -> list[tuple[int, dict]]:
        start.wait()
        order = list(range(60))
        order = order[offset * 7:] + order[:offset * 7]
        return [(i, rules.evaluate(VERSION, samples[i])) for i in order]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(worker, range(8)))
    for per_thread in results:
        assert len(per_thread) == 60
        for i, got in per_thread:
            assert got == expected[i], f"sample {i}"


def test_scoring_in_threads_matches_sequential_scoring(samples):
    assessments = [
        parse_assessment({"commune": {"code": str(i), "name": f"Xã {i}", "category": "other"},
                          "indicators": {k: (float(v) if isinstance(v, Decimal) else v) for k, v in values.items()}},
                         VERSION)
        for i, values in enumerate(samples[:24])
    ]
    sequential = [scoring.score(VERSION, a).to_dict() for a in assessments]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda a: scoring.score(VERSION, a).to_dict(), assessments))
    assert threaded == sequential
    assert {r["engine"] for r in threaded} == {"durable-rules+checked"}


def test_an_edited_version_gets_its_own_ruleset(tmp_path):
    text = SHIPPED.read_text(encoding="utf-8")
    for old, new in (("{min: 80, points: 75,", "{min: 90, points: 75,"), ("{min: 70, max: 80, points: 50,", "{min: 70, max: 90, points: 50,")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    path = tmp_path / "qd06-2019.yaml"
    path.write_text(text, encoding="utf-8")
    edited = load_version(path)
    assert rules.fingerprint(edited) != rules.fingerprint(VERSION)
    values = with_values(TC13__satisfaction=86.5)
    assert rules.evaluate(VERSION, values)["TC13/satisfaction"] == band_outcome(0)
    assert rules.evaluate(edited, values)["TC13/satisfaction"] == band_outcome(1)
    assert rules.evaluate(VERSION, values)["TC13/satisfaction"] == band_outcome(0)


# ------------------------------------------------------------------------------------------ engine mode
SCORE_IN_A_FRESH_PROCESS = """
import contextlib, io, json, sys
from cfc import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    main(["score", "--json", sys.argv[1]], standalone_mode=False)
result = json.loads(out.getvalue())
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("durable", "durable_rules_engine"))
print(json.dumps({"engine": result["engine"], "total": result["total"], "durable": loaded}))
"""


@pytest.fixture(scope="module")
def example_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("example") / "example.yaml"
    path.write_text(template(VERSION, example_values(), example_header()), encoding="utf-8")
    return path


def run_fresh(example_file: Path, engine: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CFC_ENGINE", "CFC_CRITERIA_DIR")}
    if engine is not None:
        env["CFC_ENGINE"] = engine
    done = subprocess.run([sys.executable, "-c", SCORE_IN_A_FRESH_PROCESS, str(example_file)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_python_engine_scores_without_importing_durable(example_file):
    result = run_fresh(example_file, "python")
    assert result["engine"] == "python"
    assert result["total"] == 935
    assert result["durable"] == []


def test_default_engine_does_use_durable(example_file):
    """The control for the test above: the same script does see durable when it is used."""
    result = run_fresh(example_file, None)
    assert result["engine"] == "durable-rules+checked"
    assert result["total"] == 935
    assert "durable" in result["durable"]


@pytest.mark.parametrize(("value", "mode"), [("python", "python"), ("durable", "durable"), ("", "durable"),
                                             (" Python ", "python")])
def test_engine_mode(value, mode):
    assert scoring.engine_mode(value) == mode


def test_both_engines_give_the_same_scores(samples):
    assessments = [
        parse_assessment({"commune": {"code": "1", "name": "Xã", "category": "ward_central_city"},
                          "indicators": {k: (float(v) if isinstance(v, Decimal) else v) for k, v in values.items()}},
                         VERSION)
        for values in samples[:20]
    ]
    with_durable = [scoring.score(VERSION, a).to_dict() for a in assessments]
    with_python = [scoring.score(VERSION, a, mode="python").to_dict() for a in assessments]
    for a, b in zip(with_durable, with_python, strict=True):
        assert (a.pop("engine"), b.pop("engine")) == ("durable-rules+checked", "python")
        assert a == b


def test_a_bogus_engine_is_a_clear_error(monkeypatch, tmp_path, example_file):
    with pytest.raises(CfcError, match=r"CFC_ENGINE='bogus': use 'durable' \(default\) or 'python'"):
        scoring.engine_mode("bogus")
    with pytest.raises(CfcError, match=r"CFC_ENGINE='bogus'"):
        scoring.score(VERSION, parse_assessment({"commune": {"code": "1", "name": "Xã", "category": "other"},
                                                 "indicators": example_values()}, VERSION), mode="bogus")
    monkeypatch.setenv("CFC_ENGINE", "bogus")
    monkeypatch.delenv("CFC_CRITERIA_DIR", raising=False)
    result = CliRunner().invoke(main, ["score", str(example_file)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "CFC_ENGINE='bogus'" in result.stderr
    assert isinstance(result.exception, SystemExit)


def test_the_events_posted_are_the_component_values_as_floats(samples):
    compiled = rules._compile(VERSION)
    components = [(f"{c.code}/{k.id}", k) for c in VERSION.criteria for k in c.components]
    for values in samples[:20]:
        events = json.loads(rules._events_text(compiled, values))
        assert [e["k"] for e in events] == [key for key, _ in components]
        assert [e["id"] for e in events] == list(range(len(components)))
        for event, (_, comp) in zip(events, components, strict=True):
            assert event["sid"] == rules.SESSION
            numbers = {k: v for k, v in event.items() if k not in ("k", "sid", "id")}
            assert all(type(v) is float for v in numbers.values())
            if isinstance(comp, YesNo):
                assert numbers == {"v": 1.0 if values[comp.indicator] else 0.0}
            elif isinstance(comp, Percentage):
                assert numbers == {"n": float(values[comp.numerator]), "d": float(values[comp.denominator])}
            elif isinstance(comp, Rate):
                assert numbers == {"n": float(values[comp.cases]), "d": float(values[comp.population])}
            else:
                code = comp.count if isinstance(comp, Count) else comp.score
                assert numbers == {"v": float(values[code])}


def test_the_matched_rules_must_name_each_component_once(samples):
    """What durable-rules fired is read back strictly: an unknown rule, a component no rule matched, or one that
    two rules matched is an error naming it."""
    compiled = rules._compile(VERSION)
    by_key = {meaning[0]: name for name, meaning in compiled.meaning.items() if meaning[1] == Outcome.parse("band:0")
              or meaning[1] == Outcome.parse("yes")}
    names = [by_key[key] for key in compiled.keys]
    assert list(rules._outcomes(compiled, names)) == list(compiled.keys)  # the version's order
    with pytest.raises(rules.RulesEngineError, match="fired an unknown rule 'r_999999'"):
        rules._outcomes(compiled, [*names, "r_999999"])
    with pytest.raises(rules.RulesEngineError, match=f"{compiled.keys[3]}: durable-rules matched 0 rules"):
        rules._outcomes(compiled, names[:3] + names[4:])
    with pytest.raises(rules.RulesEngineError, match=f"{compiled.keys[3]}: durable-rules matched 2 rules"):
        rules._outcomes(compiled, [*names, names[3]])


@pytest.mark.parametrize("component", ["officer", "satisfaction"])
def test_a_version_of_one_component_with_one_indicator_is_scored_by_durable(tmp_path, component):
    """The smallest version the loader accepts, one criterion of one yes/no item or one survey score: its events
    are filled from a single value (found by an independent review: a one-value reader returned a bare value)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    data = yaml.load(SHIPPED.read_text(encoding="utf-8"))
    crit = next(c for c in data["criteria"] if any(k["id"] == component for k in c["components"]))
    comp = next(k for k in crit["components"] if k["id"] == component)
    crit["components"] = [comp]
    used = {comp.get("indicator") or comp.get("score")}
    crit["indicators"] = [i for i in crit["indicators"] if i["code"] in used]
    top = comp.get("points") or max(b["points"] for b in comp["bands"])
    crit["max_points"], crit["met_at"] = top, 1
    data["criteria"], data["id"] = [crit], "one-item"
    data["max_total"]["points"] = top
    for category in data["categories"]:
        category["threshold"] = 1
    path = tmp_path / "one-item.yaml"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    version = load_version(path)
    code = next(iter(used))
    for value in ((True, False) if component == "officer" else (Decimal("86.5"), Decimal("0"))):
        values = check_values(version, {code: value})
        assert rules.evaluate(version, values) == evaluate.evaluate(version, values)
        assessment = parse_assessment({"commune": {"code": "1", "name": "Xã", "category": "other"},
                                       "indicators": {code: float(value) if isinstance(value, Decimal) else value}},
                                      version)
        assert scoring.score(version, assessment).to_dict() == {
            **scoring.score(version, assessment, "python").to_dict(), "engine": "durable-rules+checked"}
