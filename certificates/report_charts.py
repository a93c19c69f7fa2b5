"""The province report's charts (reportlab.graphics): the share of recognised communes per district against the
national targets, the score distribution, and the criteria most often below their maximum. Every label is in
the shipped font."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import BarChart, HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors

from .data import nfc
from .fonts import REGULAR
from .report_data import ProvinceReportData

BLUE, GREEN, ORANGE, GREY = (colors.HexColor(c) for c in ("#2E75B6", "#548235", "#ED7D31", "#A5A5A5"))
TARGET_COLOURS = (colors.HexColor("#C00000"), colors.HexColor("#7030A0"))


def short(text: str, length: int) -> str:
    text = nfc(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def _drawing(width: float, height: float) -> Drawing:
    """A drawing whose default font is ours: reportlab's graphics otherwise start every drawing in Helvetica,
    which would then be listed (not embedded) among the document's fonts."""
    return Drawing(width, height, initialFontName=REGULAR)


def _labels(chart: BarChart, size: float = 8) -> None:
    """Our font on both axes and on the bars' labels."""
    for labels in (chart.categoryAxis.labels, chart.valueAxis.labels, chart.barLabels):
        labels.fontName = REGULAR
        labels.fontSize = size
    chart.bars.strokeColor = None


def _count_axis(chart: BarChart, top: int) -> None:
    top = max(top, 1)
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top + max(1, top // 10)
    chart.valueAxis.valueStep = max(1, (top + 9) // 10)


def share_chart(report: ProvinceReportData, width: float) -> Drawing:
    """Horizontal bars of each district's share of recognised communes (and the province's), with a dashed
    line at each national target."""
    groups = [*report.groups[:40], report.total]
    drawing = _drawing(width, len(groups) * 14 + 50)
    chart = HorizontalBarChart()
    chart.x, chart.y = 170, 30
    chart.width, chart.height = width - 190, len(groups) * 14
    # the chart draws categories bottom-up: reverse so the table's order reads top-down
    chart.data = [[g.share for g in reversed(groups)]]
    chart.categoryAxis.categoryNames = [short(g.name, 34) for g in reversed(groups)]
    _labels(chart)
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 10
    chart.valueAxis.labelTextFormat = "%d %%"
    chart.bars[0].fillColor = BLUE
    chart.barLabelFormat = "values"  # the labels as the application wrote them
    chart.barLabelArray = [[g.share_text for g in reversed(groups)]]
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    for target, colour, anchor, dx in zip(report.targets, TARGET_COLOURS, ("end", "start"), (-3, 3), strict=False):
        x = chart.x + chart.width * target.percent / 100
        drawing.add(Line(x, chart.y - 4, x, chart.y + chart.height + 4, strokeColor=colour, strokeWidth=1.2,
                         strokeDashArray=[4, 2]))
        drawing.add(String(x + dx, chart.y + chart.height + 8, f"mục tiêu {target.year}: {target.percent} %",
                           fontName=REGULAR, fontSize=8, fillColor=colour, textAnchor=anchor))
    return drawing


def histogram(report: ProvinceReportData, width: float) -> Drawing:
    """Vertical bars of the number of dossiers per score bin (and of those without a score)."""
    drawing = _drawing(width, 190)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, width - 60, 130
    chart.data = [[b.count for b in report.bins]]
    chart.categoryAxis.categoryNames = [b.label for b in report.bins]
    _labels(chart)
    chart.categoryAxis.labels.angle = 0
    chart.categoryAxis.labels.dy = -4
    _count_axis(chart, max((b.count for b in report.bins), default=0))
    chart.bars[0].fillColor = GREEN
    for i, b in enumerate(report.bins):
        if b.no_score:  # the dossiers without a total: drawn apart, in grey
            chart.bars[(0, i)].fillColor = GREY
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[b.count_text for b in report.bins]]
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


def criteria_chart(report: ProvinceReportData, width: float) -> Drawing:
    """Per criterion, the number of communes below its maximum (orange) and below its pass mark (grey)."""
    stats = report.criteria
    drawing = _drawing(width, len(stats) * 13 + 40)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 170, 25, width - 200, len(stats) * 13
    chart.data = [[st.below_max for st in reversed(stats)], [st.not_met for st in reversed(stats)]]
    chart.categoryAxis.categoryNames = [short(f"{st.code} {st.title}", 34) for st in reversed(stats)]
    _labels(chart)
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    _count_axis(chart, max((st.below_max for st in stats), default=0))
    chart.bars[0].fillColor = ORANGE
    chart.bars[1].fillColor = GREY
    chart.groupSpacing = 2
    drawing.add(chart)
    return drawing
