"""Recognition is a decision, through the API and the province's batch form (issue #10): a missing or bad
decision number or date is refused with the reason (409, or 422 naming the field for a date that is not one)
and stores nothing; a long reason is refused the same way; never a 500. The batch form and the dossier page's
revoke form (a decision too: number, date, signer, reason) label every field; the signer typed is recorded, a
blank title comes from the issuer configuration, and no signer at all is refused with the reason."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import select
from test_api import Unchanged

from dossiers.audit import local_date, now
from dossiers.models import Dossier
from dossiers.service.decisions import date_problem, number_problem

VERIFIED = 6  # a verified dossier of the demo (Thành phố Kon Tum)


def today() -> dt.date:
    return local_date(now())


def _recognize(api, site, dossier: int, **fields):
    version = site.dossier(dossier).lock_version
    return api.post(f"/api/v1/dossiers/{dossier}/transitions", "province",
                    json={"event": "recognize", "expected_version": version, **fields},
                    headers={"If-Match": str(version)})


# what is sent besides the event, what the refusal says
REFUSED = {
    "nothing": ({}, "cần ghi số quyết định"),
    "no-date": ({"decision_number": "107/QĐ-UBND"}, "cần ghi ngày quyết định"),
    "year-1": ({"decision_number": "107/QĐ-UBND", "decision_date": "0001-01-01"}, "trước ngày thẩm định"),
    "year-2099": ({"decision_number": "107/QĐ-UBND", "decision_date": "2099-01-01"}, "ở tương lai"),
    "before-verification": ({"decision_number": "107/QĐ-UBND", "decision_date": "2019-12-20"},
                            "trước ngày thẩm định"),
    "61-characters": ({"decision_number": "1/" + "Q" * 59}, "tối đa 60"),
    "100000-characters": ({"decision_number": "1" * 100_000}, "dài 100.000 ký tự"),
    "not-a-symbol": ({"decision_number": "quyết định"}, "không đúng dạng"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_the_api_refuses_a_bad_decision_with_409_and_the_reason(site, api, case):
    fields, says = REFUSED[case]
    fields = {"decision_date": today().isoformat(), **fields} if case != "no-date" else fields
    with Unchanged(site, VERIFIED):
        answer = _recognize(api, site, VERIFIED, **fields)
        assert answer.status_code == 409, answer.get_data(as_text=True)[:300]
    assert answer.json["event"] == "recognize" and any(says in r for r in answer.json["reasons"]), answer.json


def test_a_control_character_in_the_decision_number_is_a_422_naming_it(site, api):
    with Unchanged(site, VERIFIED):
        answer = _recognize(api, site, VERIFIED, decision_number="107/QĐ\u0000-UBND",
                            decision_date=today().isoformat())
        assert answer.status_code == 422
    assert answer.json["codes"] == ["decision_number"]


@pytest.mark.parametrize("text", ["20/12/2024", "2024-13-01", "20241220", "2024-12-20T00:00", "x" * 100_000])
def test_a_date_that_is_not_one_is_a_422_naming_the_field(site, api, text):
    with Unchanged(site, VERIFIED):
        answer = _recognize(api, site, VERIFIED, decision_number="107/QĐ-UBND", decision_date=text)
        assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert answer.json["codes"] == ["decision_date"] and "YYYY-MM-DD" in answer.json["error"]


def test_a_long_reason_is_refused_naming_the_field(site, api):
    with Unchanged(site, VERIFIED):
        answer = api.post(f"/api/v1/dossiers/{VERIFIED}/transitions", "province",
                          json={"event": "reject", "reason": "x" * 100_000,
                                "expected_version": site.dossier(VERIFIED).lock_version})
        assert answer.status_code == 409
    assert "lý do dài 100.000 ký tự, tối đa 2.000 ký tự" in answer.json["error"]


def test_the_batch_form_flashes_each_refusal_and_stores_nothing(site):
    client = site.client("province")
    for number, day, says in (("", today(), "cần ghi số quyết định"),
                              ("1" * 100_000, today(), "tối đa 60"),
                              ("107/QĐ-UBND", dt.date(2099, 1, 1), "ở tương lai")):
        with Unchanged(site, VERIFIED):
            data = {"csrf_token": site.csrf(client, "/province/"), "dossier": str(VERIFIED),
                    "action": "recognize", "decision_number": number, "decision_date": day.isoformat(),
                    f"version_{VERIFIED}": str(site.dossier(VERIFIED).lock_version)}
            answer = client.post("/province/decide", data=data, follow_redirects=True)
            assert answer.status_code == 200
        assert any(f"#{VERIFIED}" in f and says in f for f in site.flashes(answer.get_data(as_text=True))), says


def test_the_batch_form_names_a_date_that_is_not_one(site):
    client = site.client("province")
    with Unchanged(site, VERIFIED):
        answer = client.post("/province/decide", follow_redirects=True, data={
            "csrf_token": site.csrf(client, "/province/"), "dossier": str(VERIFIED), "action": "recognize",
            "decision_number": "107/QĐ-UBND", "decision_date": "12/20/2024"})  # month first: no date
        assert answer.status_code == 200
    assert any(f.startswith("Ngày quyết định") for f in site.flashes(answer.get_data(as_text=True)))


def test_a_good_decision_recognises(site, api):
    answer = _recognize(api, site, VERIFIED, decision_number="107/QĐ-UBND", decision_date=today().isoformat(),
                        signer_name="Nguyễn Văn Minh")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert (answer.json["status"], answer.json["decision_number"]) == ("recognized", "107/QĐ-UBND")
    assert answer.json["decision_signer"] == "Nguyễn Văn Minh"


def test_the_demo_holds_no_recognised_dossier_without_a_valid_decision(site):
    with site.service.transaction(readonly=True) as s:
        decided = s.scalars(select(Dossier).where(Dossier.status.in_(("recognized", "revoked")))).all()
        assert decided and all(number_problem(d.decision_number) is None for d in decided)
        assert all(date_problem(s, d, d.decision_date) is None for d in decided)


# --------------------------------------------------------------------------------------------- signers (forms)
SIGNER = "Nguyễn Văn Minh"


def decide(site, dossier: int, **fields):
    """Post the batch form for ``dossier`` with the version the province page listed."""
    client = site.client("province")
    page = client.get("/province/").get_data(as_text=True)
    version = re.search(rf'name="version_{dossier}" value="(\d+)"', page).group(1)
    data = {"csrf_token": site.csrf(client, "/province/"), "dossier": str(dossier), "action": "recognize",
            "decision_number": "120/QĐ-UBND", "decision_date": today().isoformat(), f"version_{dossier}": version,
            **fields}
    return client.post("/province/decide", data=data, follow_redirects=True)


def labelled_fields(page: str, action: str) -> dict[str, str]:
    """The visible fields of the form posting to ``action``: name → the text of its <label for=id>."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S).group(1)
    labels = {i: html.unescape(re.sub(r"<[^>]+>", "", t)).strip()
              for i, t in re.findall(r'<label[^>]*\bfor="([^"]+)"[^>]*>(.*?)</label>', form, re.S)}
    out = {}
    for tag in re.findall(r"<(?:input|textarea)\b[^>]*>", form):
        name = re.search(r'\bname="([^"]+)"', tag)
        if name is None or re.search(r'type="(?:hidden|checkbox|radio)"', tag):
            continue
        field_id = re.search(r'\bid="([^"]+)"', tag)
        out[name.group(1)] = labels.get(field_id.group(1)) if field_id else None
    return out


def test_the_decision_forms_label_every_field_in_vietnamese(site):
    expected = {"decision_number": "Số quyết định", "decision_date": "Ngày quyết định",
                "signer_name": "Họ tên người ký", "signer_title": "Chức vụ người ký"}
    batch = labelled_fields(site.client("province").get("/province/").get_data(as_text=True), "/province/decide")
    assert batch == {**expected, "reason": "Lý do (bắt buộc khi không công nhận)"}
    revoke = labelled_fields(site.client("province").get("/dossiers/8").get_data(as_text=True),
                             "/province/dossiers/8/revoke")
    assert revoke == {**expected, "reason": "Lý do thu hồi (nội bộ, lưu trong nhật ký)",
                      "public_reason": "Lý do công bố (in trên quyết định thu hồi và trang tra cứu giấy công nhận)"}


def test_the_batch_form_refuses_a_recognition_with_no_signer(site):
    """No name typed and none configured for the issuing body (the shipped issuers.yaml names none)."""
    with Unchanged(site, 5):
        answer = decide(site, 5)
    flashes = site.flashes(answer.get_data(as_text=True))
    assert any(f.startswith("#5:") and "cần ghi họ tên người ký" in f for f in flashes), flashes


def test_the_batch_form_records_the_signer_typed(site):
    answer = decide(site, 5, signer_name=SIGNER, signer_title="Phó Chủ tịch")
    assert any("Đã xử lý 1 hồ sơ" in f for f in site.flashes(answer.get_data(as_text=True)))
    d = site.dossier(5)
    assert (d.status, d.decision_signer, d.decision_signer_title) == ("recognized", SIGNER, "Phó Chủ tịch")
    page = site.client("province").get("/dossiers/5").get_data(as_text=True)
    assert f"người ký: {SIGNER} (Phó Chủ tịch)" in html.unescape(page)


def test_a_blank_signer_title_comes_from_the_issuer_configuration(site):
    decide(site, 14, signer_name=SIGNER)
    d = site.dossier(14)
    assert (d.status, d.decision_signer, d.decision_signer_title) == ("recognized", SIGNER, "CHỦ TỊCH")


def revoke(site, dossier: int, **fields):
    client = site.client("province")
    page = client.get(f"/dossiers/{dossier}").get_data(as_text=True)
    data = {"csrf_token": site.csrf(client, f"/dossiers/{dossier}"),
            "lock_version": re.search(r'name="lock_version"[^>]*value="(\d+)"', page).group(1),
            "decision_number": "130/QĐ-UBND", "decision_date": today().isoformat(), "signer_name": SIGNER,
            "reason": "Phát hiện sai số liệu TC07", "public_reason": "Không còn đáp ứng tiêu chí TC07", **fields}
    return client.post(f"/province/dossiers/{dossier}/revoke", data=data)


@pytest.mark.parametrize(("fields", "says"), [
    ({"decision_number": ""}, "cần ghi số quyết định thu hồi công nhận"),
    ({"decision_number": "1" * 100_000}, "tối đa 60"),
    ({"decision_date": "2099-01-01"}, "ở tương lai"),
    ({"signer_name": ""}, "cần ghi họ tên người ký"),
    ({"reason": ""}, "cần ghi rõ lý do"),
    ({"public_reason": ""}, "cần ghi lý do thu hồi công bố công khai"),
])
def test_the_revoke_form_refuses_an_incomplete_decision(site, fields, says):
    with Unchanged(site, 8):
        answer = revoke(site, 8, **fields)
        assert answer.status_code == 409, answer.get_data(as_text=True)[:300]
    assert says in html.unescape(answer.get_data(as_text=True))


def test_the_revoke_form_names_a_date_that_is_not_one(site):
    with Unchanged(site, 8):
        answer = revoke(site, 8, decision_date="12/20/2024")  # month first: no date
        assert answer.status_code == 422  # the dossier page again, the fields as typed
    page = answer.get_data(as_text=True)
    assert any(f.startswith("Ngày quyết định") for f in site.flashes(page))


def test_the_revoke_form_records_the_revocation_decision(site):
    answer = revoke(site, 8, signer_title="Chủ tịch")
    assert answer.status_code == 302
    d = site.dossier(8)
    assert (d.status, d.revocation_number, d.revocation_date) == ("revoked", "130/QĐ-UBND", today().isoformat())
    assert (d.revocation_signer, d.revocation_signer_title) == (SIGNER, "Chủ tịch")
    assert site.history(8)[-1]["reason"] == "Phát hiện sai số liệu TC07"
    page = html.unescape(site.client("province").get("/dossiers/8").get_data(as_text=True))
    assert f"Quyết định thu hồi số 130/QĐ-UBND ngày {today():%d/%m/%Y} · người ký: {SIGNER}" in page
