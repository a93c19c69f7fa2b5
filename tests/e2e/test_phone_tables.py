"""On a 390 px phone the province dashboard's tables break their headers and cells only between words ("Được
công nhận", never "Đượ|c"): a table wider than the screen scrolls inside its box, and the page itself does not
scroll sideways. Checked in the real browser, word by word (a word drawn on two lines has two boxes); a
screenshot of each goes to tests/e2e/artifacts/."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from test_flow import login, logout

# the words of the tables' cells that the browser drew on more than one line
SPLIT_WORDS = """() => {
  const out = [];
  for (const cell of document.querySelectorAll("main table th, main table td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[^\\s\\/\\-–]+/g;  // a word; a break after a hyphen or a slash ("107/QĐ-|UBND") is fine
      for (let m = re.exec(node.data); m; m = re.exec(node.data)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) out.push(m[0]);
      }
    }
  }
  return out;
}"""


@pytest.mark.parametrize(("lang", "path"), [("vi", "/province/dashboard"), ("en", "/province/dashboard?lang=en")])
def test_dashboard_tables_on_a_phone_break_only_between_words(page: Page, artifacts, lang, path):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "province")
    try:
        page.goto(path)
        page.screenshot(path=str(artifacts / f"phone-dashboard-{lang}.png"), full_page=True)
        assert page.evaluate(SPLIT_WORDS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the page does not scroll sideways
        for table in page.locator("main table").all():  # a wide table scrolls inside its box, all of it readable
            box = table.evaluate("t => { const c = t.closest('.table-scroll'); return [c.scrollWidth, t.offsetWidth,"
                                 " c.getBoundingClientRect().right]; }")
            assert box[0] >= box[1] and box[2] <= 390
        serious = [(v["id"], v["nodes"][0]["target"]) for v in Axe().run(page).response["violations"]
                   if v["impact"] in ("critical", "serious")]
        assert serious == []  # e.g. a card that scrolls can be reached with the keyboard
    finally:
        page.goto("/province/dashboard?lang=vi")  # the language is kept in the session: back to Vietnamese
        logout(page)
