"""The province report (PDF) and the province dashboard draw the same score distribution: every dossier of the
round once, by the score that stands, with a bar "Chưa có điểm" for the dossiers without a total; the report's
heading says how many dossiers, as the dashboard's title does."""

from __future__ import annotations

import html
import io
import re

from pypdf import PdfReader

from dossiers.bulk.report import collect

YEAR = 2024


def dashboard_bars(page: str) -> list[tuple[str, int]]:
    figures = html.unescape(re.findall(r"<svg[^>]*>\s*<title>(.*?)</title>", page, re.S)[1])
    return [(label, int(n.replace(".", ""))) for label, n in (part.rsplit(": ", 1) for part in figures.split("; "))]


def test_the_report_counts_the_dossiers_the_dashboard_counts(site):
    client = site.client("province")
    page = client.get(f"/province/dashboard?round={YEAR}").get_data(as_text=True)
    title = int(re.search(r"Phân bố điểm \((\d+) hồ sơ\)", page).group(1))
    report = collect(site.service, "province", "62", YEAR)
    assert report.bins == dashboard_bars(page)
    assert sum(n for _, n in report.bins) == title == 16  # drafts and submitted dossiers included
    assert report.bins[-1] == ("Chưa có điểm", 2)
    fields = report.fields()
    assert fields["scored"] == "16" and fields["bins"][-1]["no_score"] and not fields["bins"][0]["no_score"]

    answer = client.get(f"/province/report.pdf?round={YEAR}")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.get_data())).pages).split())
    assert "2. Phân bố điểm (16 hồ sơ)" in text
    assert "Chưa có điểm" in text and "Số hồ sơ" in text


def test_the_dashboard_in_english_names_the_bar_of_dossiers_without_a_score(site):
    client = site.client("province")
    page = client.get(f"/province/dashboard?round={YEAR}&lang=en").get_data(as_text=True)
    bars = dashboard_bars(page)
    assert bars[-1] == ("No score yet", 2) and sum(n for _, n in bars) == 16
