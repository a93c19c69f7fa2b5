"""The whole flow through the form that guides, in a real browser on the real server (``cfc serve``): in
Vietnamese on a desktop (commune1, dossier 1) and in English on a 390 px phone (commune2, dossier 2).

The commune officer types and sees the score, every problem (a numerator above its total with the others) and
what is missing change before saving; leaving with unsaved edits asks first; an upload keeps the typed values;
the number of children is typed once; submitting asks for confirmation. The district panel sees its
appraisal progress in the queue, appraises with labelled comment boxes (the number of children typed once
there too) and verifies; the province recognises
in batch after a confirmation; the commune officer downloads the certificate. Every page fits the viewport
(no horizontal scroll). Screenshots go to tests/e2e/artifacts/ (guided-*.png).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from dossiers.audit import local_date, now
from engine.template import example_values
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

SHARED = ("TC04.children", "TC05.children")  # typed once, in TC03 (same_as)


@dataclass(frozen=True)
class Run:
    lang: str
    width: int
    commune_user: str
    dossier: int
    commune: str
    words: dict


VI = {"missing": "Còn thiếu", "fix": "Cần sửa", "recognized": "ĐỦ ĐIỀU KIỆN CÔNG NHẬN", "returned": "",
      "progress": "chỉ số", "submitted": "Đã nộp hồ sơ.", "uploaded": "Đã tải lên minh chứng.",
      "certificate": "Giấy công nhận (PDF)", "ready": "chờ Chủ tịch hội đồng xác nhận", "done": "Đã xử lý 1 hồ sơ"}
EN = {"missing": "indicators missing", "fix": "To correct", "recognized": "RECOGNITION", "returned": "",
      "progress": "indicators", "submitted": "Dossier submitted.", "uploaded": None,
      "certificate": "Certificate (PDF)", "ready": "awaiting the panel chair", "done": None}
RUNS = [Run("vi", 1280, "commune1", 1, "Xã Đắk Rơ Wa", VI), Run("en", 390, "commune2", 2, "Phường Duy Tân", EN)]
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def typed(value) -> str:
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return f"{value:,}".replace(",", ".")


def name(code: str) -> str:
    return code.replace(".", "__")


@pytest.fixture(scope="module")
def browser(server):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser.sh (Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Actor:
    """One user's browser page in the run's language and viewport; every page visited must fit its width."""

    def __init__(self, browser, server, run: Run, username: str, artifacts):
        self.run, self.artifacts = run, artifacts
        self.context = browser.new_context(base_url=server, viewport={"width": run.width, "height": 860},
                                           locale="vi-VN" if run.lang == "vi" else "en-GB", accept_downloads=True)
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.page.on("dialog", self._answer)
        self.page.goto(f"/login?lang={run.lang}")
        self.page.locator("input[name=username]").fill(username)
        self.page.locator("input[name=password]").fill("demo")
        with self.page.expect_navigation():
            self.page.locator("form button.primary").click()
        expect(self.page.locator("header.top .who")).to_be_visible()
        expect(self.page.locator("html")).to_have_attribute("lang", run.lang)

    def _answer(self, dialog) -> None:
        self.dialogs.append(dialog.type)
        if dialog.type == "beforeunload":
            dialog.dismiss()  # stay: the typed values must survive
        else:
            dialog.accept()

    def go(self, path: str) -> None:
        self.page.goto(path)
        self.fits()

    def fits(self) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.run.width, f"{self.page.url} is {width} px wide on a {self.run.width} px screen"

    def click(self, locator) -> None:
        with self.page.expect_navigation():
            locator.click()
        self.fits()

    def shot(self, label: str) -> None:
        self.page.screenshot(path=str(self.artifacts / f"guided-{self.run.lang}-{self.run.width}-{label}.png"),
                             full_page=label.endswith("full"))

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("run", RUNS, ids=[f"{r.lang}-{r.width}px" for r in RUNS])
def test_the_whole_flow_through_the_form_that_guides(browser, server, artifacts, tmp_path, run):
    commune_fills_and_submits(Actor(browser, server, run, run.commune_user, artifacts), tmp_path)
    district_appraises(Actor(browser, server, run, "district1", artifacts))
    chair_verifies(Actor(browser, server, run, "chair1", artifacts))
    province_recognises(Actor(browser, server, run, "province", artifacts))
    commune_downloads_the_certificate(Actor(browser, server, run, run.commune_user, artifacts))


def commune_fills_and_submits(me: Actor, tmp_path) -> None:
    run, page = me.run, me.page
    me.go("/commune/")
    me.go(f"/commune/dossiers/{run.dossier}")
    guide = page.locator("#guide")
    expect(guide).to_contain_text(run.words["missing"])
    # the number of children has one field, in TC03; TC04 and TC05 show it
    for code in SHARED:
        expect(page.locator(f"input[name='{name(code)}']")).to_have_count(0)
    values = {c: v for c, v in example_values().items() if c not in SHARED}
    # two problems at once: a numerator above its total, and text in a number
    page.locator("input[name='TC02__children_born']").fill("100")
    page.locator("input[name='TC02__registered_on_time']").fill("120")
    page.locator("input[name='TC13__satisfaction']").fill("hai")
    problems = guide.locator("ul.problems li")
    expect(problems).to_have_count(2)
    expect(guide.locator("ul.problems")).to_contain_text("Số trẻ em sinh ra trong kỳ đánh giá")  # the total, by label
    expect(guide.locator("a[href='#TC02__registered_on_time']")).to_be_visible()
    me.shot("1-problems")
    before = guide.locator("p.total").inner_text()
    for code, value in values.items():
        if isinstance(value, bool):
            page.locator(f"input[name='{name(code)}'][value='{'true' if value else 'false'}']").check()
        else:
            page.locator(f"input[name='{name(code)}']").fill(typed(value))
    expect(page.locator("output[data-copy-of='TC03__children']").first).to_have_text("2.400")
    expect(guide.locator("p.total")).to_contain_text(re.compile(r"935 / 1[.,]000"))  # before saving
    expect(guide).to_contain_text(run.words["recognized"])
    expect(guide.locator("ul.problems")).to_have_count(0)
    assert guide.locator("p.total").inner_text() != before
    stored = page.request.get("/commune/").text()  # the server still holds the draft as it was
    assert "935" not in stored
    me.shot("2-typed-full")

    # leaving with unsaved edits asks first (the dialog is dismissed: we stay)
    page.locator("header.top a.brand").click()
    page.wait_for_timeout(500)
    assert "beforeunload" in me.dialogs
    expect(page).to_have_url(re.compile(rf"/commune/dossiers/{run.dossier}$"))

    # an upload keeps the typed, unsaved values
    pdf = tmp_path / f"minh-chung-{run.dossier}.pdf"
    pdf.write_bytes(PDF)
    page.locator("#evidence-criterion").select_option("TC07")
    page.locator("#evidence-file").set_input_files(str(pdf))
    me.click(page.locator("button[value=upload]"))
    expect(page.locator("section.card", has_text=pdf.name).first).to_be_visible()
    expect(page.locator("input[name='TC13__satisfaction']")).to_have_value(typed(values["TC13.satisfaction"]))
    expect(page.locator("#guide p.total")).to_contain_text("935")

    # submit: the browser asks, yes submits
    me.dialogs.clear()
    me.click(page.locator("button[value=submit]"))
    assert me.dialogs == ["confirm"]
    expect(page.locator("p.flash.ok")).to_contain_text(run.words["submitted"])
    expect(page.locator("header.dossier-head .status")).to_have_class(re.compile("s-submitted"))
    me.shot("3-submitted")
    me.close()


def district_appraises(me: Actor) -> None:
    run, page = me.run, me.page
    me.go("/district/")
    row = page.locator("table.queue tr", has_text=run.commune)
    expect(row).to_contain_text(f"0/33 {run.words['progress']}")
    me.shot("4-queue")
    me.click(row.locator("a.button"))
    labels = page.locator("textarea[name$='__comment']")
    expect(labels).to_have_count(33)
    for box in labels.all():  # every comment box has a label
        assert page.locator(f"label[for='{box.get_attribute('id')}']").count() == 1
    for code in SHARED:  # the number of children has one field here too, in TC03
        expect(page.locator(f"input[name='{name(code)}']")).to_have_count(0)
    for code, value in example_values().items():
        if code in SHARED:
            continue
        if isinstance(value, bool):
            page.locator(f"input[name='{name(code)}'][value='{'true' if value else 'false'}']").check()
        else:
            page.locator(f"input[name='{name(code)}']").fill(typed(value))
    copies = page.locator("output[data-copy-of='TC03__children']")
    expect(copies).to_have_count(2)
    for index in range(2):  # they follow what the appraiser typed
        expect(copies.nth(index)).to_have_text(typed(example_values()["TC03.children"]))
    page.locator("textarea[name='TC07__fully_immunised__comment']").fill("Đã đối chiếu sổ tiêm chủng")
    me.click(page.locator("form.appraisal button.primary"))
    me.go("/district/")
    ready = page.locator("table.queue", has=page.locator("tr", has_text=run.commune))
    expect(ready.locator("tr", has_text=run.commune)).to_contain_text("33/33")
    expect(page.locator("h2", has_text=run.words["ready"])).to_contain_text("(1)")
    me.shot("5-queue-ready")
    me.close()


def chair_verifies(me: Actor) -> None:
    run, page = me.run, me.page
    me.go("/district/")
    me.click(page.locator("table.queue tr", has_text=run.commune).locator("a.button"))
    page.locator("textarea[name='members']").fill("Chủ tịch hội đồng\nTrưởng phòng Y tế")
    me.dialogs.clear()
    me.click(page.locator("form[action$='/verify'] button"))
    assert me.dialogs == ["confirm"]
    expect(page.locator("header.dossier-head .status")).to_have_class(re.compile("s-verified"))
    me.close()


def province_recognises(me: Actor) -> None:
    run, page = me.run, me.page
    me.go("/province/")
    page.locator("table.list tr", has_text=run.commune).locator("input[name='dossier']").check()
    page.locator("input[name='decision_number']").fill(f"{run.dossier}00/QĐ-UBND")
    page.locator("input[name='decision_date']").fill(local_date(now()).isoformat())
    page.locator("input[name='signer_name']").fill("Nguyễn Văn Minh")
    me.dialogs.clear()
    me.click(page.locator("form[action$='/decide'] button.primary"))
    assert me.dialogs == ["confirm"]
    expect(page.locator("p.flash.ok")).to_contain_text(f"#{run.dossier}")
    me.close()


def commune_downloads_the_certificate(me: Actor) -> None:
    run, page = me.run, me.page
    me.go(f"/dossiers/{run.dossier}")
    link = page.get_by_role("link", name=run.words["certificate"])
    expect(link).to_be_visible()
    me.shot("6-recognised")
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    me.close()
