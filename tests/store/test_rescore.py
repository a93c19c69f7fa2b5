"""Re-scoring after a correction of the criteria, through the dossier service, on SQLite and PostgreSQL.

The corrected service reads a copy of the criteria where two provisional values were changed in place (the
second band of TC03 gives 55 points instead of 70; a commune of category "other" needs 900): the example
assessment scores 935 under the shipped content and 920 under the corrected one, still eligible.
"""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from dossiers.models import AuditEntry
from dossiers.service import DossierService
from dossiers.service.rescore import rescore_all, stale_dossiers
from engine.edit import set_value
from engine.errors import AccessDenied, ConflictError
from engine.loader import Registry, default_directory
from engine.workflow import TransitionRefused

EDITS = (("TC03/abuse_rate/bands/1/points", "55"), ("categories/other/threshold", "900"))


@pytest.fixture(scope="module")
def corrected(world, tmp_path_factory) -> DossierService:
    folder = tmp_path_factory.mktemp("criteria") / "criteria"
    shutil.copytree(default_directory(), folder)
    for locator, value in EDITS:
        set_value(folder / "qd06-2019.yaml", locator, value, by="ra")
    return DossierService(world.service.sessions, registry=Registry.load(folder),
                          procedures=world.service.procedures, settings=world.service.settings)


def audit_count(world) -> int:
    with world.service.transaction() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry))


def last_rescore(world, dossier_id: int) -> dict:
    entries = [e for e in world.service.history(world.users["province_officer"], dossier_id)
               if e["action"] == "dossier.rescore"]
    return entries[-1]


def test_a_dossier_at_work_gets_its_scores_replaced(world, corrected):
    u = world.users
    dossier = world.dossier_2019("verified")
    assert world.service.get(u["province_officer"], dossier).stale_scores == []
    seen = corrected.get(u["province_officer"], dossier)
    assert seen.stale_scores == ["self_score", "verified_score"]
    view = corrected.rescore(u["district_appraiser"], dossier, seen.lock_version)
    assert view.status == "verified" and view.lock_version == seen.lock_version + 1
    assert (view.self_score.total, view.verified_score.total) == (920, 920) and view.stale_scores == []
    assert view.verified_score.fingerprint == view.criteria_fingerprint
    entry = last_rescore(world, dossier)
    assert entry["actor"] == u["district_appraiser"] and entry["target"] == "qd06-2019"
    assert {k: v["total"] for k, v in entry["before"].items()} == {"self_score": 935, "verified_score": 935}
    assert {k: v["total"] for k, v in entry["after"].items()} == {"self_score": 920, "verified_score": 920}


def test_a_recognised_dossier_keeps_its_decision_and_its_score(world, corrected):
    u = world.users
    dossier = world.dossier_2019("recognized")
    view = corrected.rescore(u["province_approver"], dossier)
    assert view.status == "recognized" and view.decision_number == "1/QĐ-UBND"
    assert view.verified_score.total == 935 and view.rescored_score.total == 920 and view.rescored_score.recognized
    assert view.stale_scores == []
    entry = last_rescore(world, dossier)
    assert entry["before"]["rescored_score"]["total"] == 935 and entry["after"]["recognition_holds"] is True


def test_refusals_change_nothing(world, corrected):
    u = world.users
    dossier = world.dossier_2019("submitted")
    version = corrected.get(u["province_officer"], dossier).lock_version
    before = audit_count(world)
    for who in ("commune_officer", "rules_admin", "other_district_chair"):
        with pytest.raises(AccessDenied):
            corrected.rescore(u[who], dossier, version)
    with pytest.raises(ConflictError):
        corrected.rescore(u["district_chair"], dossier, version - 1)
    with pytest.raises(TransitionRefused, match="không có gì để tính lại"):
        world.service.rescore(u["district_chair"], dossier, version)  # the content it was scored with
    assert audit_count(world) == before and corrected.get(u["province_officer"], dossier).lock_version == version
    corrected.rescore(u["district_chair"], dossier, version)
    with pytest.raises(TransitionRefused, match="không có gì để tính lại"):
        corrected.rescore(u["district_chair"], dossier)


def test_a_round_under_the_2025_procedure(world, corrected):
    u = world.users
    dossier = world.dossier_2025("recognized")
    year = corrected.get(u["province_officer_2025"], dossier).year
    assert stale_dossiers(corrected, u["other_province_officer_2025"], year) == []  # another province
    with pytest.raises(AccessDenied):  # no district under procedure-2025
        stale_dossiers(corrected, u["district_appraiser"], year)
    candidates = stale_dossiers(corrected, u["province_officer_2025"], year)
    assert [c.dossier_id for c in candidates] == [dossier]
    ticks = []
    done, refused = rescore_all(corrected, u["province_officer_2025"], candidates, ticks.append)
    assert refused == [] and ticks == [1] and [d.dossier_id for d in done] == [dossier]
    assert done[0].before["rescored_score"]["total"] == 935 and done[0].after["rescored_score"]["total"] == 920
    assert done[0].changed
    assert stale_dossiers(corrected, u["province_officer_2025"], year) == []
