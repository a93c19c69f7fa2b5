"""The commune's form that guides, on the real app and demo database: the preview (stores nothing, checks CSRF,
role, jurisdiction and state, never answers 500), every problem at once, the number of children typed once,
uploads that keep typed values, confirmations without JavaScript, returned dossiers, the panel's queue, and the
commune downloading its own certificate."""

from __future__ import annotations

import html
import io
import re

import pytest

from engine.template import example_values

FULL = {code.replace(".", "__"): ("true" if v is True else "false" if v is False else str(v))
        for code, v in example_values().items() if code not in ("TC04.children", "TC05.children")}


def form_of(site, user: str, url: str) -> tuple[object, dict]:
    client = site.client(user)
    page = client.get(url).get_data(as_text=True)
    return client, {"csrf_token": site.csrf(client, url), "lock_version": site.field_value(page, "lock_version")}


def text(page) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))))


def test_the_preview_scores_what_is_typed_and_stores_nothing(site):
    client, hidden = form_of(site, "commune1", "/commune/dossiers/1")
    before = site.state()
    answer = client.post("/commune/dossiers/1/preview", data={**hidden, **FULL})
    assert answer.status_code == 200
    assert "935 / 1.000 điểm" in text(answer) and "ĐỦ ĐIỀU KIỆN CÔNG NHẬN" in text(answer)
    partial = client.post("/commune/dossiers/1/preview", data={**hidden, "TC02__children_born": "100",
                                                               "TC02__registered_on_time": "90"})
    shown = text(partial)
    assert "Còn thiếu 29 chỉ số" in shown and "Tạm tính từ 1 trên 13 tiêu chí" in shown
    assert 'href="#TC01__officer"' in partial.get_data(as_text=True)  # a missing indicator links to its field
    assert site.state() == before


@pytest.mark.parametrize(("user", "dossier", "status"), [
    ("commune2", 1, 403),  # another commune's dossier
    ("district1", 1, 403),  # not a commune officer
    ("officer23281", 3, 409),  # the commune's own dossier, submitted: no longer edited
])
def test_the_preview_checks_role_jurisdiction_and_state(site, user, dossier, status):
    client = site.client(user)
    token = site.csrf(client, "/commune/")
    before = site.state()
    answer = client.post(f"/commune/dossiers/{dossier}/preview", data={"csrf_token": token, **FULL})
    assert answer.status_code == status
    assert site.state() == before


@pytest.mark.parametrize("hostile", ["9" * 100_000, "\x00\x01", "1e999", "-0", "NaN", "１２", "<script>", "  "])
def test_hostile_values_are_named_problems_never_a_500(site, hostile):
    client, hidden = form_of(site, "commune1", "/commune/dossiers/1")
    answer = client.post("/commune/dossiers/1/preview", data={**hidden, **FULL, "TC03__children": hostile,
                                                              "TC99__nope": hostile})
    assert answer.status_code in (200, 422)  # control characters are refused for the whole request (422)
    assert "<script>" not in answer.get_data(as_text=True)


def test_the_preview_needs_the_csrf_token(site):
    answer = site.client("commune1").post("/commune/dossiers/1/preview", data=FULL)
    assert answer.status_code == 400


def test_every_problem_is_shown_at_once_with_the_pair_checks(site):
    client, hidden = form_of(site, "commune1", "/commune/dossiers/1")
    before = site.state()
    answer = client.post("/commune/dossiers/1", data={**hidden, **FULL, "TC13__satisfaction": "hai",
                                                      "TC02__children_born": "100",
                                                      "TC02__registered_on_time": "120", "action": "save"})
    assert answer.status_code == 422
    page = text(answer)
    assert "TC13.satisfaction:" in page and "TC02.registered_on_time: 120 lớn hơn «" in page  # the total's label
    assert site.field_value(answer.get_data(as_text=True), "TC02__registered_on_time") == "120"  # kept
    assert site.state() == before


def test_the_number_of_children_is_typed_once_and_stored_for_each_criterion(site):
    client, hidden = form_of(site, "commune2", "/commune/dossiers/2")
    page = client.get("/commune/dossiers/2").get_data(as_text=True)
    assert site.field_value(page, "TC03__children") is not None
    assert site.field_value(page, "TC04__children") is None and site.field_value(page, "TC05__children") is None
    answer = client.post("/commune/dossiers/2", data={**hidden, "TC03__children": "2.500", "action": "save"})
    assert answer.status_code == 302
    values = site.dossier(2).values
    assert values["TC03.children"]["self"] == values["TC04.children"]["self"] == values["TC05.children"]["self"] \
        == "2500"


def test_uploading_evidence_keeps_the_typed_values_unsaved(site):
    client, hidden = form_of(site, "commune1", "/commune/dossiers/1")
    before = site.dossier(1).values["TC13.satisfaction"]["self"]
    answer = client.post("/commune/dossiers/1/evidence", content_type="multipart/form-data", data={
        **hidden, "TC13__satisfaction": "77,5", "criterion": "TC07", "action": "upload",
        "file": (io.BytesIO(site.pdf), "so-tiem-chung.pdf")})
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert site.field_value(page, "TC13__satisfaction") == "77,5"  # still on the page
    assert 'data-dirty="1"' in page  # the browser warns before leaving
    assert "so-tiem-chung.pdf" in page
    assert site.dossier(1).values["TC13.satisfaction"]["self"] == before  # not saved
    assert site.field_value(page, "lock_version") == str(site.dossier(1).lock_version)  # saving works next
    size = len(site.pdf)
    shown = f"{size} byte" if size < 1024 else f"{size / 1024:.1f}".replace(".", ",").removesuffix(",0") + " KB"
    assert f"({shown} " in text(answer), shown  # a small file is not "0 KB"


def test_an_upload_without_a_file_names_the_field_by_its_label(site):
    client, hidden = form_of(site, "commune1", "/commune/dossiers/1")
    answer = client.post("/commune/dossiers/1/evidence", content_type="multipart/form-data", data={
        **hidden, "criterion": "TC07", "action": "upload"}, follow_redirects=True)
    flashes = site.flashes(answer.get_data(as_text=True))
    assert "Chưa tải lên: Tệp minh chứng (PDF, ảnh, Word, Excel): chưa chọn tệp nào để tải lên" in flashes, flashes


def test_submit_asks_for_confirmation_without_javascript(site):
    client, hidden = form_of(site, "commune1", "/commune/dossiers/1")
    answer = client.post("/commune/dossiers/1", data={**hidden, **FULL, "action": "submit", "confirm": "ask"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/commune/dossiers/1/submit")
    assert site.dossier(1).status == "draft"  # saved, not submitted
    asking = client.get("/commune/dossiers/1/submit")
    assert "Nộp hồ sơ cho cấp thẩm định?" in text(asking)
    assert site.dossier(1).status == "draft"  # the GET changes nothing
    lock = site.field_value(asking.get_data(as_text=True), "lock_version")
    done = client.post("/commune/dossiers/1/submit", data={"csrf_token": hidden["csrf_token"], "lock_version": lock})
    assert done.status_code == 302
    assert site.dossier(1).status == "submitted"
    client.get(done.headers["Location"])  # the page it leads to shows "Đã nộp hồ sơ."
    # the Back button, then "Nộp hồ sơ" again: refused, and it does not claim a draft was saved
    version = site.dossier(1).lock_version
    back = client.get("/commune/dossiers/1/submit")  # the browser loads the confirmation page again
    fresh = site.field_value(back.get_data(as_text=True), "lock_version") or str(version)
    again = client.post("/commune/dossiers/1/submit", data={"csrf_token": hidden["csrf_token"], "lock_version": fresh},
                        follow_redirects=True)
    flashes = site.flashes(again.get_data(as_text=True))
    assert any(f.startswith("Chưa nộp được: ") for f in flashes), (again.status_code, text(again)[:800])
    assert not any("Đã lưu nháp" in f for f in flashes), flashes
    assert site.dossier(1).lock_version == version


def test_the_panel_queue_shows_appraisal_progress_and_labels_every_comment_box(site):
    page = site.client("district1").get("/district/").get_data(as_text=True)
    assert "0/33 chỉ số" in text(site.client("district1").get("/district/"))
    appraisal = site.client("district1").get("/district/dossiers/1").get_data(as_text=True)
    boxes = re.findall(r'<textarea[^>]*id="([^"]+__comment)"', appraisal)
    assert len(boxes) == 33
    assert all(f'for="{box}"' in appraisal for box in boxes)
    assert "Đã thẩm định đủ, chờ Chủ tịch hội đồng xác nhận" in page


def test_a_return_asks_then_shows_the_commune_who_when_why_and_the_comments(site):
    client, hidden = form_of(site, "district1", "/district/dossiers/1")
    save = client.post("/district/dossiers/1", data={**hidden, "TC02__registered_on_time__comment":
                                                     "Sổ khai sinh chỉ ghi 110 trẻ"})
    assert save.status_code == 302
    client, hidden = form_of(site, "district1", "/district/dossiers/1")
    reason = {**hidden, "reason": "Thiếu minh chứng TC02", "confirm": "ask"}
    asked = client.post("/district/dossiers/1/return", data=reason)
    assert asked.status_code == 200 and "Trả hồ sơ về xã với lý do" in text(asked)
    assert site.dossier(1).status == "submitted"
    done = client.post("/district/dossiers/1/return", data={**reason, "confirmed": "1"})
    assert done.status_code == 302 and site.dossier(1).status == "draft"
    home = text(site.client("commune1").get("/commune/"))
    assert "Hồ sơ năm 2024 đã bị trả lại" in home and "district1" in home and "Thiếu minh chứng TC02" in home
    page = site.client("commune1").get("/commune/dossiers/1").get_data(as_text=True)
    assert "Hồ sơ đã bị trả lại" in page
    field = page.index('name="TC02__registered_on_time"')
    assert page.index("Sổ khai sinh chỉ ghi 110 trẻ") > field  # beside the field it concerns


def test_the_commune_downloads_its_own_certificate_and_no_other(site):
    own = site.client("officer23296").get("/dossiers/7")
    assert "/dossiers/7/certificate.pdf" in own.get_data(as_text=True)
    pdf = site.client("officer23296").get("/dossiers/7/certificate.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert site.client("officer23299").get("/dossiers/7/certificate.pdf").status_code == 403
    assert site.client("officer23296").get("/dossiers/7/decision.pdf").status_code == 403


def test_the_appraisal_page_is_read_only_when_it_cannot_be_saved(site):
    """A draft (or a recognised dossier) shows the panel's fields disabled, says why, and does not ask for the
    indicators still to appraise; a submitted one is editable with its save button."""
    seen = set()
    for dossier in range(1, 15):
        answer = site.client("district1").get(f"/district/dossiers/{dossier}")
        if answer.status_code != 200:  # not in district1's area
            continue
        page = answer.get_data(as_text=True)
        editable = site.dossier(dossier).status == "submitted"
        seen.add(editable)
        assert ('<fieldset class="plain" disabled>' in page) is not editable, dossier
        assert ("Chỉ xem: hồ sơ đang ở trạng thái «" in text_of_page(page)) is not editable, dossier
        assert ("Lưu kết quả thẩm định" in page) is editable, dossier
        if not editable:
            assert "chưa thẩm định cho lần nộp này" not in page, dossier
    assert seen == {True, False}  # both kinds were looked at


def text_of_page(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))
