"""The typed score (engine/result.py): strict and frozen, JSON round trip, scores stored before version 2,
typed outcomes and structured explanations."""

from __future__ import annotations

import json
import random

import pytest
from pydantic import ValidationError

from engine.assessment import Assessment, Commune, check_values
from engine.checks import band_range
from engine.loader import Registry, fingerprint
from engine.models import YesNo
from engine.outcome import EMPTY, NO, YES, Outcome, band_outcome
from engine.result import SCHEMA_VERSION, ComponentResult, ScoreResult, StoredScoreError
from engine.scoring import score
from engine.template import example_values

VERSION = Registry.load().get("qd06-2019")

# Every field of a stored score before version 2 (the JSON of `cfc score --json` documents them).
V1_FIELDS = {"criteria_version", "provisional", "commune", "category", "total", "max_total", "threshold",
             "recognized", "criteria", "failed_conditions", "gaps", "plan", "engine", "engine_version", "year",
             "assessed_on", "notices"}
V1_COMPONENT_FIELDS = {"id", "kind", "label", "points", "max_points", "outcome", "matched", "values", "measured",
                       "explanation", "verified"}


def assess(values: dict, category: str = "other") -> Assessment:
    return Assessment(Commune("23335", "Xã Đắk Rơ Wa", category), 2024, None, VERSION.id,
                      check_values(VERSION, values, category))


def varied(n: int) -> list[dict]:
    """The example, then assessments with empty denominators, missed bands and large counts."""
    rng = random.Random(6)
    out = [dict(example_values())]
    for _ in range(n):
        values = dict(example_values())
        values.update({"TC03.children": rng.choice([0, 2400, 12_345]), "TC01.officer": rng.random() < 0.5,
                       "TC13.satisfaction": rng.choice([55, 79.99, 86.5, 100])})
        values["TC03.abused"] = min(values["TC03.children"], rng.choice([0, 1, 7, 40]))
        values["TC07.fully_immunised"] = rng.choice([0, 44, 48, 49, 50])
        out.append(values)
    return out


SCORES = [score(VERSION, assess(v)) for v in varied(12)]
EXAMPLE = SCORES[0]


@pytest.mark.parametrize("mode", ["durable", "python"])
def test_score_to_json_and_back_is_equal(mode):
    for values in varied(12):
        result = score(VERSION, assess(values), mode=mode)
        text = json.dumps(result.to_dict(), ensure_ascii=False)
        back = ScoreResult.from_stored(json.loads(text))
        assert back == result
        assert back.to_dict() == result.to_dict()


def test_version_2_fields_and_every_version_1_field():
    data = EXAMPLE.to_dict()
    assert set(data) >= V1_FIELDS
    assert set(data) - V1_FIELDS == {"schema_version", "fingerprint"}
    assert data["schema_version"] == SCHEMA_VERSION == 2
    assert data["fingerprint"] == fingerprint(VERSION)
    for crit in data["criteria"]:
        for comp in crit["components"]:
            assert set(comp) - V1_COMPONENT_FIELDS == {"measured_exact"}
            assert isinstance(comp["outcome"], str)  # written "band:0" / "yes" / "no" / "empty" as before


def version_1(data: dict) -> dict:
    """A score as the untyped version stored it: no schema_version, fingerprint or measured_exact."""
    old = json.loads(json.dumps(data))
    del old["schema_version"], old["fingerprint"]
    for crit in old["criteria"]:
        for comp in crit["components"]:
            del comp["measured_exact"]
    return old


def test_a_version_1_score_is_read_with_safe_defaults():
    for result in SCORES:
        old = ScoreResult.from_stored(version_1(result.to_dict()))
        assert old.schema_version == 1
        assert old.fingerprint is None  # unknown
        assert (old.total, old.recognized, old.commune.name) == (result.total, result.recognized, "Xã Đắk Rơ Wa")
        for was, now in zip(old.criteria, result.criteria, strict=True):
            for a, b in zip(was.components, now.components, strict=True):
                assert a.measured_exact is None
                assert a.outcome == b.outcome and isinstance(a.outcome, Outcome)
                assert a.describe() == b.describe()


def test_a_version_1_explanation_is_kept_as_prose_and_described_from_the_fields():
    data = version_1(EXAMPLE.to_dict())
    comp = data["criteria"][2]["components"][0]  # TC03: 1 abused of 2400 children
    comp["explanation"] = "TC03/abuse_rate: TC03.abused = 1 / TC03.children = 2400 = 0,41…: 0 < tỷ suất ≤ 1 → 70 điểm"
    old = ScoreResult.from_stored(data).criteria[2].components[0]
    assert old.explanation == comp["explanation"]
    assert old.describe() == "TC03.abused = 1 / TC03.children = 2.400 = 0,41…: 0 < tỷ suất ≤ 1 → 70 điểm"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d.update(colour="red"), "colour"),  # unknown field
        (lambda d: d.update(total="935"), "total"),  # strict: text is no number
        (lambda d: d.pop("criteria"), "criteria"),
        (lambda d: d["criteria"][0]["components"][0].update(outcome="band:x"), "outcome"),
        (lambda d: d["criteria"][0]["components"][0].update(outcome="maybe"), "outcome"),
        (lambda d: d["failed_conditions"].append({"condition": "luck", "message": "x"}), "condition"),
        (lambda d: d["gaps"].append({"criterion": "TC01"}), "gaps"),
    ],
)
def test_a_broken_stored_score_is_a_clear_error(change, fragment):
    data = EXAMPLE.to_dict()
    change(data)
    with pytest.raises(StoredScoreError, match="a stored score cannot be read") as info:
        ScoreResult.from_stored(data)
    assert fragment in str(info.value)


@pytest.mark.parametrize("data", [None, [], "score", 935])
def test_a_stored_score_is_a_mapping(data):
    with pytest.raises(StoredScoreError, match="is a mapping"):
        ScoreResult.from_stored(data)


def test_the_result_is_frozen():
    with pytest.raises(ValidationError):
        EXAMPLE.total = 1000
    with pytest.raises(ValidationError):
        EXAMPLE.criteria[0].components[0].points = 0


def test_outcomes_are_typed_and_name_the_band_matched():
    kinds = set()
    for result in SCORES:
        for crit, criterion in zip(result.criteria, VERSION.criteria, strict=True):
            for comp, component in zip(crit.components, criterion.components, strict=True):
                assert isinstance(comp.outcome, Outcome)
                kinds.add(comp.outcome.kind)
                if isinstance(component, YesNo):
                    assert comp.outcome in (YES, NO)
                    assert comp.matched == ("có" if comp.outcome == YES else "không")
                elif comp.outcome == EMPTY:
                    assert comp.measured is None and comp.measured_exact is None
                    assert comp.points == component.if_denominator_zero.points
                else:
                    band = component.bands[comp.outcome.band]
                    assert comp.matched == band_range(component.kind, band)
                    assert comp.points == band.points
    assert kinds == {"band", "yes", "no", "empty"}


@pytest.mark.parametrize(("text", "outcome"), [("band:0", band_outcome(0)), ("band:12", band_outcome(12)),
                                               ("yes", YES), ("no", NO), ("empty", EMPTY)])
def test_an_outcome_reads_and_writes_its_text(text, outcome):
    assert Outcome.parse(text) == outcome
    assert str(outcome) == text
    assert Outcome.model_validate(text) == outcome
    assert outcome.model_dump() == text


@pytest.mark.parametrize("text", ["band:", "band:-1", "band:x", "yes:1", "maybe", "", "BAND:0"])
def test_an_unknown_outcome_text_is_refused(text):
    with pytest.raises(ValueError, match="not an outcome"):
        Outcome.parse(text)


def test_an_outcome_has_a_band_index_exactly_when_it_is_a_band():
    with pytest.raises(ValidationError, match="has no band index"):
        Outcome(kind="yes", band=1)
    with pytest.raises(ValidationError, match="needs band index"):
        Outcome(kind="band")


def test_explanations_are_made_from_the_structure_in_vietnamese_numbers():
    big = score(VERSION, assess(dict(example_values(), **{"TC03.children": 12_345, "TC03.abused": 7})))
    comp = big.criteria[2].components[0]
    assert comp.values == {"TC03.abused": 7, "TC03.children": 12_345}
    assert comp.measured_exact == "1400/2469"  # 7 * 1000 / 12345, exact
    assert comp.measured == "0,56…"
    assert comp.explanation == ("TC03/abuse_rate: TC03.abused = 7 / TC03.children = 12.345 = 0,56…: "
                                "0 < tỷ suất ≤ 1 → 70 điểm")
    immunisation = EXAMPLE.criteria[6].components[0]
    assert immunisation.explanation == ("TC07/immunisation: TC07.fully_immunised = 49 / TC07.children_under_1 = 50 "
                                        "= 98%: tỷ lệ % ≥ 98 → 50 điểm")
    assert (immunisation.outcome, immunisation.measured, immunisation.measured_exact) == (band_outcome(0), "98", "98")
    survey = EXAMPLE.criteria[12].components[0]
    assert survey.explanation == "TC13/satisfaction: TC13.satisfaction = 86,5: điểm ≥ 80 → 75 điểm"
    officer = EXAMPLE.criteria[0].components[0]
    assert officer.explanation == "TC01/officer: TC01.officer = có → 50 điểm"
    for result in SCORES:
        for crit in result.criteria:
            for c in crit.components:
                assert c.explanation == f"{crit.code}/{c.id}: {c.describe()}"


def test_a_component_result_is_strict():
    data = EXAMPLE.criteria[6].components[0].model_dump()
    assert ComponentResult.model_validate(data) == EXAMPLE.criteria[6].components[0]
    with pytest.raises(ValidationError):
        ComponentResult.model_validate(dict(data, points="50"))
    with pytest.raises(ValidationError):
        ComponentResult.model_validate(dict(data, kind="ratio"))
