"""The whole flow in a real browser, in Vietnamese, on the real server (``cfc serve``) and a fresh demo database.

commune1 fills dossier 1 (numbers typed the Vietnamese way), saves, sees the live score and decision, uploads a
PDF as evidence and submits; district1 opens it from the queue, changes one appraised value with a comment and
sees the score impact; chair1 verifies it with the panel members; the province recognises it with a decision
number in the batch form and sees it on the dashboard; the history shows every step. The steps run in order
on one browser page; a screenshot of each step goes to tests/e2e/artifacts/.
"""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import Page, expect

from dossiers.audit import local_date, now
from engine.template import example_values

COMMUNE = "Xã Đắk Rơ Wa"  # dossier 1 of the demo, commune1's draft
DECISION = "245/QĐ-UBND"
DECIDED = local_date(now())  # the decision's date: the day of the verification (today)
PANEL = ["Phó Chủ tịch UBND thành phố (Chủ tịch hội đồng)", "Trưởng phòng Lao động – Thương binh và Xã hội",
         "Trưởng phòng Y tế", "Trưởng phòng Giáo dục và Đào tạo"]
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def shot(artifacts):
    def take(page: Page, name: str, part=None) -> None:
        """A full-page screenshot, or of ``part`` (a locator) only."""
        path = str(artifacts / f"{next(_numbers):02d}-{name}.png")
        if part is None:
            page.screenshot(path=path, full_page=True)
        else:
            part.screenshot(path=path)
    return take


SIGNER = "Nguyễn Văn Minh"


def vietnamese(value) -> str:
    """How a Vietnamese officer types a number: 2.400 children, 86,5 points."""
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return f"{value:,}".replace(",", ".")


def field(code: str) -> str:
    return code.replace(".", "__")


def login(page: Page, username: str) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("header.top .who")).to_be_visible()


def logout(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def click_and_wait(page: Page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def flash(page: Page, text: str) -> None:
    expect(page.locator("p.flash.ok", has_text=text)).to_be_visible()


@pytest.fixture(scope="module", autouse=True)
def say_yes(page):
    """Every confirmation (submit, verify, the batch decision) is answered yes."""
    page.on("dialog", lambda dialog: dialog.accept())


def test_commune_fills_saves_uploads_and_submits(page, shot, tmp_path):
    login(page, "commune1")
    expect(page.get_by_role("heading", name="Tự đánh giá xã, phường phù hợp với trẻ em")).to_be_visible()
    shot(page, "commune1-home")
    click_and_wait(page, page.get_by_role("link", name="Nhập, sửa"))
    expect(page.locator("header.dossier-head h1")).to_contain_text(COMMUNE)
    expect(page.locator("#guide")).to_contain_text("Còn thiếu 31 chỉ số")

    for code, value in example_values().items():
        if code in ("TC04.children", "TC05.children"):
            continue  # typed once, in TC03 (same_as)
        if isinstance(value, bool):
            page.locator(f"input[name='{field(code)}'][value='{'true' if value else 'false'}']").check()
        elif code == "TC13.satisfaction":
            box = page.locator(f"input[name='{field(code)}']")
            box.fill("")
            box.press_sequentially(vietnamese(value))  # types 8, 6, the comma, 5
        else:
            page.locator(f"input[name='{field(code)}']").fill(vietnamese(value))
    assert page.locator("input[name='TC03__children']").input_value() == "2.400"
    assert page.locator("input[name='TC13__satisfaction']").input_value() == "86,5"
    shot(page, "commune1-filled")

    click_and_wait(page, page.get_by_role("button", name="Lưu nháp"))
    flash(page, "Đã lưu nháp.")
    score = page.locator("#guide")
    expect(score).to_contain_text("935 / 1.000 điểm")
    expect(score).to_contain_text("ĐỦ ĐIỀU KIỆN CÔNG NHẬN")
    expect(page.locator("input[name='TC13__satisfaction']")).to_have_value("86,5")
    shot(page, "commune1-saved-score")

    pdf = tmp_path / "so-tiem-chung-2024.pdf"
    pdf.write_bytes(PDF)
    page.locator("select[name='criterion']").select_option("TC07")
    page.locator("input[type='file'][name='file']").set_input_files(str(pdf))
    click_and_wait(page, page.get_by_role("button", name="Tải lên"))
    flash(page, "Đã tải lên minh chứng.")
    evidence = page.locator("section.card", has=page.get_by_role("heading", name="Minh chứng", exact=True))
    expect(evidence).to_contain_text("TC07")
    expect(evidence).to_contain_text("so-tiem-chung-2024.pdf")
    shot(page, "commune1-evidence")

    click_and_wait(page, page.get_by_role("button", name="Lưu và nộp hồ sơ"))
    flash(page, "Đã nộp hồ sơ.")
    expect(page.locator("header.dossier-head .status")).to_have_text("Đã nộp")
    shot(page, "commune1-submitted")
    logout(page)


def test_district_appraises_and_sees_the_score_impact(page, shot):
    login(page, "district1")
    expect(page.get_by_role("heading", name="Hồ sơ chờ thẩm định")).to_be_visible()
    row = page.locator("table.list tr", has_text=COMMUNE)
    expect(row).to_contain_text("935")
    shot(page, "district1-queue")
    click_and_wait(page, row.get_by_role("link", name="Thẩm định"))
    expect(page.locator("header.dossier-head h1")).to_contain_text(COMMUNE)
    # every appraisal field starts empty, the commune's value beside it: the appraiser checks each one
    expect(page.locator("input[name='TC13__satisfaction']")).to_have_value("")
    expect(page.locator("tr", has=page.locator("input[name='TC13__satisfaction']")).locator("td.self")
           ).to_have_text("86,5")
    for code, value in example_values().items():
        if code in ("TC04.children", "TC05.children"):
            continue  # typed once, in TC03, here too
        if isinstance(value, bool):
            page.locator(f"input[name='{field(code)}'][value='{'true' if value else 'false'}']").check()
        else:
            page.locator(f"input[name='{field(code)}']").fill(vietnamese(value))
    page.locator("input[name='TC02__registered_on_time']").fill("115")
    page.locator("textarea[name='TC02__registered_on_time__comment']").fill(
        "Đối chiếu sổ đăng ký khai sinh: 115 trẻ được đăng ký đúng hạn")
    click_and_wait(page, page.get_by_role("button", name="Lưu kết quả thẩm định"))
    flash(page, "Đã lưu kết quả thẩm định.")
    impact = page.locator("section.score")
    expect(impact).to_contain_text("Tự đánh giá: 935")
    expect(impact).to_contain_text("Thẩm định: 910")
    expect(impact).to_contain_text("ĐỦ ĐIỀU KIỆN")
    expect(page.locator("tr.crit", has_text="TC02.")).to_contain_text("(-25)")
    expect(page.locator("textarea[name='TC02__registered_on_time__comment']")).to_have_value(
        "Đối chiếu sổ đăng ký khai sinh: 115 trẻ được đăng ký đúng hạn")
    shot(page, "district1-appraised")
    logout(page)


def test_chair_verifies_with_the_panel(page, shot):
    login(page, "chair1")
    click_and_wait(page, page.locator("table.list tr", has_text=COMMUNE).get_by_role("link", name="Thẩm định"))
    verify = page.locator("section.card", has=page.get_by_role("heading", name=re.compile("Xác nhận kết quả")))
    verify.locator("textarea[name='members']").fill("\n".join(PANEL))
    shot(page, "chair1-verify")
    click_and_wait(page, verify.get_by_role("button", name="Xác nhận"))
    flash(page, "Đã xác nhận kết quả thẩm định.")
    expect(page.locator("header.dossier-head .status")).to_have_text("Đã thẩm định")
    expect(page.get_by_text("Hội đồng thẩm định:")).to_contain_text(PANEL[0])
    expect(page.locator("section.score", has_text="Điểm thẩm định")).to_contain_text("910 / 1.000 điểm")
    shot(page, "chair1-verified")
    logout(page)


def test_province_recognises_in_batch_and_sees_the_dashboard(page, shot):
    login(page, "province")
    expect(page.get_by_role("heading", name="Hồ sơ chờ công nhận")).to_be_visible()
    row = page.locator("table.list tr", has_text=COMMUNE)
    expect(row).to_contain_text("910 / 800")
    row.locator("input[name='dossier']").check()
    expect(page.get_by_label("Công nhận", exact=True)).to_be_checked()
    page.locator("input[name='decision_number']").fill(DECISION)
    page.locator("input[name='decision_date']").fill(DECIDED.isoformat())  # not before the verification
    page.locator("input[name='signer_name']").fill(SIGNER)  # the deployment configures no signer
    shot(page, "province-batch")
    click_and_wait(page, page.get_by_role("button", name="Thực hiện"))
    flash(page, "Đã xử lý 1 hồ sơ: #1")
    expect(page.locator("table.list")).not_to_contain_text(COMMUNE)

    click_and_wait(page, page.locator("header.top nav").get_by_role("link", name="Tổng hợp"))
    expect(page.get_by_role("heading", name="Tổng hợp năm 2024")).to_be_visible()
    table = page.locator("section.card", has_text="Hồ sơ theo trạng thái").locator("table")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    city = [c.strip() for c in table.locator("tr", has_text="Thành phố Kon Tum").locator("td").all_inner_texts()]
    counts = dict(zip(headers, city, strict=True))
    # dossier 2 draft, 3–4 submitted, 5–6 verified, 7–9 and now 1 recognised, 10 not recognised, 11 revoked
    assert {k: counts[k] for k in ("Đang soạn", "Đã nộp", "Đã thẩm định", "Được công nhận",
                                   "Không được công nhận", "Đã thu hồi")} == {
        "Đang soạn": "1", "Đã nộp": "2", "Đã thẩm định": "2", "Được công nhận": "4",
        "Không được công nhận": "1", "Đã thu hồi": "1"}
    shot(page, "province-dashboard")

    page.goto("/dossiers/1")
    expect(page.locator("header.dossier-head .status")).to_have_text("Được công nhận")
    expect(page.get_by_text("Quyết định công nhận số")).to_contain_text(f"{DECISION} ngày {DECIDED:%d/%m/%Y}")
    expect(page.locator("main")).to_contain_text(SIGNER)
    shot(page, "province-recognised")


def test_history_shows_every_step(page, shot):
    page.goto("/dossiers/1")
    history = page.locator("section.card", has=page.get_by_role("heading", name="Lịch sử hồ sơ", exact=True))
    rows = [[c.strip() for c in r.locator("td").all_inner_texts()] for r in history.locator("tbody tr").all()]
    steps = [(r[2], r[3]) for r in rows]
    assert steps == [
        ("commune1", "Tạo hồ sơ"),
        ("commune1", "Nhập số liệu"),
        ("commune1", "Thêm minh chứng"),
        ("commune1", "Nộp hồ sơ"),
        ("district1", "Thẩm định số liệu"),
        ("chair1", "Xác nhận thẩm định"),
        ("province", "Công nhận"),
        ("province", "Cấp giấy công nhận"),  # the serial is allocated with the recognition
    ], rows
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", r[1]) for r in rows), rows  # Vietnam's local time
    expect(history).to_contain_text("TC07 so-tiem-chung-2024.pdf")
    shot(page, "history", history)
