"""Every page form that changes a dossier carries the dossier version it showed (issue #10, optimistic locking).

A form posted without its version is refused with 400 and a Vietnamese message; one with a stale version is
refused with the service's conflict message (who changed what since); in both cases nothing is stored. The
province's batch form carries one version per listed dossier (``version_<id>``). The issue's scenario: a chair
opens an appraised, eligible dossier; an appraiser then lowers two values; the chair's verify on what was shown
is refused naming the change, and the dossier stays submitted.

Demo world (tests/web/conftest.py): 1 commune1's draft, 3–4 submitted, 5–6 verified, 7 recognised (Thành phố
Kon Tum, district1/chair1); 13 submitted (Huyện Đắk Glei, district2/chair2), fully appraised here.
"""

from __future__ import annotations

import html
import io
import re

import pytest

from dossiers.audit import local_date, now
from engine.template import example_values

TODAY = local_date(now()).isoformat()
SIGNER = "Nguyễn Văn Minh"


def pdf(site) -> tuple:
    return io.BytesIO(site.pdf), "so-tiem-chung.pdf"


# name → (user, page showing the form, the form's action, what it posts besides its version, the dossier)
FORMS = {
    "save": ("commune1", "/commune/dossiers/1", "/commune/dossiers/1",
             lambda site: {"action": "save", "TC13__satisfaction": "77"}, 1),
    "submit": ("commune1", "/commune/dossiers/1", "/commune/dossiers/1",
               lambda site: {"action": "submit", "TC13__satisfaction": "77"}, 1),
    "evidence": ("commune1", "/commune/dossiers/1", "/commune/dossiers/1/evidence",
                 lambda site: {"criterion": "TC07", "file": pdf(site)}, 1),
    "appraise": ("district1", "/district/dossiers/3", "/district/dossiers/3",
                 lambda site: {"TC13__satisfaction": "70", "TC13__satisfaction__comment": "Khảo sát lại"}, 3),
    "return": ("district1", "/district/dossiers/4", "/district/dossiers/4/return",
               lambda site: {"reason": "Thiếu minh chứng TC07"}, 4),
    "return-verified": ("province", "/dossiers/5", "/district/dossiers/5/return",
                        lambda site: {"reason": "Cần thẩm định lại TC13"}, 5),
    "verify": ("chair2", "/district/dossiers/13", "/district/dossiers/13/verify",
               lambda site: {"members": "Chủ tịch hội đồng\nThành viên"}, 13),
    "decide": ("province", "/province/", "/province/decide",
               lambda site: {"dossier": "5", "action": "recognize", "decision_number": "77/QĐ-UBND",
                             "decision_date": TODAY, "signer_name": SIGNER}, 5),
    "reject": ("province", "/province/", "/province/decide",
               lambda site: {"dossier": "6", "action": "reject", "reason": "Chưa đạt TC13"}, 6),
    "revoke": ("province", "/dossiers/7", "/province/dossiers/7/revoke",
               lambda site: {"decision_number": "78/QĐ-UBND", "decision_date": TODAY, "signer_name": SIGNER,
                             "reason": "Phát hiện sai số liệu"}, 7),
}


def version_field(name: str) -> str:
    """The form field that carries the version: one per dossier on the batch form."""
    dossier = FORMS[name][4]
    return f"version_{dossier}" if FORMS[name][2] == "/province/decide" else "lock_version"


def forms_of(page: str, path: str) -> dict[str, dict[str, str]]:
    """Each form of ``page`` by the path it posts to (the page's own ``path`` without an action): its inputs."""
    found = {}
    for attributes, body in re.findall(r"<form\b([^>]*)>(.*?)</form>", page, re.S):
        action = re.search(r'\baction="([^"]*)"', attributes)
        inputs = {}
        for tag in re.findall(r"<input\b[^>]*>", body):
            name = re.search(r'\bname="([^"]*)"', tag)
            value = re.search(r'\bvalue="([^"]*)"', tag)
            if name:
                inputs[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
        found[html.unescape(action.group(1)) if action else path] = inputs
        form_id = re.search(r'\bid="([^"]*)"', attributes)
        if form_id:  # buttons elsewhere that post this form to another address (the evidence upload)
            for other in re.findall(rf'<button\b[^>]*\bform="{form_id.group(1)}"[^>]*\bformaction="([^"]*)"', page):
                found[html.unescape(other)] = inputs
    return found


def text_of(page: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


@pytest.fixture(scope="module", autouse=True)
def world(site):
    """Dossier 13 fully appraised with the example values (935 points, eligible): the chair may verify."""
    site.service.appraise("district2", 13, dict(example_values()))


def post(site, name: str, version: str | None):
    """Post the form ``name`` as its user, with ``version`` in its version field (None: without one)."""
    user, _page, action, make, _dossier = FORMS[name]
    client = site.client(user)
    data = {"csrf_token": site.csrf(client, FORMS[name][1]), **make(site)}
    if version is not None:
        data[version_field(name)] = version
    return client.post(action, data=data, follow_redirects=True)


@pytest.mark.parametrize("name", list(FORMS))
def test_the_form_carries_the_version_it_shows(site, name):
    user, page, action, _make, dossier = FORMS[name]
    shown = site.client(user).get(page)
    assert shown.status_code == 200
    form = forms_of(shown.get_data(as_text=True), page).get(action)
    assert form is not None, f"no form posting to {action} on {page}"
    assert form.get(version_field(name)) == str(site.dossier(dossier).lock_version), form


@pytest.mark.parametrize("name", list(FORMS))
def test_a_form_without_its_version_is_refused_and_changes_nothing(site, name):
    before = site.state()
    answer = post(site, name, None)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400, text_of(page)[:400]
    assert "không ghi phiên bản hồ sơ" in text_of(page) and "không có gì được lưu" in text_of(page)
    assert site.state() == before


@pytest.mark.parametrize("name", list(FORMS))
def test_a_stale_version_is_refused_with_what_changed_and_changes_nothing(site, name):
    dossier = FORMS[name][4]
    stale = site.dossier(dossier).lock_version - 1
    before = site.state()
    answer = post(site, name, str(stale))
    text = text_of(answer.get_data(as_text=True))
    assert answer.status_code in (200, 409), text[:400]  # flashed on the page it came back to, or the 409 page
    assert f"hồ sơ {dossier} đã thay đổi từ phiên bản {stale}" in text, text[:600]
    assert "Không có gì được lưu" in text
    assert site.state() == before


@pytest.mark.parametrize("version", ["", "abc", "-1", "1.5"])
def test_a_version_that_is_not_one_is_a_missing_version(site, version):
    before = site.state()
    answer = post(site, "verify", version)
    assert answer.status_code == 400
    assert site.state() == before


# ------------------------------------------------------------------------------------- the scenario
def test_verify_on_a_dossier_changed_since_it_was_shown_is_refused_naming_the_change(site):
    """The chair opens dossier 13 (appraised: eligible); district2 then lowers two appraised values through
    the service; the chair's verify with the version shown is refused, naming who changed which values; the
    dossier stays submitted with no verified score. Verify on the page shown again succeeds."""
    chair = site.client("chair2")
    page = chair.get("/district/dossiers/13").get_data(as_text=True)
    assert "ĐỦ ĐIỀU KIỆN" in text_of(page) and "CHƯA ĐỦ ĐIỀU KIỆN" not in text_of(page)
    assert site.service.preview_appraisal(site.dossier(13)).total == 935
    shown = forms_of(page, "/district/dossiers/13")["/district/dossiers/13/verify"]["lock_version"]
    site.service.appraise("district2", 13, {"TC13.satisfaction": "40", "TC07.fully_immunised": "30"},
                          expected_version=int(shown))
    assert site.service.preview_appraisal(site.dossier(13)).recognized is False
    before = site.state()
    answer = chair.post("/district/dossiers/13/verify", data={
        "csrf_token": site.csrf(chair, "/district/dossiers/13"), "lock_version": shown,
        "members": "Chủ tịch hội đồng\nThành viên"})
    text = text_of(answer.get_data(as_text=True))
    assert answer.status_code == 409, text[:400]
    assert f"hồ sơ 13 đã thay đổi từ phiên bản {shown}" in text
    assert "district2" in text and "TC07.fully_immunised" in text and "TC13.satisfaction" in text
    assert site.state() == before
    d = site.dossier(13)
    assert (d.status, d.verified_score, d.panel_members) == ("submitted", None, None)

    # the chair looks again, sees the dossier no longer eligible, and verifies what is shown now
    page = chair.get("/district/dossiers/13").get_data(as_text=True)
    assert "CHƯA ĐỦ ĐIỀU KIỆN" in text_of(page)
    fresh = forms_of(page, "/district/dossiers/13")["/district/dossiers/13/verify"]
    answer = chair.post("/district/dossiers/13/verify", data={**fresh, "members": "Chủ tịch hội đồng",
                                                              "confirmed": "1"})  # the chair said yes
    assert answer.status_code == 302
    d = site.dossier(13)
    assert d.status == "verified" and d.verified_score.recognized is False


def test_the_batch_form_checks_each_dossier_against_the_version_it_listed(site):
    """The province lists dossiers 5 and 6; dossier 6 is then returned by someone else. Deciding both with the
    versions listed recognises 5 and refuses 6 naming the return: 6 stays as the return left it."""
    client = site.client("province")
    listed = forms_of(client.get("/province/").get_data(as_text=True), "/province/")["/province/decide"]
    assert {"version_5", "version_6"} <= set(listed)
    site.service.transition("province", 6, "return", reason="Cần thẩm định lại TC13",
                            expected_version=int(listed["version_6"]))
    returned = site.dossier(6)
    answer = client.post("/province/decide", follow_redirects=True, data={
        "csrf_token": listed["csrf_token"], "dossier": ["5", "6"], "action": "recognize",
        "decision_number": "79/QĐ-UBND", "decision_date": TODAY, "signer_name": SIGNER,
        "version_5": listed["version_5"], "version_6": listed["version_6"]})
    flashes = site.flashes(answer.get_data(as_text=True))
    assert any("#5" in f and "Đã xử lý 1 hồ sơ" in f for f in flashes), flashes
    assert any(f.startswith("#6:") and "đã thay đổi" in f and "province lúc " in f and ": Trả lại" in f for f in flashes), flashes
    assert (site.dossier(5).status, site.dossier(5).decision_number) == ("recognized", "79/QĐ-UBND")
    assert site.dossier(6).lock_version == returned.lock_version and site.dossier(6).status == "draft"


def test_the_batch_form_without_a_version_for_one_dossier_applies_to_none(site):
    """Dossier 14 (verified, Huyện Đắk Glei) has its version, the other checked one has none: 400, nothing."""
    client = site.client("province")
    listed = forms_of(client.get("/province/").get_data(as_text=True), "/province/")["/province/decide"]
    before = site.state()
    answer = client.post("/province/decide", data={
        "csrf_token": listed["csrf_token"], "dossier": ["14", "999"], "action": "recognize",
        "decision_number": "80/QĐ-UBND", "decision_date": TODAY, "signer_name": SIGNER,
        "version_14": listed["version_14"]})
    assert answer.status_code == 400
    assert site.state() == before
