"""Accessibility and validity of every main page of every role, in the real browser on the real server.

Each demo user signs in and opens the pages of their work; on each page axe-core (``axe-playwright-python``,
which ships axe-core and injects it with Playwright) finds no critical and no serious violation, and the HTML
the browser received parses without error, with no duplicate id and no label pointing at nothing
(``tests/html_validity.py``). Every page has its own ``<title>`` and the favicon. Each page is checked on a
desktop and on a 390 px phone screen; a screenshot of each goes to tests/e2e/artifacts/.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from test_flow import login, logout

from tests.html_validity import problems

# role → the main pages of their work (dossier 1: commune1's draft; 3: a submitted Kon Tum city dossier;
# 7: a recognised one; the appraisal page is the panel's, with a value and a comment box per indicator)
PAGES = {
    "commune1": ["/commune/", "/commune/dossiers/1", "/dossiers/1", "/account/password"],
    "district1": ["/district/", "/district/dossiers/3", "/dossiers/"],
    "chair1": ["/district/", "/district/dossiers/4"],
    "province": ["/province/", "/province/dashboard", "/dossiers/", "/dossiers/7", "/import"],
    "admin": ["/admin/", "/admin/criteria/qd06-2019", "/admin/criteria/qd06-2019/value?at=TC07/immunisation/bands/1",
              "/admin/diff?a=qd06-2019&b=qd06-2019"],
}
ANONYMOUS = ["/login", "/no-such-page"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
BLOCKING = ("critical", "serious")

axe = Axe()


def check(page: Page, path: str, name: str, artifacts, titles: dict) -> list[str]:
    """What is wrong with the page at ``path`` (empty: nothing); its title goes into ``titles``."""
    answer = page.goto(path)
    assert answer is not None
    page.screenshot(path=str(artifacts / f"a11y-{name}.png"), full_page=True)
    wrong = [f"{path}: axe {v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}×, e.g. {v['nodes'][0]['target']})"
             for v in axe.run(page).response["violations"] if v["impact"] in BLOCKING]
    wrong += [f"{path}: invalid HTML: {p}" for p in problems(answer.text())[:10]]
    favicon = page.locator("link[rel=icon]")
    expect(favicon).to_have_attribute("href", re.compile(r"favicon[.]svg$"))
    titles[path] = page.title()
    width = page.evaluate("document.documentElement.scrollWidth")
    if path.startswith(("/admin/", "/province/dashboard")) and width > page.viewport_size["width"]:
        wrong.append(f"{path}: {width} px wide on a {page.viewport_size['width']} px screen")
    return wrong


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_main_page_of_every_role(page: Page, artifacts, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    wrong, titles = [], {}
    for path in ANONYMOUS:
        wrong += check(page, path, f"{viewport}-anonymous{path.replace('/', '_')}", artifacts, titles)
    for user, paths in PAGES.items():
        login(page, user)
        for path in paths:
            wrong += check(page, path, f"{viewport}-{user}{re.sub(r'[/?=&]', '_', path)}", artifacts, titles)
        logout(page)
    by_title: dict[str, list[str]] = {}
    for path, title in titles.items():
        by_title.setdefault(title, []).append(path)
    wrong += [f"{paths}: one title for several pages ({title})" for title, paths in by_title.items() if len(paths) > 1]
    wrong += [f"{path}: no title" for path, title in titles.items() if not title.strip()]
    assert not wrong, "\n".join(wrong)
