"""A batch decision is one act of one issuing body (``dossiers.service.batch``), on SQLite and PostgreSQL.

Under procedure-2019 the district's People's Committee decides: recognising a dossier of Thành phố Kon Tum (608)
and one of Huyện Đắk Glei (610) under one number is refused as a whole, naming both bodies and their dossiers,
and nothing changes; two dossiers of Thành phố Kon Tum become one decision listing both ("Công nhận 02 đơn
vị"); a batch refusal (reject) is no decision of a body and goes on as before.
"""

from __future__ import annotations

import io
import unicodedata

import pytest
from conftest import C1, C2, C_OTHER_DISTRICT, advance
from pypdf import PdfReader
from sqlalchemy import func, select

import certificates as docs
from dossiers import issuance
from dossiers.audit import local_date, now
from dossiers.models import AuditEntry, Dossier
from dossiers.users import add_user
from engine.workflow import TransitionRefused

YEAR = 2023
DECISION = {"decision_number": "201/QĐ-UBND", "signer_name": "Lê Văn Hùng"}


@pytest.fixture(scope="module")
def dossiers(world) -> dict[str, int]:
    """Verified dossiers of the round: two of Thành phố Kon Tum (608), one of Huyện Đắk Glei (610)."""
    with world.service.transaction() as s:
        add_user(s, "c3", "secret", C_OTHER_DISTRICT, ["commune_officer"], unit_level="commune")
        add_user(s, "d2", "secret", "610", ["district_appraiser"], unit_level="district")
    u = world.users
    made = {}
    for name, commune, officer, appraiser, chair in (
            ("kon_tum", C1, u["commune_officer"], u["district_appraiser"], u["district_chair"]),
            ("kon_tum_too", C2, u["neighbour_officer"], u["district_appraiser"], u["district_chair"]),
            ("dak_glei", C_OTHER_DISTRICT, "c3", "d2", u["other_district_chair"])):
        made[name] = advance(world.service, commune, YEAR, "verified", officer=officer, appraiser=appraiser,
                             chair=chair, approver=u["province_approver"])
    return made


def _versions(world, ids: list[int]) -> dict[int, int]:
    return {i: world.service.get(world.users["province_approver"], i).lock_version for i in ids}


def _state(world) -> tuple:
    with world.service.transaction(readonly=True) as s:
        return (s.scalar(select(func.count()).select_from(AuditEntry)),
                sorted(s.execute(select(Dossier.id, Dossier.status, Dossier.lock_version)).all()))


def test_a_batch_of_two_issuing_bodies_is_refused_naming_them_and_nothing_changes(world, dossiers):
    ids = [dossiers["kon_tum"], dossiers["dak_glei"]]
    before = _state(world)
    with pytest.raises(TransitionRefused) as caught:
        world.service.decide_batch(world.users["province_approver"], ids, "recognize", _versions(world, ids),
                                   decision_date=local_date(now()), **DECISION)
    assert _state(world) == before
    (reason,) = caught.value.reasons
    text = str(reason)
    assert f"ỦY BAN NHÂN DÂN THÀNH PHỐ KON TUM (#{ids[0]})" in text
    assert f"ỦY BAN NHÂN DÂN HUYỆN ĐẮK GLEI (#{ids[1]})" in text
    assert "hãy ra quyết định riêng cho hồ sơ của từng cơ quan" in text


def test_a_batch_of_one_issuing_body_is_one_decision_listing_both(world, dossiers):
    ids = [dossiers["kon_tum"], dossiers["kon_tum_too"]]
    done, refused = world.service.decide_batch(world.users["province_approver"], ids, "recognize",
                                               _versions(world, ids), decision_date=local_date(now()), **DECISION)
    assert (done, refused) == (ids, [])
    with world.service.transaction(readonly=True) as s:
        fields = [issuance.decision_fields(s, s.get(Dossier, i)) for i in ids]
    assert fields[0]["communes"] == fields[1]["communes"] and len(fields[0]["communes"]) == 2
    pdf = docs.decision_pdf(docs.from_dict(docs.DecisionData, fields[0]))
    text = unicodedata.normalize("NFC", " ".join(" ".join((p.extract_text() or "").split())
                                                 for p in PdfReader(io.BytesIO(pdf)).pages))
    for expected in ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ KON TUM", "Số: 201/QĐ-UBND", "Công nhận 02 đơn vị", "Lê Văn Hùng"):
        assert expected in text, expected


def test_a_batch_rejection_is_no_decision_of_a_body(world, dossiers):
    ids = [dossiers["dak_glei"]]
    done, refused = world.service.decide_batch(world.users["province_approver"], ids, "reject",
                                               _versions(world, ids), reason="Chưa đạt tiêu chí TC07")
    assert (done, refused) == (ids, [])
    assert world.service.get(world.users["province_approver"], ids[0]).status == "not_recognized"
