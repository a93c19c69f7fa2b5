"""An appraisal belongs to one submission: a return clears the appraised values, comments, verified score and
panel (the history keeps them), and a resubmitted dossier cannot be verified until every indicator has been
appraised again."""

from __future__ import annotations

import json

import pytest
from conftest import C1

from dossiers.bulk.export import export_results
from dossiers.models import IndicatorValue
from engine.errors import AccessDenied
from engine.template import example_values
from engine.workflow import TransitionRefused

PANEL = ["Nguyễn Văn A (Chủ tịch hội đồng)", "Trần Thị B"]
# the commune lowers its values after the return: TC01 at 0 points makes the dossier ineligible
LOWER = {"TC01.officer": False, "TC01.collaborators": False, "TC01.board": False, "TC01.budget": False}


def walk_to_submitted(world) -> int:
    u = world.users
    code, year = world.fresh_slot([C1], range(2019, 2025))
    view = world.service.create(u["commune_officer"], code, year)
    world.service.set_values(u["commune_officer"], view.id, example_values())
    world.service.transition(u["commune_officer"], view.id, "submit")
    return view.id


def test_a_return_clears_the_appraisal_and_a_resubmission_must_be_appraised_again(world):
    u, svc = world.users, world.service
    dossier = walk_to_submitted(world)
    svc.appraise(u["district_appraiser"], dossier, example_values(), {"TC02.children_born": "Đối chiếu sổ hộ tịch"})
    svc.transition(u["district_appraiser"], dossier, "return", reason="Thiếu minh chứng TC07")

    returned = svc.get(u["commune_officer"], dossier)
    assert all(v["appraised"] is None and v["comment"] is None for v in returned.values.values())
    entry = svc.history(u["commune_officer"], dossier)[-1]
    assert entry["action"] == "transition.return"
    assert entry["before"]["appraised"]["TC02.children_born"] is not None  # the history keeps the appraisal
    assert entry["before"]["comments"] == {"TC02.children_born": "Đối chiếu sổ hộ tịch"}

    svc.set_values(u["commune_officer"], dossier, LOWER)
    svc.transition(u["commune_officer"], dossier, "submit")
    resubmitted = svc.get(u["district_chair"], dossier)
    assert resubmitted.submission == 2 and not resubmitted.self_score.recognized
    with pytest.raises(TransitionRefused, match="chưa thẩm định đủ các chỉ số") as refused:
        svc.transition(u["district_chair"], dossier, "verify", panel_members=PANEL,
                       expected_version=resubmitted.lock_version)
    assert "TC01.officer" in str(refused.value)
    assert svc.get(u["district_chair"], dossier).status == "submitted"

    # appraising half of it is not enough; appraising all of it verifies on the new values
    half = dict(list({**example_values(), **LOWER}.items())[:10])
    svc.appraise(u["district_appraiser"], dossier, half)
    with pytest.raises(TransitionRefused, match="chưa thẩm định đủ"):
        svc.check_transition(u["district_chair"], dossier, "verify", panel_members=PANEL)
    svc.appraise(u["district_appraiser"], dossier, {**example_values(), **LOWER})
    verified = svc.transition(u["district_chair"], dossier, "verify", panel_members=PANEL)
    assert verified.status == "verified" and not verified.verified_score.recognized
    assert verified.verified_score.total == verified.self_score.total


def test_a_return_from_verified_clears_the_score_and_panel_everywhere(world, tmp_path):
    u, svc = world.users, world.service
    dossier = walk_to_submitted(world)
    svc.appraise(u["district_appraiser"], dossier, example_values())
    svc.transition(u["district_chair"], dossier, "verify", panel_members=PANEL)
    svc.transition(u["province_officer"], dossier, "return", reason="Hội đồng cần thẩm định lại TC05")

    view = svc.get(u["province_officer"], dossier)
    assert (view.status, view.verified_score, view.panel_members) == ("draft", None, None)
    listed = next(v for v in svc.list(u["province_officer"], view.year) if v.id == dossier)
    assert listed.verified_score is None and listed.score is listed.self_score
    entry = svc.history(u["province_officer"], dossier)[-1]
    assert entry["before"]["panel_members"] == PANEL and entry["before"]["verified_total"] is not None

    export_results(svc, u["province_officer"], view.year, tmp_path / "round.csv")
    text = (tmp_path / "round.csv").read_text(encoding="utf-8-sig")
    line = next(row for row in text.splitlines() if C1 in row)
    assert "Đang soạn" in line or "draft" in line


def test_an_appraisal_saved_before_the_latest_submission_does_not_count(world):
    """Values appraised for an earlier submission (e.g. kept by a return before this rule) are not shown and
    do not count; saving them again for this submission does."""
    u, svc = world.users, world.service
    dossier = walk_to_submitted(world)
    svc.appraise(u["district_appraiser"], dossier, example_values())
    with svc.transaction() as s:  # as a dossier returned before the rule would be: appraised for submission 0
        for value in s.query(IndicatorValue).filter(IndicatorValue.dossier_id == dossier):
            value.appraised_in = 0
    view = svc.get(u["district_chair"], dossier)
    assert all(v["appraised"] is None for v in view.values.values())
    with pytest.raises(TransitionRefused, match="chưa thẩm định đủ"):
        svc.check_transition(u["district_chair"], dossier, "verify", panel_members=PANEL)
    again = svc.appraise(u["district_appraiser"], dossier, example_values())
    assert all(v["appraised"] is not None for v in again.values.values())
    saved = svc.history(u["district_appraiser"], dossier)[-1]
    assert saved["action"] == "values.appraise" and len(json.dumps(saved["after"])) > 10
    assert svc.check_transition(u["district_chair"], dossier, "verify", panel_members=PANEL) == "verified"


def test_a_field_left_blank_never_takes_an_appraisal_of_an_earlier_submission(world):
    """The appraiser sees an earlier submission's appraisal as blank; leaving the field blank keeps it out (it
    used to become this submission's appraised value, with no audit entry)."""
    u, svc = world.users, world.service
    dossier = walk_to_submitted(world)
    svc.appraise(u["district_appraiser"], dossier, example_values())
    with svc.transaction() as s:  # appraised for an earlier submission
        for value in s.query(IndicatorValue).filter(IndicatorValue.dossier_id == dossier):
            value.appraised_in = 0
    blank = {code: "" for code in example_values()}
    svc.appraise(u["district_appraiser"], dossier, blank)
    view = svc.get(u["district_chair"], dossier)
    assert all(v["appraised"] is None for v in view.values.values())
    with pytest.raises(TransitionRefused, match="chưa thẩm định đủ"):
        svc.check_transition(u["district_chair"], dossier, "verify", panel_members=PANEL)
    typed = dict(example_values())
    code = next(iter(typed))
    svc.appraise(u["district_appraiser"], dossier, {**blank, code: typed[code]})  # one typed: that one counts
    view = svc.get(u["district_chair"], dossier)
    assert [c for c, v in view.values.items() if v["appraised"] is not None] == [code]


def test_a_shared_number_appraised_once_counts_for_its_copies(world):
    """The number of children (``same_as``) typed once, at its source, is appraised for its copies too."""
    u, svc = world.users, world.service
    dossier = walk_to_submitted(world)
    values = {k: v for k, v in example_values().items() if k not in ("TC04.children", "TC05.children")}
    view = svc.appraise(u["district_appraiser"], dossier, values)
    assert view.values["TC04.children"]["appraised"] == view.values["TC03.children"]["appraised"] is not None
    assert svc.check_transition(u["district_chair"], dossier, "verify", panel_members=PANEL) == "verified"


def test_evidence_of_a_submitted_dossier_cannot_be_deleted(world):
    u, svc = world.users, world.service
    code, year = world.fresh_slot([C1], range(2019, 2025))
    view = svc.create(u["commune_officer"], code, year)
    view = svc.add_evidence(u["commune_officer"], view.id, "TC07", "so-tiem.pdf", b"%PDF-1.4\n%%EOF\n")
    evidence = view.evidence[0]["id"]
    svc.set_values(u["commune_officer"], view.id, example_values())
    svc.transition(u["commune_officer"], view.id, "submit")
    with pytest.raises(TransitionRefused, match="chỉ xoá minh chứng khi hồ sơ đang soạn"):
        svc.delete_evidence(u["commune_officer"], view.id, evidence)
    with pytest.raises(AccessDenied):  # the appraiser has no delete_evidence step at all
        svc.delete_evidence(u["district_appraiser"], view.id, evidence)
    assert [e["id"] for e in svc.get(u["commune_officer"], view.id).evidence] == [evidence]
