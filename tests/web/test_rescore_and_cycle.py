"""Traceable scores and the recognition cycle on the demo (issue #13): a rules administrator corrects two
provisional values of qd06-2019 in place (``cfc criteria set``); every dossier scored before is then marked
"chấm theo bộ tiêu chí cũ" on its page and in the API, and is re-scored on its page, through the API and for
the round with ``cfc dossier rescore``, each audited with its old and new totals. A recognised dossier keeps its
recognition and says whether it would still hold. The province dashboard lists the recognitions that expire by
the end of the next reassessment round, with a spreadsheet; the public verification page shows the validity end.

The correction: the second band of TC03 (0–1 abused children per 1,000) gives 55 points instead of 70, and a
phường of category "other" needs 900 instead of 850. The demo's 935-point dossiers drop to 920 (still eligible);
the 910-point ones to 895, below 900: Phường Thống Nhất (#8, recognised) would no longer be, Xã Đắk Pék (#16,
recognised, a mountain commune needing 800) still would.
"""

from __future__ import annotations

import io
import shutil

import pytest
from conftest import CSRF_RE, ApiClient, load_openapi_document, make_app, run_cfc
from sqlalchemy import select

from dossiers.models import AuditEntry, Certificate
from engine.edit import set_value
from engine.loader import default_directory

MARK = "chấm theo bộ tiêu chí cũ"
EDITS = (("TC03/abuse_rate/bands/1/points", "55"), ("categories/other/threshold", "900"))


@pytest.fixture(scope="module")
def criteria_copy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("criteria") / "criteria"
    shutil.copytree(default_directory(), folder)
    return folder


@pytest.fixture(scope="module")
def before(instance):
    """The app on the shipped criteria: the content the demo was scored with."""
    application = make_app(instance)
    yield application
    application.extensions["cfc.engine"].dispose()


@pytest.fixture(scope="module")
def app(instance, criteria_copy, before):
    """The app after the correction: its criteria folder is the corrected copy (as CFC_CRITERIA_DIR)."""
    for locator, value in EDITS:
        set_value(criteria_copy / "qd06-2019.yaml", locator, value, by="admin", source="bảng điểm chính thức (thử)")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CFC_CRITERIA_DIR", str(criteria_copy))
        application = make_app(instance)
        yield application
    application.extensions["cfc.engine"].dispose()


@pytest.fixture(scope="module")
def api(site):
    from openapi_core import OpenAPI

    return ApiClient(site, OpenAPI.from_dict(load_openapi_document()))


def page(client, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.get_data(as_text=True)


def rescores(site, dossier_id: int) -> list[dict]:
    return [e for e in site.history(dossier_id) if e["action"] == "dossier.rescore"]


def test_no_mark_while_the_content_is_the_one_scored(before, instance):
    client = before.test_client()
    token = CSRF_RE.search(page(client, "/login")).group(1)
    client.post("/login", data={"csrf_token": token, "username": "province", "password": "demo"})
    assert MARK not in page(client, "/dossiers/8")
    assert before.extensions["cfc.service"].get("province", 8).stale_scores == []


def test_an_edit_marks_every_scored_dossier_on_its_page_and_in_the_api(site, api):
    shown = page(site.client("province"), "/dossiers/8")
    assert MARK in shown and "Tính lại điểm" in shown
    assert MARK not in page(site.client("province"), "/dossiers/1")  # a draft without a score
    body = api.get("/api/v1/dossiers/8", "province").get_json()
    assert body["stale_scores"] == ["self_score", "verified_score"] and body["rescored_score"] is None
    assert body["verified_score"]["fingerprint"] != body["criteria_fingerprint"]
    listed = {d["id"]: d["stale_scores"] for d in api.get("/api/v1/dossiers?round=2024", "province").get_json()}
    assert listed[1] == [] and listed[3] == ["self_score"] and listed[8] == ["self_score", "verified_score"]


def test_the_commune_sees_the_mark_but_no_rescore_button(site):
    shown = page(site.client("commune1"), "/dossiers/1")
    assert "/dossiers/1/rescore" not in shown


def test_rescore_on_the_page_keeps_the_recognition_and_says_it_would_not_hold(site):
    client = site.client("province")
    shown = page(client, "/dossiers/8")
    token = site.csrf(client, "/dossiers/8")
    version = site.dossier(8).lock_version
    state = site.state()
    assert client.post("/dossiers/8/rescore", data={"lock_version": str(version)}).status_code == 400  # no CSRF
    stale = client.post("/dossiers/8/rescore", data={"csrf_token": token, "lock_version": str(version - 1)},
                        headers={"Referer": "http://localhost/dossiers/8"})
    assert stale.status_code == 302 and site.state() == state  # refused, flashed: nothing changed
    answer = client.post("/dossiers/8/rescore", data={"csrf_token": token, "lock_version": str(version)})
    assert answer.status_code == 302, shown
    view = site.dossier(8)
    assert view.status == "recognized" and view.decision_number  # the legal act stands
    assert view.verified_score.total == 910 and view.rescored_score.total == 895
    assert not view.rescored_score.recognized and view.stale_scores == []
    shown = page(client, "/dossiers/8")
    assert MARK not in shown and "không còn đủ điều kiện công nhận" in shown
    assert "Quyết định công nhận vẫn giữ nguyên" in shown
    (entry,) = rescores(site, 8)
    assert entry["actor"] == "province"
    assert entry["before"]["rescored_score"]["total"] == 910 and entry["after"]["rescored_score"]["total"] == 895
    assert entry["after"]["recognition_holds"] is False
    assert "Tính lại điểm" in page(client, "/dossiers/8")  # the history names the entry


def test_rescore_through_the_api(site, api):
    path = "/api/v1/dossiers/6/rescore"
    assert api.post(path, "commune1").status_code == 403
    assert api.post(path, "chair2").status_code == 403  # another district
    assert api.post(path, "province").status_code == 428  # no If-Match: nothing stored
    version = site.dossier(6).lock_version
    assert api.post(path, "province", headers={"If-Match": f'"{version - 1}"'}).status_code == 409
    answer = api.post(path, "district1", headers={"If-Match": f'"{version}"'})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["status"] == "verified" and body["stale_scores"] == []
    assert (body["self_score"]["total"], body["verified_score"]["total"]) == (905, 905)
    (entry,) = rescores(site, 6)
    assert {k: v["total"] for k, v in entry["before"].items()} == {"self_score": 920, "verified_score": 920}
    assert {k: v["total"] for k, v in entry["after"].items()} == {"self_score": 905, "verified_score": 905}
    assert entry["after"]["verified_score"]["fingerprint"] == body["criteria_fingerprint"]
    again = api.post(path, "province", headers={"If-Match": answer.headers["ETag"]})
    assert again.status_code == 409 and "không có gì để tính lại" in again.get_json()["error"]


def test_rescore_of_a_round_on_the_command_line(site, instance, criteria_copy, monkeypatch):
    monkeypatch.setenv("CFC_CRITERIA_DIR", str(criteria_copy))
    out = run_cfc(instance, "dossier", "rescore", "--round", "2024", "--as", "province")
    assert "#7 Phường Ngô Mây [Được công nhận] tính lại: 935 → 920" in out
    assert "#5 Phường Trường Chinh [Đã thẩm định] thẩm định: 910 → 895 → không còn đủ điều kiện" in out
    assert "#16 Xã Đắk Pék [Được công nhận] tính lại: 910 → 895\n" in out  # a mountain commune: 800 is enough
    assert "#8 " not in out and "#6 " not in out  # re-scored already
    assert "Năm 2024: tính lại 12 hồ sơ (12 đổi tổng điểm, 1 đổi kết luận), 0 không tính lại được." in out
    assert site.dossier(7).status == "recognized" and site.dossier(11).status == "revoked"
    assert all(site.dossier(i).stale_scores == [] for i in range(1, 17))
    again = run_cfc(instance, "dossier", "rescore", "--round", "2024", "--as", "province")
    assert "tính lại 0 hồ sơ" in again
    english = run_cfc(instance, "--lang", "en", "dossier", "rescore", "--round", "2024", "--as", "province")
    assert "Round 2024: 0 dossiers re-scored (0 with a new total, 0 with a new conclusion), 0 could not be" in english
    with site.service.transaction() as s:  # one audit entry per re-scored dossier
        ids = s.scalars(select(AuditEntry.dossier_id).where(AuditEntry.action == "dossier.rescore")).all()
    assert sorted(ids) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    entry = rescores(site, 10)[0]
    assert entry["before"]["rescored_score"]["total"] == 760 and entry["after"]["rescored_score"]["total"] == 745


def test_the_dashboard_lists_recognitions_expiring_by_the_next_round(site):
    shown = page(site.client("province"), "/province/dashboard")
    section = shown[shown.index('id="expiring"'):]
    section = section[:section.index("</section>")]
    for name in ("Phường Ngô Mây", "Phường Thống Nhất", "Phường Lê Lợi", "Xã Đắk Nhoong", "Xã Đắk Pék"):
        assert name in section
    assert "Phường Trần Hưng Đạo" not in section  # revoked
    assert "30/11/2027" in section and "TẠM TÍNH" in section
    assert site.client("commune1").get("/province/expiring.xlsx").status_code == 403


def test_the_expiry_spreadsheet(site):
    from openpyxl import load_workbook

    answer = site.client("province").get("/province/expiring.xlsx")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(answer.data))
    rows = list(book.worksheets[0].iter_rows(min_row=3, values_only=True))
    assert sorted(r[0] for r in rows) == [7, 8, 9, 15, 16]
    assert {r[7] for r in rows} == {"2027-11-30"} and {r[9] for r in rows} == {"có"}
    assert "TẠM TÍNH" in book["Ghi chu"]["A3"].value


def test_the_verification_page_shows_the_validity_end(site):
    with site.service.transaction() as s:
        serial = s.scalars(select(Certificate.serial).where(Certificate.dossier_id == 7)).first()
    shown = page(site.anonymous(), f"/verify/{serial}")
    assert "Hiệu lực công nhận đến" in shown and "30/11/2027" in shown and "tạm tính" in shown
