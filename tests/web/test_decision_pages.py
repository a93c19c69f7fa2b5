"""Recognition is a decision, through the API and the province's batch form (issue #10): a missing or bad
decision number or date is refused with the reason (409, or 422 naming the field for a date that is not one)
and stores nothing; a long reason is refused the same way; never a 500."""

from __future__ import annotations

import datetime as dt

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
    "control-character": ({"decision_number": "107/QĐ\u0000-UBND"}, "ký tự điều khiển"),
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
            "decision_number": "107/QĐ-UBND", "decision_date": "20/12/2024"})
        assert answer.status_code == 200
    assert any(f.startswith("Ngày quyết định") for f in site.flashes(answer.get_data(as_text=True)))


def test_a_good_decision_recognises(site, api):
    answer = _recognize(api, site, VERIFIED, decision_number="107/QĐ-UBND", decision_date=today().isoformat())
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert (answer.json["status"], answer.json["decision_number"]) == ("recognized", "107/QĐ-UBND")


def test_the_demo_holds_no_recognised_dossier_without_a_valid_decision(site):
    with site.service.transaction(readonly=True) as s:
        decided = s.scalars(select(Dossier).where(Dossier.status.in_(("recognized", "revoked")))).all()
        assert decided and all(number_problem(d.decision_number) is None for d in decided)
        assert all(date_problem(s, d, d.decision_date) is None for d in decided)
