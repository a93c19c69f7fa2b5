"""A refused form loses nothing the user typed (defects found walking the demo as each role).

- The province's batch decision refused (a bad number, a date in the future or before the verification, a date
  that is not one) comes back with every typed field and tick kept.
- The revoke form refused (a date before the recognition) comes back on the dossier page with its six fields.
- The chair's panel members refused (a name of 250 characters) come back as typed.
- A comment pasted with U+0007 on the appraisal page (and a value on the commune's own page) is no 422 page:
  the page comes back with every typed value and comment, the problem beside the field, naming the indicator
  by its code and label; nothing is stored.
- An evidence file over the limit: the 413 page says the limit and leads back to the dossier page; the upload
  form says the limit and the accepted types before a file is chosen.

Every refused post stores nothing (``Unchanged``); posts carry the CSRF token as a browser does.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from test_api import Unchanged

from dossiers.audit import local_date, now
from engine.template import example_values
from tests.html_validity import problems

VERIFIED, RECOGNIZED, SUBMITTED = 6, 8, 3  # demo dossiers: verified and recognised (province), district1's
APPRAISED = 13  # submitted (district2, chair2); appraised here with the example values so that it may be verified
BELL = "\x07"


def text(answer) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.get_data(as_text=True))))


def textarea(page: str, name: str) -> str | None:
    found = re.search(rf'<textarea[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    return None if found is None else html.unescape(found.group(1)).lstrip("\r\n")


def ticked(page: str) -> set[str]:
    return {re.search(r'\bvalue="(\d+)"', t).group(1) for t in re.findall(r'<input[^>]*name="dossier"[^>]*>', page)
            if re.search(r"\bchecked\b", t)}


def form_of(site, user: str, url: str) -> tuple[object, dict]:
    client = site.client(user)
    page = client.get(url).get_data(as_text=True)
    return client, {"csrf_token": site.csrf(client, url), "lock_version": site.field_value(page, "lock_version")}


def label_of(site, dossier: int, code: str) -> str:
    version = site.service.registry.get(site.dossier(dossier).criteria_version)
    return next(ind.label for _crit, ind in version.indicators() if ind.code == code)


# ------------------------------------------------------------------------------------- 1. batch decision
BATCH = {"decision_number": "quyết định", "decision_date": "20/12/2024", "signer_name": "Nguyễn Văn Minh",
         "signer_title": "Phó Chủ tịch", "reason": "Ghi chú của tỉnh"}


@pytest.mark.parametrize(("fields", "says"), [
    ({}, "không đúng dạng"),  # a number that is no number/symbol
    ({"decision_number": "107/QĐ-UBND", "decision_date": "01/01/2099"}, "ở tương lai"),
    ({"decision_number": "107/QĐ-UBND", "decision_date": "20/12/2019"}, "trước ngày thẩm định"),
    ({"decision_number": "107/QĐ-UBND", "decision_date": "31/02/2025"}, "Ngày quyết định"),  # no such day
    ({"decision_number": "107/QĐ-UBND", "decision_date": "hôm qua"}, "Ngày quyết định"),
])
def test_a_refused_batch_decision_keeps_every_typed_field_and_tick(site, fields, says):
    client = site.client("province")
    typed = {**BATCH, **fields}
    with Unchanged(site, VERIFIED):
        answer = client.post("/province/decide", data={
            "csrf_token": site.csrf(client, "/province/"), "dossier": str(VERIFIED), "action": "recognize",
            f"version_{VERIFIED}": str(site.dossier(VERIFIED).lock_version), **typed})
        assert answer.status_code == 200, answer.status_code
    page = answer.get_data(as_text=True)
    assert any(says in f for f in site.flashes(page)), site.flashes(page)
    for name in ("decision_number", "decision_date", "signer_name", "signer_title"):
        assert site.field_value(page, name) == typed[name], name
    assert textarea(page, "reason") == typed["reason"]
    assert ticked(page) == {str(VERIFIED)}
    assert site.checked_radio(page, "action") == "recognize"
    assert problems(page) == []


def test_a_batch_decision_without_a_tick_keeps_the_typed_fields(site):
    client = site.client("province")
    with Unchanged(site, VERIFIED):
        answer = client.post("/province/decide", data={
            "csrf_token": site.csrf(client, "/province/"), "action": "reject", **BATCH})
        assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "Chọn ít nhất một hồ sơ" in " ".join(site.flashes(page))
    assert site.field_value(page, "decision_number") == BATCH["decision_number"]
    assert site.checked_radio(page, "action") == "reject" and ticked(page) == set()


def test_a_fresh_batch_form_ticks_nothing_and_dates_today(site):
    page = site.client("province").get("/province/").get_data(as_text=True)
    assert ticked(page) == set()
    assert site.field_value(page, "decision_date") == f"{local_date(now()):%d/%m/%Y}"


# ----------------------------------------------------------------------------------------------- 2. revoke
def test_a_revocation_dated_before_the_recognition_keeps_all_six_fields(site):
    decided = dt.date.fromisoformat(str(site.dossier(RECOGNIZED).decision_date))
    typed = {"decision_number": "130/QĐ-UBND", "decision_date": f"{decided - dt.timedelta(days=1):%d/%m/%Y}",
             "signer_name": "Nguyễn Văn Minh", "signer_title": "Chủ tịch",
             "reason": "Phát hiện sai số liệu TC07", "public_reason": "Không còn đáp ứng tiêu chí TC07"}
    client, hidden = form_of(site, "province", f"/dossiers/{RECOGNIZED}")
    with Unchanged(site, RECOGNIZED):
        answer = client.post(f"/province/dossiers/{RECOGNIZED}/revoke", data={**hidden, **typed},
                             headers={"Referer": f"http://localhost/dossiers/{RECOGNIZED}"})
        assert answer.status_code == 409, answer.status_code
    page = answer.get_data(as_text=True)
    assert any("trước ngày quyết định công nhận" in f for f in site.flashes(page)), site.flashes(page)
    for name in ("decision_number", "decision_date", "signer_name", "signer_title"):
        assert site.field_value(page, name) == typed[name], name
    assert (textarea(page, "reason"), textarea(page, "public_reason")) == (typed["reason"], typed["public_reason"])
    assert problems(page) == []


def test_a_revocation_date_that_is_no_date_keeps_the_fields(site):
    client, hidden = form_of(site, "province", f"/dossiers/{RECOGNIZED}")
    with Unchanged(site, RECOGNIZED):
        answer = client.post(f"/province/dossiers/{RECOGNIZED}/revoke", data={
            **hidden, "decision_number": "130/QĐ-UBND", "decision_date": "12/20/2024", "reason": "Sai số liệu",
            "public_reason": "Không còn đáp ứng"})
        assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert any(f.startswith("Ngày quyết định") for f in site.flashes(page))
    assert site.field_value(page, "decision_date") == "12/20/2024"
    assert textarea(page, "public_reason") == "Không còn đáp ứng"


# ------------------------------------------------------------------------------------------ 3. the panel
def test_a_panel_member_name_too_long_keeps_the_member_list(site):
    site.service.appraise("district2", APPRAISED, dict(example_values()))
    members = "Nguyễn Văn An\n" + "B" * 250 + "\nTrần Thị Cúc"
    client, hidden = form_of(site, "chair2", f"/district/dossiers/{APPRAISED}")
    with Unchanged(site, APPRAISED):
        answer = client.post(f"/district/dossiers/{APPRAISED}/verify", data={**hidden, "members": members},
                             headers={"Referer": f"http://localhost/district/dossiers/{APPRAISED}"})
        assert answer.status_code == 409, answer.status_code
    page = answer.get_data(as_text=True)
    assert any("dài 250 ký tự, tối đa 200" in f for f in site.flashes(page)), site.flashes(page)
    assert textarea(page, "members").replace("\r\n", "\n") == members
    assert problems(page) == []


# ------------------------------------------------------------------------- 4. a control character pasted
def test_a_comment_with_a_control_character_keeps_the_appraisal_page(site):
    label = label_of(site, SUBMITTED, "TC02.children_born")
    client, hidden = form_of(site, "district1", f"/district/dossiers/{SUBMITTED}")
    typed = {"TC02__children_born": "120", "TC02__children_born__comment": f"Đối chiếu sổ hộ tịch{BELL} năm 2024",
             "TC02__registered_on_time__comment": "Đã kiểm tra", "TC13__satisfaction": "86,5"}
    with Unchanged(site, SUBMITTED):
        answer = client.post(f"/district/dossiers/{SUBMITTED}", data={**hidden, **typed})
        assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Chưa lưu" in " ".join(site.flashes(page))
    assert site.field_value(page, "TC02__children_born") == "120"
    assert site.field_value(page, "TC13__satisfaction") == "86,5"
    assert textarea(page, "TC02__registered_on_time__comment") == "Đã kiểm tra"
    assert textarea(page, "TC02__children_born__comment") == "Đối chiếu sổ hộ tịch năm 2024"  # U+0007 taken out
    shown = text(answer)
    assert f"TC02.children_born ({label}), nhận xét: có ký tự điều khiển (U+0007)" in shown
    assert "TC02__children_born__comment" not in shown  # never the internal name
    assert problems(page) == []


def test_a_commune_value_with_a_control_character_keeps_the_form(site):
    client, hidden = form_of(site, "commune1", "/commune/dossiers/1")
    label = label_of(site, 1, "TC03.children")
    with Unchanged(site, 1):
        answer = client.post("/commune/dossiers/1", data={**hidden, "action": "save", "TC03__children": f"1.234{BELL}",
                                                          "TC13__satisfaction": "86,5"})
        assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert site.field_value(page, "TC03__children") == "1.234"
    assert site.field_value(page, "TC13__satisfaction") == "86,5"
    assert f"TC03.children ({label}): có ký tự điều khiển (U+0007)" in text(answer)


def test_an_upload_with_a_control_character_in_a_value_uploads_nothing_and_keeps_the_values(site):
    client, hidden = form_of(site, "commune2", "/commune/dossiers/2")
    with Unchanged(site, 2):
        answer = client.post("/commune/dossiers/2/evidence", data={
            **hidden, "criterion": "TC07", "TC13__satisfaction": f"86,5{BELL}", "TC03__children": "1.234",
            "file": (io.BytesIO(site.pdf), "so-tiem-chung.pdf")})
        assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert (site.field_value(page, "TC13__satisfaction"), site.field_value(page, "TC03__children")) == ("86,5", "1.234")
    assert "TC13.satisfaction (" in text(answer) and "(U+0007)" in text(answer)


def test_other_forms_still_refuse_a_control_character_with_422_naming_the_field(site):
    client, hidden = form_of(site, "district1", f"/district/dossiers/{SUBMITTED}")
    with Unchanged(site, SUBMITTED):
        answer = client.post(f"/district/dossiers/{SUBMITTED}/return", data={**hidden, "reason": f"sai{BELL}"})
        assert answer.status_code == 422 and "reason" in text(answer)


# ----------------------------------------------------------------------------------- 5. a file too large
def test_the_upload_form_states_the_limit_and_types_before_choosing(site):
    page = text(site.client("commune2").get("/commune/dossiers/2"))
    assert "Mỗi tệp tối đa 10 MB; nhận PDF, ảnh PNG hoặc JPG, Word (.docx), Excel (.xlsx)" in page


def test_an_11_mb_upload_states_the_limit_and_leads_back_to_the_dossier(site):
    client, hidden = form_of(site, "commune2", "/commune/dossiers/2")
    content = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)
    for referer, back in (("http://localhost/commune/dossiers/2", "http://localhost/commune/dossiers/2"),
                          (None, "/commune/dossiers/2")):
        with Unchanged(site, 2):
            answer = client.post("/commune/dossiers/2/evidence", data={
                **hidden, "criterion": "TC07", "TC13__satisfaction": "86,5",
                "file": (io.BytesIO(content), "so-tiem-chung.pdf")}, headers={"Referer": referer} if referer else {})
            answer.request.environ["wsgi.input"].close()  # the test client's temporary file (the app left it unread)
            assert answer.status_code == 413
        assert "Tệp tải lên quá lớn: tối đa 10 MB mỗi tệp" in text(answer)
        assert f'href="{back}"' in answer.get_data(as_text=True)
        assert problems(answer.get_data(as_text=True)) == []


def test_a_file_over_the_limit_within_the_form_allowance_keeps_the_values(site, make_site, monkeypatch):
    """Over CFC_MAX_UPLOAD_MB but within the 64 KB left for the form's fields: the body was read, so the dossier
    page comes back with the values typed (413, nothing stored)."""
    monkeypatch.setenv("CFC_MAX_UPLOAD_MB", "0.05")
    small = make_site()
    client = small.login("commune2")
    page = client.get("/commune/dossiers/2").get_data(as_text=True)
    with Unchanged(site, 2):
        answer = client.post("/commune/dossiers/2/evidence", data={
            "csrf_token": small.csrf(client, "/commune/dossiers/2"), "criterion": "TC07",
            "lock_version": small.field_value(page, "lock_version"), "TC13__satisfaction": "86,5",
            "file": (io.BytesIO(b"%PDF-1.4\n" + b"0" * 60 * 1024), "so-tiem-chung.pdf")})
        assert answer.status_code == 413
    assert small.field_value(answer.get_data(as_text=True), "TC13__satisfaction") == "86,5"
    assert "vượt giới hạn 0,05 MB" in text(answer)


def test_a_control_character_in_the_batch_decision_keeps_the_fields_and_names_the_field(site):
    client = site.client("province")
    with Unchanged(site, VERIFIED):
        answer = client.post("/province/decide", data={
            "csrf_token": site.csrf(client, "/province/"), "dossier": str(VERIFIED), "action": "recognize",
            f"version_{VERIFIED}": str(site.dossier(VERIFIED).lock_version), **BATCH,
            "decision_number": f"107/QĐ-UBND{BELL}"})
        assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert site.flashes(page)[0].startswith("Số quyết định: có ký tự điều khiển (U+0007)"), site.flashes(page)
    assert site.field_value(page, "decision_number") == "107/QĐ-UBND" and ticked(page) == {str(VERIFIED)}
    assert site.field_value(page, "signer_name") == BATCH["signer_name"]


def test_the_kept_comment_problem_reads_in_english_for_an_english_reader(site):
    client = site.login("district1")  # its own session: the language stays with it
    page = client.get(f"/district/dossiers/{SUBMITTED}?lang=en").get_data(as_text=True)
    with Unchanged(site, SUBMITTED):
        answer = client.post(f"/district/dossiers/{SUBMITTED}", data={
            "csrf_token": site.csrf(client, f"/district/dossiers/{SUBMITTED}"),
            "lock_version": site.field_value(page, "lock_version"), "TC02__children_born__comment": f"a{BELL}b"})
        assert answer.status_code == 422
    assert "TC02.children_born (" in text(answer) and "), comment: " in text(answer)
    assert "Those characters were taken out of the field, the rest is kept" in text(answer)
    assert textarea(answer.get_data(as_text=True), "TC02__children_born__comment") == "ab"


def test_a_mixed_batch_decides_the_good_ones_and_keeps_the_refused_ticked(site):
    """Last in this module: it recognises dossier 6. Dossier 5 is posted with a version the list never showed."""
    client = site.client("province")
    answer = client.post("/province/decide", data={
        "csrf_token": site.csrf(client, "/province/"), "dossier": [str(VERIFIED), "5"], "action": "recognize",
        f"version_{VERIFIED}": str(site.dossier(VERIFIED).lock_version), "version_5": "0",
        **BATCH, "decision_number": "107/QĐ-UBND", "decision_date": f"{local_date(now()):%d/%m/%Y}"})
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    flashes = site.flashes(page)
    assert any("Đã xử lý 1 hồ sơ: #6" in f for f in flashes) and any(f.startswith("#5:") for f in flashes), flashes
    assert site.dossier(VERIFIED).status == "recognized" and site.dossier(5).status == "verified"
    assert ticked(page) == {"5"} and site.field_value(page, "decision_number") == "107/QĐ-UBND"
