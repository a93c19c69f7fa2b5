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
titles: dict[str, str] = {}  # path → title, filled by the page checks


def check(page: Page, path: str, name: str, artifacts) -> list[str]:
    """What is wrong with the page at ``path`` (empty: nothing)."""
    answer = page.goto(path)
    assert answer is not None
    page.screenshot(path=str(artifacts / f"a11y-{name}.png"), full_page=True)
    wrong = [f"{path}: axe {v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}×, e.g. {v['nodes'][0]['target']})"
             for v in axe.run(page).response["violations"] if v["impact"] in BLOCKING]
    wrong += [f"{path}: invalid HTML: {p}" for p in problems(answer.text())[:10]]
    favicon = page.locator("link[rel=icon]")
    expect(favicon).to_have_attribute("href", re.compile(r"favicon[.]svg$"))
    titles[path] = page.title()
    return wrong


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_main_page_of_every_role(page: Page, artifacts, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    wrong = []
    for path in ANONYMOUS:
        wrong += check(page, path, f"{viewport}-anonymous{path.replace('/', '_')}", artifacts)
    for user, paths in PAGES.items():
        login(page, user)
        for path in paths:
            wrong += check(page, path, f"{viewport}-{user}{re.sub(r'[/?=&]', '_', path)}", artifacts)
        logout(page)
    assert not wrong, "\n".join(wrong)


def test_every_page_has_a_title_of_its_own():
    """Every page has a title, and no two pages share one: the tab and the history say which page it is."""
    assert titles, "the page checks run first"
    assert all(t.strip() for t in titles.values()), titles
    by_title: dict[str, list[str]] = {}
    for path, title in titles.items():
        by_title.setdefault(title, []).append(path)
    shared = {t: ps for t, ps in by_title.items() if len(ps) > 1}
    assert not shared, shared
