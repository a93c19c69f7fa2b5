"""Optimistic locking through the JSON API (issue #10): a dossier's answer carries its lock_version as the ETag;
a write without If-Match (or expected_version) is 428 and stores nothing; a write based on an older version is
409 naming who changed what. Through the real app and its test client (tests/web/conftest.py), every answer
validated against the OpenAPI document, which documents all of this for every write.

Dossiers used (fresh demo copy for this module): 1 and 2 drafts, 3 and 4 submitted, 5 and 6 verified, 7
recognized.
"""

from __future__ import annotations

import pytest
from test_api import Unchanged

from dossiers.audit import local_date, now

TODAY = local_date(now()).isoformat()  # a decision is not dated before the verification (the demo's: earlier)

# A write each user may make to a dossier as it stands: (user, method, path, body, what it changed).
WRITES = {
    "commune saves values": ("commune1", "PUT", "/api/v1/dossiers/1/indicators", {"TC13.satisfaction": "90"},
                             lambda d: d.values["TC13.satisfaction"]["self"] == "90"),
    "appraiser saves values": ("district1", "PUT", "/api/v1/dossiers/3/indicators",
                               {"TC13.satisfaction": "70", "comments": {"TC13.satisfaction": "Khảo sát lại"}},
                               lambda d: d.values["TC13.satisfaction"]["appraised"] == "70"),
    "return": ("district1", "POST", "/api/v1/dossiers/4/transitions",
               {"event": "return", "reason": "Thiếu minh chứng TC07"}, lambda d: d.status == "draft"),
    "recognize": ("province", "POST", "/api/v1/dossiers/5/transitions",
                  {"event": "recognize", "decision_number": "31/QĐ-UBND", "decision_date": TODAY,
                   "signer_name": "Nguyễn Văn Minh"}, lambda d: d.status == "recognized"),
    "revoke": ("province", "POST", "/api/v1/dossiers/7/transitions",
               {"event": "revoke", "reason": "Phát hiện sai số liệu", "public_reason": "Không còn đáp ứng",
                "decision_number": "32/QĐ-UBND",
                "decision_date": TODAY, "signer_name": "Nguyễn Văn Minh", "signer_title": "PHÓ CHỦ TỊCH"},
               lambda d: (d.status, d.revocation_signer_title) == ("revoked", "PHÓ CHỦ TỊCH")),
}


def dossier_of(path: str) -> int:
    return int(path.split("/")[4])


@pytest.mark.parametrize("dossier", [1, 3, 5, 7])
def test_a_dossier_answer_carries_its_lock_version_as_etag(api, site, dossier):
    answer = api.get(f"/api/v1/dossiers/{dossier}", "province")
    assert answer.status_code == 200
    assert answer.headers["ETag"] == f'"{answer.json["lock_version"]}"'
    assert answer.json["lock_version"] == site.dossier(dossier).lock_version


@pytest.mark.parametrize("case", list(WRITES))
def test_a_write_without_if_match_is_428_and_stores_nothing_then_with_it_is_done(site, api, case):
    user, method, path, body, done = WRITES[case]
    dossier = dossier_of(path)
    with Unchanged(site, dossier):
        answer = api.call(method, path, user, json=body)
        assert answer.status_code == 428, answer.get_data(as_text=True)[:300]
        assert answer.json["status"] == 428 and answer.json["header"] == "If-Match"
        assert "If-Match" in answer.json["error"] and "expected_version" in answer.json["error"]
        empty = api.call(method, path, user, json=body, headers={"If-Match": ""})
        assert empty.status_code == 428
    # the control: the same write with the ETag of a GET is done, and answers the new version as its ETag
    etag = api.get(path.rsplit("/", 1)[0], user).headers["ETag"]
    answer = api.call(method, path, user, json=body, headers={"If-Match": etag})
    assert answer.status_code == 200, answer.json
    assert done(site.dossier(dossier))
    assert answer.headers["ETag"] == f'"{site.dossier(dossier).lock_version}"' != etag


def test_a_stale_if_match_is_409_naming_who_changed_what(site, api):
    etag = api.get("/api/v1/dossiers/2", "commune2").headers["ETag"]
    site.service.set_values("commune2", 2, {"TC01.officer": True})  # someone else saves meanwhile
    with Unchanged(site, 2):
        answer = api.put("/api/v1/dossiers/2/indicators", "commune2", json={"TC01.officer": False},
                         headers={"If-Match": etag})
        assert answer.status_code == 409 and answer.json["conflict"] is True
        assert "commune2" in answer.json["error"] and "Nhập số liệu (TC01.officer)" in answer.json["error"]
        assert "Không có gì được lưu" in answer.json["error"]
        answer = api.post("/api/v1/dossiers/2/transitions", "commune2", json={"event": "submit"},
                          headers={"If-Match": etag})
        assert answer.status_code == 409 and answer.json["conflict"] is True
        assert "Nhập số liệu (TC01.officer)" in answer.json["error"]
    assert site.dossier(2).values["TC01.officer"]["self"] == "true"


def test_expected_version_in_the_body_is_the_alternative_to_if_match(site, api):
    version = site.dossier(2).lock_version
    answer = api.put("/api/v1/dossiers/2/indicators", "commune2",
                     json={"TC03.children": "2.400", "expected_version": version})
    assert answer.status_code == 200 and answer.json["lock_version"] == version + 1
    both = api.put("/api/v1/dossiers/2/indicators", "commune2", json={"TC03.children": "2.500",
                   "expected_version": version + 1}, headers={"If-Match": f'"{version + 1}"'})
    assert both.status_code == 200 and both.json["values"]["TC03.children"]["self"] == "2500"


@pytest.mark.parametrize(("header", "body"), [
    ("*", {}),  # "any version" is no version
    ('W/"3"', {}),  # a weak ETag is never one of ours
    ("abc", {}),
    ('"1"', {"expected_version": 2}),  # two versions that disagree
])
def test_an_if_match_that_is_not_one_version_is_400(site, api, header, body):
    with Unchanged(site, 2):
        answer = api.put("/api/v1/dossiers/2/indicators", "commune2", json={"TC01.officer": False, **body},
                         headers={"If-Match": header})
        assert answer.status_code == 400 and "If-Match" in answer.json["error"]


@pytest.mark.parametrize(("user", "method", "path", "body", "status"), [
    ("commune2", "PUT", "/api/v1/dossiers/1/indicators", {"TC13.satisfaction": "90"}, 403),  # jurisdiction
    ("admin", "PUT", "/api/v1/dossiers/3/indicators", {"TC13.satisfaction": "90"}, 403),  # role
    ("province", "PUT", "/api/v1/dossiers/999/indicators", {"TC13.satisfaction": "90"}, 404),
    ("district1", "PUT", "/api/v1/dossiers/6/indicators", {"TC13.satisfaction": "90"}, 409),  # verified
    ("district1", "POST", "/api/v1/dossiers/6/transitions", {"event": "recognize"}, 403),  # role
    ("commune2", "POST", "/api/v1/dossiers/2/transitions", {"event": "submit"}, 409),  # guard: values missing
    ("commune2", "PUT", "/api/v1/dossiers/2/indicators", "[]", 400),
])
def test_428_comes_after_every_other_refusal(site, api, user, method, path, body, status):
    """A request refused anyway hears why, not only that a version is missing."""
    before = site.state()
    kwargs = {"data": body, "content_type": "application/json"} if isinstance(body, str) else {"json": body}
    answer = api.call(method, path, user, **kwargs)
    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    assert site.state() == before


def test_the_openapi_document_describes_428_409_etag_and_if_match_for_every_write(openapi_document):
    components = openapi_document["components"]
    assert components["headers"]["ETag"]["required"] is True
    assert components["parameters"]["IfMatch"]["name"] == "If-Match"
    assert "428" in openapi_document["info"]["description"]
    writes = [(path, method, op) for path, item in openapi_document["paths"].items()
              for method, op in item.items() if method in ("put", "post", "patch", "delete")]
    assert {(p, m) for p, m, _ in writes} == {("/dossiers/{id}/indicators", "put"),
                                              ("/dossiers/{id}/transitions", "post"),
                                              ("/dossiers/{id}/rescore", "post")}
    for path, method, op in writes:
        assert op["responses"]["428"] == {"$ref": "#/components/responses/PreconditionRequired"}, (path, method)
        assert op["responses"]["409"] == {"$ref": "#/components/responses/Conflict"}, (path, method)
        assert {"$ref": "#/components/parameters/IfMatch"} in op["parameters"], (path, method)
        assert op["responses"]["200"]["headers"]["ETag"] == {"$ref": "#/components/headers/ETag"}
        body = op["requestBody"]["content"]["application/json"]["schema"]["properties"]
        assert "expected_version" in body
    get = openapi_document["paths"]["/dossiers/{id}"]["get"]["responses"]["200"]
    assert get["headers"]["ETag"] == {"$ref": "#/components/headers/ETag"}
    transition = openapi_document["paths"]["/dossiers/{id}/transitions"]["post"]
    fields = transition["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert {"signer_name", "signer_title", "decision_number", "decision_date"} <= set(fields)
    dossier = components["schemas"]["Dossier"]["properties"]
    assert {"decision_signer", "decision_signer_title", "revocation_number", "revocation_date",
            "revocation_signer", "revocation_signer_title", "submission"} <= set(dossier)
