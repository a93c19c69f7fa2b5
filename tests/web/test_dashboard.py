"""The province dashboard: every district of the province (from the units table, with or without dossiers), a
province total row, and a histogram whose bars count every dossier of the round, as its title says. Every page
of the demo has a title of its own and the favicon, with no duplicate id and no label pointing at nothing."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from sqlalchemy import select

from dossiers.models import Dossier, Unit
from dossiers.units import valid_on
from engine.workflow import LABELS, round_date
from tests.html_validity import problems

YEAR = 2024


def cells(row: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]


@pytest.fixture(scope="module")
def dashboard(site) -> str:
    answer = site.client("province").get(f"/province/dashboard?round={YEAR}")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_every_district_of_the_province_is_listed_with_a_province_total(site, dashboard):
    with site.service.transaction() as s:
        districts = {u.name for u in s.scalars(select(Unit).where(Unit.level == "district"))
                     if valid_on(u, round_date(YEAR)) and u.parent.code == "62"}
        statuses = Counter(d.status for d in s.scalars(select(Dossier).where(Dossier.year == YEAR)))
    table = dashboard.split("<tbody>", 1)[1].split("</table>", 1)[0]
    rows = [cells(r) for r in re.findall(r"<tr>(.*?)</tr>", table.split("<tfoot>")[0], re.S)]
    assert {r[0] for r in rows} == districts and len(districts) == 10  # Kon Tum's nine districts and its city
    total = cells(re.search(r'<tr class="total">(.*?)</tr>', table, re.S).group(1))
    assert total[0] == "Toàn tỉnh"
    assert total[1] == str(sum(int(r[1].replace(".", "")) for r in rows))
    assert total[2:] == [str(statuses[key]) for key in LABELS]


def test_the_histogram_counts_every_dossier_as_its_title_says(site, dashboard):
    with site.service.transaction() as s:
        dossiers = len(list(s.scalars(select(Dossier).where(Dossier.year == YEAR))))
    title = int(re.search(r"Phân bố điểm \((\d+) hồ sơ\)", dashboard).group(1))
    figures = html.unescape(re.findall(r"<svg[^>]*>\s*<title>(.*?)</title>", dashboard, re.S)[1])
    bars = [int(part.rsplit(": ", 1)[1].replace(".", "")) for part in figures.split("; ")]
    assert title == sum(bars) == dossiers == 16
    assert "Chưa có điểm: 2" in figures  # the two drafts without values have a bar of their own


PAGES = {None: ["/login"], "commune1": ["/commune/", "/commune/dossiers/1", "/dossiers/1", "/account/password"],
         "district1": ["/district/", "/district/dossiers/3"], "province": ["/province/", "/province/dashboard",
                                                                            "/dossiers/", "/dossiers/7", "/import"],
         "admin": ["/admin/", "/admin/criteria/qd06-2019", "/admin/diff"]}


def test_every_page_is_valid_html_with_its_own_title_and_the_favicon(site):
    titles = {}
    for user, paths in PAGES.items():
        for path in paths:
            answer = site.client(user).get(path)
            page = answer.get_data(as_text=True)
            assert answer.status_code == 200, path
            assert problems(page) == [], path
            assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in page
            titles[path] = html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))
    assert len(set(titles.values())) == len(titles), titles
    icon = site.anonymous().get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    icon.close()


def test_the_histograms_long_labels_do_not_run_into_each_other():
    """Labels wider than a column ("950–1.000", "Chưa có điểm") alternate between two rows, and the last one
    ends inside the drawing (the tester's screenshot had them overlapping and the last one cut off)."""
    from webforms.charts import histogram

    buckets = ["< 700", "700–749", "750–799", "800–849", "850–899", "900–949", "950–1.000", "Chưa có điểm"]
    svg = str(histogram([(label, i % 3) for i, label in enumerate(buckets)]))
    width, height = map(int, re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
    labels = re.findall(r'<text x="([\d.]+)" y="(\d+)" text-anchor="(\w+)" class="small">([^<]+)</text>', svg)
    assert [html.unescape(t) for *_, t in labels] == buckets
    rows = [int(y) for _, y, _, _ in labels]
    assert all(a != b for a, b in zip(rows, rows[1:], strict=False)), rows  # neighbours on different rows
    assert max(rows) < height
    x, _, anchor, _ = labels[-1]
    assert anchor == "end" and float(x) <= width
    short = str(histogram([("A", 1), ("B", 2)]))  # labels that fit keep one row, centred under their bar
    assert len(set(re.findall(r'y="(\d+)" text-anchor="middle" class="small"', short))) == 1
