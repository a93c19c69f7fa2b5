"""The province's batch decision, as a province officer walks it (defects found walking the demo).

A decision is one act of one issuing body: ticking #5 (Thành phố Kon Tum) and #14 (Huyện Đắk Glei) under one
number and signer is refused as a whole, naming both bodies and saying to decide each body's dossiers
separately, and nothing is recognised; ticking #5 and #6 (both Thành phố Kon Tum) recognises both under one
decision that lists them ("Công nhận 02 đơn vị"). A date that does not exist (31/02/2026) is named as such,
without the "tick a dossier" message, and a refusal for a missing signer shows no configuration internals.
"""

from __future__ import annotations

import re

from test_api import Unchanged
from test_documents_and_import import pdf_text

from dossiers.audit import local_date, now

KON_TUM, KON_TUM_TOO, DAK_GLEI = 5, 6, 14  # verified dossiers of the demo


def decide(site, ids: list[int], **fields):
    """Post the batch form for ``ids`` with the versions the province page listed."""
    client = site.client("province")
    page = client.get("/province/").get_data(as_text=True)
    versions = {f"version_{i}": re.search(rf'name="version_{i}" value="(\d+)"', page).group(1) for i in ids}
    data = {"csrf_token": site.csrf(client, "/province/"), "dossier": [str(i) for i in ids], "action": "recognize",
            "decision_number": "201/QĐ-UBND", "decision_date": f"{local_date(now()):%d/%m/%Y}",
            "signer_name": "Lê Văn Hùng", **versions, **fields}
    return client.post("/province/decide", data=data, follow_redirects=True)


def test_a_batch_of_two_issuing_bodies_is_refused_naming_them(fresh_site):
    site = fresh_site
    with Unchanged(site, KON_TUM), Unchanged(site, DAK_GLEI):
        answer = decide(site, [KON_TUM, DAK_GLEI])
        assert answer.status_code == 200
    flashes = site.flashes(answer.get_data(as_text=True))
    refusal = [f for f in flashes if "cơ quan ban hành" in f]
    assert len(refusal) == 1, flashes
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ KON TUM (#5)" in refusal[0]
    assert "ỦY BAN NHÂN DÂN HUYỆN ĐẮK GLEI (#14)" in refusal[0]
    assert "hãy ra quyết định riêng cho hồ sơ của từng cơ quan" in refusal[0]
    assert not any("Đã xử lý" in f for f in flashes)
    assert site.dossier(KON_TUM).status == site.dossier(DAK_GLEI).status == "verified"


def test_a_batch_of_one_issuing_body_is_one_decision_listing_both(fresh_site):
    site = fresh_site
    answer = decide(site, [KON_TUM, KON_TUM_TOO])
    assert any("Đã xử lý 2 hồ sơ" in f for f in site.flashes(answer.get_data(as_text=True)))
    assert site.dossier(KON_TUM).status == site.dossier(KON_TUM_TOO).status == "recognized"
    client = site.client("province")
    texts = [pdf_text(client.get(f"/dossiers/{i}/decision.pdf").get_data()) for i in (KON_TUM, KON_TUM_TOO)]
    for text in texts:
        assert "Công nhận 02 đơn vị" in text and "Số: 201/QĐ-UBND" in text and "Lê Văn Hùng" in text
        assert "Phường Trường Chinh" in text and "Phường Thắng Lợi" in text
    assert texts[0] == texts[1]


def test_a_date_that_does_not_exist_is_named_as_such(site):
    with Unchanged(site, KON_TUM):
        answer = decide(site, [KON_TUM], decision_date="31/02/2026")
        assert answer.status_code == 200
    flashes = site.flashes(answer.get_data(as_text=True))
    assert flashes == ["Ngày quyết định: Ngày không hợp lệ."], flashes


def test_no_dossier_ticked_says_so(site):
    client = site.client("province")
    answer = client.post("/province/decide", follow_redirects=True, data={
        "csrf_token": site.csrf(client, "/province/"), "action": "recognize", "decision_number": "201/QĐ-UBND",
        "decision_date": f"{local_date(now()):%d/%m/%Y}"})
    assert site.flashes(answer.get_data(as_text=True)) == ["Chọn ít nhất một hồ sơ."]


def test_a_missing_signer_is_refused_without_configuration_internals(site):
    with Unchanged(site, KON_TUM):
        answer = decide(site, [KON_TUM], signer_name="")
    flashes = site.flashes(answer.get_data(as_text=True))
    assert any(f.startswith("#5:") and "cần ghi họ tên người ký quyết định" in f for f in flashes), flashes
    assert not any("criteria/procedures" in f or "signers" in f for f in flashes), flashes



def test_the_confirmation_page_is_not_offered_for_two_issuing_bodies(site):
    """Without JavaScript the form asks first (``confirm=ask``): the refusal comes instead of the question."""
    with Unchanged(site, KON_TUM), Unchanged(site, DAK_GLEI):
        answer = decide(site, [KON_TUM, DAK_GLEI], confirm="ask")
        assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "Công nhận 2 hồ sơ" not in page
    assert any("ỦY BAN NHÂN DÂN HUYỆN ĐẮK GLEI (#14)" in f for f in site.flashes(page))


def test_the_confirmation_page_is_offered_for_one_issuing_body(site):
    with Unchanged(site, KON_TUM), Unchanged(site, KON_TUM_TOO):
        answer = decide(site, [KON_TUM, KON_TUM_TOO], confirm="ask")
        assert answer.status_code == 200
    assert "Công nhận 2 hồ sơ (#5, #6)?" in answer.get_data(as_text=True)
