"""The figures the province report's PDF charts and the web dashboard's SVG charts share
(``dossiers.bulk.report_figures``): the national targets, the score bins, shares and what is still needed, and
that both renderings draw the same bins and targets from them."""

from __future__ import annotations

import re

import pytest
from certkit import pages_text, province_report

from certificates import province_report_pdf
from dossiers.bulk import report_figures as figures


def test_bins_cover_every_total_once():
    edges = figures.bins_for(1000, [800, 850, 900])
    assert edges == [(0, 699), (700, 749), (750, 799), (800, 849), (850, 899), (900, 949), (950, 1000)]
    for total in range(0, 1001):
        assert sum(lo <= total <= hi for lo, hi in edges) == 1
    assert figures.bins_for(100, [50])[-1] == (50, 100)
    assert figures.bins_for(1000, []) == [(0, 899), (900, 949), (950, 1000)]


def test_the_distribution_counts_each_total_in_its_bar():
    counts = figures.distribution([0, 699, 700, 949, 950, 1000, 1000], 1000, [800, 850, 900])
    assert counts == [("< 700", 2), ("700–749", 1), ("750–799", 0), ("800–849", 0), ("850–899", 0),
                      ("900–949", 1), ("950–1.000", 3)]
    assert [n for _, n in figures.distribution([], 1000, [800])] == [0] * 7


@pytest.mark.parametrize(("year", "target"), [(2019, (2025, 65)), (2025, (2025, 65)), (2026, (2030, 75)),
                                              (2030, (2030, 75)), (2035, (2030, 75))])
def test_the_target_of_a_round(year, target):
    assert figures.target_for(year) == target


@pytest.mark.parametrize(("percent", "communes", "recognized", "needed"), [
    (65, 33, 15, 7), (65, 33, 22, 0), (65, 33, 21, 1), (75, 4, 3, 0), (75, 5, 3, 1), (65, 0, 0, 0)])
def test_what_is_still_needed_rounds_up(percent, communes, recognized, needed):
    assert figures.still_needed(percent, communes, recognized) == needed


def test_shares():
    assert figures.share(14, 21) == pytest.approx(66.666, abs=1e-3)
    assert figures.share(0, 0) == 0.0


def test_the_dashboard_and_the_report_draw_the_same_bins_and_targets():
    from markupsafe import escape

    from webforms import charts

    bins = figures.distribution([650, 760, 800, 960], 1000, [800, 850, 900])
    svg = str(charts.histogram(bins)) + str(charts.shares_against_targets([("Huyện Đắk Glei", 8.3, "1/12")]))
    report = province_report(bins=[{"label": label, "count": n, "count_text": str(n)} for label, n in bins],
                             targets=[{"year": y, "percent": p} for y, p in figures.TARGETS])
    text = "\n".join(pages_text(province_report_pdf(report)))
    for label, _ in bins:
        assert f">{escape(label)}</text>" in svg and label in text, label
    for year, percent in figures.TARGETS:
        assert f">{year}: {percent}%</text>" in svg and f"mục tiêu {year}: {percent} %" in text
    marks = [float(x) for x in re.findall(r'<line x1="([\d.]+)"', svg)]
    assert len(marks) == len(figures.TARGETS)


def test_the_score_distribution_counts_every_dossier_once():
    from engine.loader import default_directory, load_version

    version = load_version(default_directory() / "qd06-2019.yaml")
    bins = figures.score_bins([650, 960, None, 1000, None], version)
    assert sum(n for _, n in bins) == 5 and bins[-1] == (figures.NO_SCORE, 2) and bins[-1][0] == "Chưa có điểm"
    assert dict(bins)["950–1.000"] == 2
    assert figures.score_bins([960], version)[-1][0] != figures.NO_SCORE  # no empty "no score" bar
    assert figures.score_bins([None, None], None) == [(figures.NO_SCORE, 2)]  # no criteria version yet
    assert figures.score_bins([], None) == []
