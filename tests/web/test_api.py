"""The JSON API (/api/v1, bearer tokens): reads, saves, transitions, and every refusal's status code and body.

Every answer is validated against the OpenAPI document (webforms/api/openapi.yaml) with openapi-core (the
``api`` fixture); every refused request is checked to store nothing: the dossier's lock_version and history,
and the whole database state (audit trail, dossiers, values, evidence), are unchanged. Writes send the version
they are based on (If-Match); what a write without one gets (428) is tested in test_api_locking.py.

Dossiers used (fresh demo copy for this module): 1 commune1's draft (filled and submitted through the API),
2 commune2's empty draft (refusals), 3 submitted (appraised, verified, recognised through the API),
4 submitted (returned), 5 verified, 7 recognized, 10 not recognized.
"""

from __future__ import annotations

import io

import pytest

from dossiers.audit import local_date, now
from engine.template import example_values

# WTForms 3.3 deprecates (value, label) tuples as choices, which every form of the app passes; the failing
# test_forms.py::test_pages_render_without_deprecation_warnings reports it. Ignored here (the upload tests
# post to the commune page).


def vietnamese(values: dict) -> dict:
    """Values as a Vietnamese user types them: "2.400" children, "86,5" for the survey score."""
    out = {}
    for code, value in values.items():
        if isinstance(value, bool):
            out[code] = value
        elif isinstance(value, float):
            out[code] = str(value).replace(".", ",")
        else:
            out[code] = f"{value:,}".replace(",", ".")
    return out


def seen(site, dossier_id: int) -> dict:
    """The If-Match header of a write based on the dossier as it stands (its ETag)."""
    return {"If-Match": f'"{site.dossier(dossier_id).lock_version}"'}


class Unchanged:
    """Asserts that a block stores nothing: the dossier's lock_version and history, and the whole database."""

    def __init__(self, site, dossier_id: int):
        self.site, self.dossier_id = site, dossier_id

    def __enter__(self):
        self.version = self.site.dossier(self.dossier_id).lock_version
        self.history = self.site.history(self.dossier_id)
        self.state = self.site.state()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            assert self.site.dossier(self.dossier_id).lock_version == self.version
            assert self.site.history(self.dossier_id) == self.history
            assert self.site.state() == self.state


# ------------------------------------------------------------------------------------------- the document
def test_openapi_document_is_valid(openapi_document):
    """The document must be valid OpenAPI 3.1 (clients generate code from it)."""
    from openapi_spec_validator import validate

    validate(openapi_document)


def test_openapi_document_documents_every_field_the_api_returns(api, openapi_document):
    """Every field of a dossier, its evidence, history and scores is documented (the schemas forbid any other,
    so the response validation of every test here fails on an undocumented one)."""
    from engine.result import ScoreResult

    schemas = openapi_document["components"]["schemas"]
    dossier = api.get("/api/v1/dossiers/7", "province").json
    assert set(dossier) == set(schemas["Dossier"]["properties"])
    assert set(schemas["Dossier"]["required"]) == set(schemas["Dossier"]["properties"]) - {"history"}
    for field in ("decision_date", "decision_number", "engine_version", "evidence", "panel_members"):
        assert field in schemas["Dossier"]["properties"]
    assert set(dossier["history"][0]) == set(schemas["HistoryEntry"]["properties"])
    assert set(schemas["Score"]["properties"]) == set(ScoreResult.model_fields) == set(dossier["self_score"])
    summary = api.get("/api/v1/dossiers", "province").json[0]
    assert set(summary) == set(schemas["DossierSummary"]["properties"])
    for name in ("Error", "Dossier", "DossierSummary", "Evidence", "HistoryEntry", "Score"):
        assert schemas[name]["additionalProperties"] is False, name


def test_openapi_document_declares_every_status(openapi_document):
    """Refusals are documented where they happen: 400, 413, 414, 422, 428 and 429 on writes; 414 and 429 on
    every operation that takes a token; never a 500."""
    paths = openapi_document["paths"]
    for path in ("/dossiers/{id}/indicators", "/dossiers/{id}/transitions"):
        operation = next(iter(v for k, v in paths[path].items() if k in ("put", "post")))
        assert {"400", "401", "403", "404", "409", "413", "414", "422", "428", "429"} <= set(operation["responses"])
    for path, item in paths.items():
        for method, operation in item.items():
            if method == "parameters" or operation.get("security") == []:
                continue
            assert {"401", "414", "429"} <= set(operation["responses"]), (method, path)
            assert "500" not in operation["responses"]


def test_openapi_reason_is_a_text_with_its_description(openapi_document):
    """The reason's description once held a comma inside a YAML flow mapping, which made it a mapping."""
    body = openapi_document["paths"]["/dossiers/{id}/transitions"]["post"]["requestBody"]
    reason = body["content"]["application/json"]["schema"]["properties"]["reason"]
    assert set(reason) == {"type", "description"} and "string" in reason["type"]
    assert "return, reject and revoke" in reason["description"]


def test_openapi_json_serves_the_document(api, openapi_document):
    answer = api.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert answer.json == openapi_document


# -------------------------------------------------------------------------------------------------- reads
def test_list_filters_by_round_and_status(api):
    answer = api.get("/api/v1/dossiers?status=submitted", "district1")
    assert [d["id"] for d in answer.json] == [3, 4]
    assert api.get("/api/v1/dossiers?round=2023", "province").json == []
    rows = {d["id"]: d for d in api.get("/api/v1/dossiers?round=2024", "province").json}
    assert rows[7]["status"] == "recognized" and rows[7]["total"] > 0 and rows[1]["total"] is None
    assert rows[1]["commune_name"] == "Xã Đắk Rơ Wa" and rows[1]["year"] == 2024


def test_get_dossier_has_values_scores_status_history(api):
    d = api.get("/api/v1/dossiers/7", "district1").json
    assert d["status"] == "recognized" and d["commune_code"] and d["criteria_version"] == "qd06-2019"
    assert set(d["values"]) == set(example_values())
    assert d["values"]["TC02.registered_on_time"]["comment"] == "Đối chiếu sổ hộ tịch"
    assert d["values"]["TC13.satisfaction"]["self"] is not None
    assert d["self_score"]["total"] > 0 and d["verified_score"]["recognized"] is True
    assert d["decision_number"] == "107/QĐ-UBND"
    actions = [h["action"] for h in d["history"]]
    # the recognition allocates the certificate's serial in its transaction, with its own audit entry
    assert actions == ["dossier.create", "values.set", "transition.submit", "values.appraise",
                       "transition.verify", "transition.recognize", "certificate.issue"]
    assert d["history"][-1]["target"] == d["history"][-1]["after"]["serial"]
    assert [h["version"] for h in d["history"]] == sorted(h["version"] for h in d["history"])
    assert d["history"][-1]["actor"] == "province" and d["lock_version"] == d["history"][-1]["version"]


# ------------------------------------------------------------------------------------------------ writes
def test_commune_officer_saves_a_draft_in_vietnamese_formats(api, site):
    before = api.get("/api/v1/dossiers/1", "commune1").json
    body = vietnamese(example_values())
    assert body["TC03.children"] == "2.400" and body["TC13.satisfaction"] == "86,5"
    answer = api.put("/api/v1/dossiers/1/indicators", "commune1", json=body,
                     headers={"If-Match": str(before["lock_version"])})
    assert answer.status_code == 200, answer.json
    d = answer.json
    assert d["lock_version"] == before["lock_version"] + 1
    assert d["values"]["TC03.children"]["self"] == "2400"
    assert d["values"]["TC13.satisfaction"]["self"] == "86.5"
    assert d["values"]["TC01.officer"]["self"] == "true"
    assert d["self_score"]["total"] == 935 and d["self_score"]["recognized"] is True
    last = site.history(1)[-1]
    assert (last["actor"], last["action"], last["version"]) == ("commune1", "values.set", d["lock_version"])
    # the same values again: nothing to change, nothing recorded
    again = api.put("/api/v1/dossiers/1/indicators", "commune1", json=body,
                    headers={"If-Match": answer.headers["ETag"]})
    assert again.json["lock_version"] == d["lock_version"]


def test_commune_officer_submits(api, site):
    d = api.post("/api/v1/dossiers/1/transitions", "commune1", json={"event": "submit"}, headers=seen(site, 1)).json
    assert d["status"] == "submitted"
    history = api.get("/api/v1/dossiers/1", "commune1").json["history"]
    assert (history[-1]["action"], history[-1]["actor"]) == ("transition.submit", "commune1")


def test_history_before_and_after_are_json_objects(api):
    """History entries carry before/after as JSON values, not as JSON text inside JSON."""
    history = api.get("/api/v1/dossiers/7", "province").json["history"]
    recognize, issue = history[-2:]
    assert issue["action"] == "certificate.issue" and issue["after"]["decision"]["number"] == "107/QĐ-UBND"
    assert recognize["action"] == "transition.recognize"
    assert recognize["before"] == {"status": "verified"}, repr(recognize["before"])
    assert recognize["after"]["decision"]["number"] == "107/QĐ-UBND"


def test_appraiser_saves_appraised_values_and_comments(api, site):
    appraised = dict(example_values(), **{"TC02.registered_on_time": 118})
    answer = api.put("/api/v1/dossiers/3/indicators", "district1", headers=seen(site, 3),
                     json={**appraised, "comments": {"TC02.registered_on_time": "Đối chiếu sổ hộ tịch: 118"}})
    assert answer.status_code == 200, answer.json
    d = answer.json
    assert d["values"]["TC02.registered_on_time"]["appraised"] == "118"
    assert d["values"]["TC02.registered_on_time"]["comment"] == "Đối chiếu sổ hộ tịch: 118"
    assert d["values"]["TC02.registered_on_time"]["self"] != "118"  # the commune's value is kept
    assert d["status"] == "submitted"


def test_verify_and_recognize(api, site):
    today = local_date(now()).isoformat()  # a decision is not dated before the verification (today)
    d = api.post("/api/v1/dossiers/3/transitions", "chair1", headers=seen(site, 3),
                 json={"event": "verify", "panel_members": ["Phó Chủ tịch UBND", "Trưởng phòng LĐTBXH"]}).json
    assert d["status"] == "verified" and d["verified_score"]["total"] > 0
    d = api.post("/api/v1/dossiers/3/transitions", "province", headers={"If-Match": str(d["lock_version"])},
                 json={"event": "recognize", "decision_number": "12/QĐ-UBND", "decision_date": today,
                       "signer_name": "Nguyễn Văn Minh"}).json
    assert (d.get("status"), d.get("decision_number"), d.get("decision_date")) == ("recognized", "12/QĐ-UBND", today), d
    assert (d["decision_signer"], d["decision_signer_title"]) == ("Nguyễn Văn Minh", "CHỦ TỊCH")


def test_return_with_reason(api, site):
    d = api.post("/api/v1/dossiers/4/transitions", "district1", headers=seen(site, 4),
                 json={"event": "return", "reason": "Thiếu minh chứng TC07"}).json
    assert d["status"] == "draft"
    last = api.get("/api/v1/dossiers/4", "district1").json["history"][-1]
    assert (last["action"], last["reason"]) == ("transition.return", "Thiếu minh chứng TC07")


# ---------------------------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/v1/dossiers", None),
    ("GET", "/api/v1/dossiers/2", None),
    ("GET", "/api/v1/criteria/qd06-2019", None),
    ("PUT", "/api/v1/dossiers/2/indicators", {"TC13.satisfaction": "90"}),
    ("POST", "/api/v1/dossiers/2/transitions", {"event": "submit"}),
])
@pytest.mark.parametrize("auth", [None, "Bearer", "Bearer cfc_unknown", "Token abc"])
def test_401_without_a_valid_token(site, api, method, path, body, auth):
    with Unchanged(site, 2):
        answer = api.call(method, path, headers={"Authorization": auth} if auth else {}, json=body)
    assert answer.status_code == 401 and answer.json["status"] == 401


@pytest.mark.parametrize(("user", "method", "path", "body"), [
    ("commune2", "GET", "/api/v1/dossiers/5", None),  # another commune's dossier
    ("district2", "GET", "/api/v1/dossiers/5", None),  # another district's dossier
    ("commune2", "PUT", "/api/v1/dossiers/1/indicators", {"TC13.satisfaction": "90"}),
    ("district2", "PUT", "/api/v1/dossiers/4/indicators", {"TC13.satisfaction": "90"}),
    ("admin", "PUT", "/api/v1/dossiers/4/indicators", {"TC13.satisfaction": "90"}),  # role
    ("province", "PUT", "/api/v1/dossiers/13/indicators", {"TC13.satisfaction": "90"}),  # 2019: districts appraise
    ("district1", "POST", "/api/v1/dossiers/5/transitions", {"event": "recognize"}),  # role
    ("chair2", "POST", "/api/v1/dossiers/5/transitions", {"event": "return", "reason": "x"}),  # jurisdiction
    ("commune2", "POST", "/api/v1/dossiers/1/transitions", {"event": "return", "reason": "x"}),
    ("admin", "POST", "/api/v1/dossiers/5/transitions", {"event": "reject", "reason": "x"}),
])
def test_403_outside_role_or_jurisdiction(site, api, user, method, path, body):
    with Unchanged(site, int(path.split("/")[4])):
        answer = api.call(method, path, user, json=body)
    assert answer.status_code == 403, answer.json
    assert answer.json["error"]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/v1/dossiers/999", None),
    ("PUT", "/api/v1/dossiers/999/indicators", {"TC13.satisfaction": "90"}),
    ("POST", "/api/v1/dossiers/999/transitions", {"event": "submit"}),
    ("GET", "/api/v1/criteria/qd99-2099", None),
])
def test_404_unknown_id(site, api, method, path, body):
    before = site.state()
    answer = api.call(method, path, "province", json=body)
    assert answer.status_code == 404 and answer.json["error"]
    assert site.state() == before


@pytest.mark.parametrize(("user", "dossier", "body", "why"), [
    ("commune2", 2, {"event": "submit"}, "chưa nhập đủ"),  # nothing filled in
    ("province", 6, {"event": "return"}, "lý do"),  # reason required
    ("province", 6, {"event": "return", "reason": "   "}, "lý do"),
    ("province", 6, {"event": "reject"}, "lý do"),
    ("chair1", 6, {"event": "verify", "panel_members": ["A"]}, "trạng thái"),  # 6 is verified already
    ("province", 10, {"event": "recognize"}, "trạng thái"),  # not recognized: final
])
def test_409_transition_refused_by_guards(site, api, user, dossier, body, why):
    with Unchanged(site, dossier):
        answer = api.post(f"/api/v1/dossiers/{dossier}/transitions", user, json=body)
    assert answer.status_code == 409, answer.json
    assert answer.json["event"] == body["event"]
    assert answer.json["reasons"] and why in " ".join(answer.json["reasons"])


@pytest.mark.parametrize("event", ["fly", "", "SUBMIT", "return_verified", "x" * 1000])
def test_422_an_event_that_does_not_exist(site, api, event):
    """An unknown event is invalid input naming the field, not a refusal of the workflow (409)."""
    with Unchanged(site, 5):
        answer = api.post("/api/v1/dossiers/5/transitions", "province", json={"event": event},
                          headers=seen(site, 5))
    assert answer.status_code == 422, answer.json
    assert answer.json["codes"] == ["event"] and "không có thao tác" in answer.json["error"]


def test_409_verify_needs_panel_members_and_every_appraised_value(site, api):
    with Unchanged(site, 13):
        answer = api.post("/api/v1/dossiers/13/transitions", "chair2", json={"event": "verify"})
    reasons = " ".join(answer.json["reasons"])
    assert answer.status_code == 409
    assert "thành phần hội đồng" in reasons and "chưa thẩm định đủ" in reasons and "TC13.satisfaction" in reasons


def test_409_stale_edit_says_who_changed_what(site, api):
    version = api.get("/api/v1/dossiers/2", "commune2").json["lock_version"]
    first = api.put("/api/v1/dossiers/2/indicators", "commune2", json={"TC01.officer": True},
                    headers={"If-Match": str(version)})  # someone saves first
    assert first.status_code == 200
    with Unchanged(site, 2):
        answer = api.put("/api/v1/dossiers/2/indicators", "commune2", json={"TC01.officer": False},
                         headers={"If-Match": str(version)})
        assert answer.status_code == 409 and answer.json["conflict"] is True
        assert "commune2" in answer.json["error"] and "Nhập số liệu" in answer.json["error"]
        answer = api.put("/api/v1/dossiers/2/indicators", "commune2",
                         json={"TC01.officer": False, "expected_version": version})
        assert answer.status_code == 409
        answer = api.post("/api/v1/dossiers/5/transitions", "province",
                          json={"event": "return", "reason": "x", "expected_version": 1})
        assert answer.status_code == 409 and answer.json["conflict"] is True
    assert site.dossier(5).status == "verified"


def test_422_names_every_bad_indicator(site, api):
    bad = {
        "TC03.children": "-1",  # negative
        "TC03.abused": "hai",  # text
        "TC13.satisfaction": "100,5",  # above 100
        "TC05.injured": "1,5",  # a fraction of a child
        "TC01.officer": "có lẽ",  # neither có nor không
        "TC07.children_under_1": 50, "TC07.fully_immunised": 60,  # more immunised than children
        "TC99.unknown": 1,  # no such indicator
    }
    good = {"TC02.children_born": "120", "TC12.play_area": True}
    with Unchanged(site, 2):
        answer = api.put("/api/v1/dossiers/2/indicators", "commune2", json={**bad, **good}, headers=seen(site, 2))
    assert answer.status_code == 422
    expected = {"TC03.children", "TC03.abused", "TC13.satisfaction", "TC05.injured", "TC01.officer",
                "TC07.fully_immunised", "TC99.unknown"}
    assert set(answer.json["codes"]) == expected
    assert {p["code"] for p in answer.json["problems"]} == expected
    for code in expected:
        assert code in answer.json["error"]


@pytest.mark.parametrize(("text", "stored", "message"), [
    ("1,000", None, "«1,000» không rõ là 1000 hay 1: viết 1000 hoặc 1.000"),  # never stored as 1
    ("1,000,000", None, "viết theo kiểu tiếng Anh: viết 1.000.000"),
    ("1.000", "1000", None),
    ("1 000", "1000", None),
])
def test_api_string_values_are_read_the_vietnamese_way(site, api, text, stored, message):
    """A count sent as text is read like a form field: `1,000` is refused (422 naming the indicator, with the
    Vietnamese message), `1.000` is a thousand."""
    if stored is None:
        with Unchanged(site, 2):
            answer = api.put("/api/v1/dossiers/2/indicators", "commune2", json={"TC03.children": text},
                             headers=seen(site, 2))
        assert answer.status_code == 422 and answer.json["codes"] == ["TC03.children"]
        assert message in answer.json["problems"][0]["message"]
        return
    answer = api.put("/api/v1/dossiers/2/indicators", "commune2", json={"TC03.children": text},
                     headers=seen(site, 2))
    assert answer.status_code == 200 and answer.json["values"]["TC03.children"]["self"] == stored


def test_422_appraiser_bad_values_and_unknown_comment_code(site, api):
    with Unchanged(site, 13):
        answer = api.put("/api/v1/dossiers/13/indicators", "district2", headers=seen(site, 13),
                         json={"TC13.satisfaction": "abc", "comments": {"TC42.nothing": "?"}})
    assert answer.status_code == 422
    assert "TC13.satisfaction" in answer.json["codes"]


def test_422_wrongly_typed_json_values(site, api):
    with Unchanged(site, 2):
        answer = api.put("/api/v1/dossiers/2/indicators", "commune2", headers=seen(site, 2),
                         json={"TC01.officer": 1, "TC03.children": True, "TC03.abused": [1], "TC13.satisfaction": 1e400})
    assert answer.status_code == 422
    assert set(answer.json["codes"]) == {"TC01.officer", "TC03.children", "TC03.abused", "TC13.satisfaction"}


# A malformed request is the client's mistake: 400 saying what is wrong, never a 500, never stored.
MALFORMED = {
    "body-not-an-object": ("PUT", "/api/v1/dossiers/2/indicators", "commune2", "[]", {}),
    "if-match-not-a-number": ("PUT", "/api/v1/dossiers/2/indicators", "commune2", {"TC01.officer": True},
                              {"If-Match": "abc"}),
    "expected-version-not-a-number": ("PUT", "/api/v1/dossiers/2/indicators", "commune2",
                                      {"TC01.officer": True, "expected_version": "x"}, {}),
    "comment-not-text": ("PUT", "/api/v1/dossiers/13/indicators", "district2",
                         {"TC13.satisfaction": "90", "comments": {"TC13.satisfaction": 5}}, {}),
    "comments-not-an-object": ("PUT", "/api/v1/dossiers/13/indicators", "district2",
                               {"comments": ["x"]}, {}),
    "event-missing": ("POST", "/api/v1/dossiers/5/transitions", "province", {"reason": "x"}, {}),
    "reason-not-text": ("POST", "/api/v1/dossiers/5/transitions", "province", {"event": "return", "reason": 5}, {}),
    "expected-version-as-text": ("POST", "/api/v1/dossiers/5/transitions", "province",
                                 {"event": "return", "reason": "x", "expected_version": "5"}, {}),
    "panel-members-not-a-list": ("POST", "/api/v1/dossiers/13/transitions", "chair2",
                                 {"event": "verify", "panel_members": "Nguyễn Văn A"}, {}),
    "decision-number-not-text": ("POST", "/api/v1/dossiers/5/transitions", "province",
                                 {"event": "recognize", "decision_number": 12}, {}),
    # a decision_date that is not YYYY-MM-DD is a 422 naming the field: tests/web/test_decisions.py
}


@pytest.fixture(scope="module")
def appraised_13(site):
    """Dossier 13 with every appraised value, so that only the malformed field could stop a verify."""
    site.service.appraise("district2", 13, dict(example_values()))


@pytest.mark.parametrize("case", list(MALFORMED))
def test_400_malformed_request(site, api, appraised_13, case):
    method, path, user, body, headers = MALFORMED[case]
    dossier = int(path.split("/")[4])
    kwargs = {"data": body, "content_type": "application/json"} if isinstance(body, str) else {"json": body}
    with Unchanged(site, dossier):
        answer = api.call(method, path, user, headers=headers, validate=False, **kwargs)
        assert answer.status_code == 400, f"{answer.status_code}: {answer.get_data(as_text=True)[:300]}"
    assert answer.json["error"]


def test_400_is_documented(api):
    """The OpenAPI document lists every status the API answers; a malformed body gets 400."""
    answer = api.put("/api/v1/dossiers/2/indicators", "commune2", data="[]", content_type="application/json",
                     validate=False)
    assert answer.status_code == 400
    api.validate("/api/v1/dossiers/2/indicators", {"method": "PUT", "headers": {}, "data": "[]",
                                                   "content_type": "application/json"}, answer)


# ------------------------------------------------------------------------------------------ 413 (uploads)
@pytest.fixture
def small_limit(make_site, monkeypatch):
    """The app started with CFC_MAX_UPLOAD_MB=0.05 (≈51 KB): MAX_CONTENT_LENGTH = limit + 64 KB of form."""
    monkeypatch.setenv("CFC_MAX_UPLOAD_MB", "0.05")
    small = make_site()
    assert small.app.config["MAX_CONTENT_LENGTH"] == int(0.05 * 1024 * 1024) + 64 * 1024
    return small


def upload(site, small, size: int):
    client = small.login("commune2")
    content = b"%PDF-1.4\n" + b"0" * (size - 9)
    before = site.state()
    answer = client.post("/commune/dossiers/2/evidence",
                         data={"csrf_token": small.csrf(client), "criterion": "TC07",
                               "lock_version": str(site.dossier(2).lock_version),  # the version the page showed
                               "file": (io.BytesIO(content), "so-tiem-chung.pdf")})
    return answer, before


def test_413_upload_over_max_content_length(site, small_limit):
    answer, before = upload(site, small_limit, 200 * 1024)
    assert answer.status_code == 413
    assert "Tệp tải lên quá lớn" in answer.get_data(as_text=True)
    assert site.state() == before


def test_413_upload_over_cfc_max_upload_mb(site, small_limit):
    """A file above CFC_MAX_UPLOAD_MB but within MAX_CONTENT_LENGTH's 64 KB allowance for the other fields."""
    answer, before = upload(site, small_limit, 60 * 1024)
    assert site.state() == before
    assert answer.status_code == 413, f"{answer.status_code} → {answer.headers.get('Location')}"


def test_upload_within_the_limit_is_stored(site, small_limit):
    answer, before = upload(site, small_limit, 20 * 1024)
    assert answer.status_code == 302
    assert [e["size"] for e in site.dossier(2).evidence] == [20 * 1024]
