"""The recognition cycle of the dated procedures (engine.cycle) and who may re-score (the procedures' rescore
step), as tables. Pure: no database."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from engine.cycle import RecognitionCycle
from engine.errors import CfcError
from engine.workflow import (
    load_procedures,
    procedure_by_id,
    procedures_directory,
    state_refusal,
    step_refusal,
)

PROCEDURES = load_procedures()
CYCLE = procedure_by_id("procedure-2019", PROCEDURES).cycle


def test_both_procedures_ship_the_same_provisional_cycle():
    cycles = {p.id: p.cycle for p in PROCEDURES}
    assert cycles["procedure-2019"] == cycles["procedure-2025"]
    assert CYCLE.provisional and not CYCLE.rounds.verified and not CYCLE.validity.verified
    assert "[S]" in CYCLE.rounds.source and "[?]" in CYCLE.validity.source


def test_rounds_are_november_of_the_second_and_fourth_plan_year():
    rounds = [y for y in range(2016, 2031) if CYCLE.is_round(y)]
    assert rounds == [2017, 2019, 2022, 2024, 2027, 2029]  # the domain notes: 2019, 2022, 2024, 2027, 2029
    assert CYCLE.round_end(2027) == dt.date(2027, 11, 30)


@pytest.mark.parametrize("day, expected", [
    (dt.date(2024, 11, 30), 2024),  # under way until the end of November
    (dt.date(2024, 12, 1), 2027),
    (dt.date(2026, 12, 3), 2027),
    (dt.date(2027, 1, 1), 2027),
    (dt.date(2028, 6, 1), 2029),
])
def test_the_upcoming_round(day, expected):
    assert CYCLE.upcoming_round(day) == expected


@pytest.mark.parametrize("year, end", [(2019, dt.date(2022, 11, 30)), (2022, dt.date(2024, 11, 30)),
                                       (2024, dt.date(2027, 11, 30)), (2025, dt.date(2027, 11, 30))])
def test_a_recognition_stands_until_the_end_of_the_next_round(year, end):
    assert CYCLE.validity_end(year, dt.date(year, 12, 20)) == end


def test_a_validity_counted_in_years_starts_at_the_decision():
    data = CYCLE.model_dump()
    data["validity"].update(until="years", years=3)
    cycle = RecognitionCycle.model_validate(data)
    assert cycle.validity_end(2024, dt.date(2024, 12, 20)) == dt.date(2027, 12, 19)
    assert cycle.validity_end(2024, dt.date(2024, 2, 29)) == dt.date(2027, 2, 28)


@pytest.mark.parametrize("old, new, message", [
    ("until: next_round", "until: years", "years is given exactly when until is 'years'"),
    ("plan_years: [2, 4]", "plan_years: [2, 6]", "plan_years must lie in 1..5"),
    ("month: 11", "month: 13", "less than or equal to 12"),
])
def test_a_wrong_cycle_is_refused_naming_the_file(tmp_path, old, new, message):
    folder = tmp_path / "procedures"
    shutil.copytree(procedures_directory(), folder)
    path = folder / "procedure-2025.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(CfcError) as refused:
        load_procedures(folder)
    assert "procedure-2025.yaml" in str(refused.value) and message in str(refused.value)


# who may re-score: (procedure, roles, level) → allowed
RESCORE = [
    ("procedure-2019", ["commune_officer"], "commune", False),
    ("procedure-2019", ["district_appraiser"], "district", True),
    ("procedure-2019", ["district_chair"], "district", True),
    ("procedure-2019", ["province_officer"], "province", True),
    ("procedure-2019", ["province_approver"], "province", True),
    ("procedure-2019", ["rules_admin"], "province", False),
    ("procedure-2019", ["sysadmin"], "province", False),
    ("procedure-2025", ["commune_officer"], "commune", False),
    ("procedure-2025", ["province_officer"], "province", True),
    ("procedure-2025", ["province_approver"], "province", True),
    ("procedure-2025", ["rules_admin", "sysadmin"], "province", False),
]


@pytest.mark.parametrize("procedure, roles, level, allowed", RESCORE)
def test_who_may_rescore(procedure, roles, level, allowed):
    refusal = step_refusal(procedure_by_id(procedure, PROCEDURES), "rescore", "recognized", roles, level, "u")
    assert (refusal is None) == allowed, refusal
    if not allowed:
        title = procedure_by_id(procedure, PROCEDURES).title
        assert refusal.startswith(f"tính lại điểm theo bộ tiêu chí hiện hành: theo quy trình ({title})")


@pytest.mark.parametrize("procedure", ["procedure-2019", "procedure-2025"])
def test_every_state_may_be_rescored(procedure):
    proc = procedure_by_id(procedure, PROCEDURES)
    for status in ("draft", "submitted", "verified", "recognized", "not_recognized", "revoked"):
        assert state_refusal(proc, "rescore", status) is None
