"""The province report of a round (PDF): recognition per district against the national targets, the score
distribution, and the criteria most often below their maximum, with charts drawn by reportlab.graphics.

Definitions used in the report (also printed in it):

* communes: every commune of the province valid on the round's reference date (1 November of the year);
* assessed: a dossier submitted or further (submitted, verified, recognized, not recognized, revoked);
* recognised: a dossier in state ``recognized``;
* share: recognised / communes, compared with the national targets (65 % of communes by 2025, 75 % by 2030);
* scores: the appraisal (``verified_score``) when there is one, else the self-assessment, of assessed dossiers.

Rounds from 2025 on have no districts (two-level local government since 01/07/2025): the communes directly
under the province form one group. ``collect`` reads the database; ``render_pdf`` draws plain data only.
Vietnamese text uses Liberation Serif from the certificates package's ``fonts/`` folder (located, not imported:
the engine never imports the PDF layer); when it is missing, the same font installed on the system (Debian:
fonts-liberation2), else DejaVu Serif.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from ..errors import AccessDenied, CfcError
from ..store.models import Dossier, Unit
from ..store.service import DossierService
from ..store.units import contains, find_unit
from ..workflow import LABELS, round_date
from .export import round_version, score_of

TARGETS = ((2025, 65), (2030, 75))  # (by year, % of communes recognised): the national targets
ASSESSED = frozenset({"submitted", "verified", "recognized", "not_recognized", "revoked"})
NO_DISTRICT = "Các xã, phường trực thuộc tỉnh (không có cấp huyện)"
BIN = 50  # points per bar of the score distribution


@dataclass
class GroupRow:
    name: str
    code: str | None
    communes: int = 0
    assessed: int = 0
    recognized: int = 0

    @property
    def share(self) -> float:
        return 100.0 * self.recognized / self.communes if self.communes else 0.0


@dataclass
class CriterionStat:
    code: str
    title: str
    max_points: int
    met_at: int
    scored: int = 0
    below_max: int = 0
    not_met: int = 0
    points: int = 0

    @property
    def average(self) -> float:
        return self.points / self.scored if self.scored else 0.0


@dataclass
class CommuneLine:
    code: str
    name: str
    group: str
    status: str
    total: int | None
    threshold: int | None
    source: str


@dataclass
class ProvinceReport:
    province_code: str
    province_name: str
    year: int
    criteria_version: str
    provisional: bool
    actor: str
    generated_at: str
    groups: list[GroupRow]
    total: GroupRow
    bins: list[tuple[str, int]]
    thresholds: dict[str, int]  # category label → threshold
    max_total: int
    criteria: list[CriterionStat]
    communes: list[CommuneLine] = field(default_factory=list)

    @property
    def target(self) -> tuple[int, int]:
        """The target that applies to the round: the first one not yet past."""
        return next(((y, p) for y, p in TARGETS if self.year <= y), TARGETS[-1])


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _valid_on(unit: Unit, day: dt.date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day <= unit.valid_to)


def bins_for(max_total: int, thresholds: list[int]) -> list[tuple[int, int]]:
    """Bars of BIN points from 100 below the lowest threshold to the maximum (the last one includes it), and
    one bar for everything below: for 1000 points and 800 → <700, 700–749, …, 900–949, 950–1000."""
    start = max(0, (min(thresholds, default=max_total) - 100) // BIN * BIN)
    lows = list(range(start, max(start, max_total - BIN) + 1, BIN))
    edges = [(low, low + BIN - 1) for low in lows]
    edges[-1] = (edges[-1][0], max_total)
    return ([(0, start - 1)] if start > 0 else []) + edges


def _bin_label(low: int, high: int, first: bool) -> str:
    return f"< {high + 1}" if first and low == 0 and high > BIN else f"{low}–{high}"


def collect(service: DossierService, username: str, province_code: str, year: int) -> ProvinceReport:
    day = round_date(year)
    with service.transaction(readonly=True) as s:
        user = service._user(s, username)
        province = find_unit(s, province_code, "province", day)
        if not contains(user.unit, province):
            raise AccessDenied(f"{province.name} không thuộc địa bàn của {username}")
        units = list(s.execute(select(Unit)).scalars())  # one query; ancestors come from the identity map
        communes = [u for u in units if u.level == "commune" and _valid_on(u, day) and contains(province, u)]
        dossiers = {d.commune_id: d for d in s.execute(select(Dossier).where(Dossier.year == year)).scalars()}
        ours = [dossiers[c.id] for c in communes if c.id in dossiers]
        version = round_version(service, year, ours)
        groups: dict[str, GroupRow] = {}
        total = GroupRow(f"Toàn tỉnh: {province.name}", province.code)
        stats = [CriterionStat(c.code, c.title, c.max_points, c.met_at) for c in version.criteria]
        by_code = {st.code: st for st in stats}
        thresholds = {c.label: c.threshold for c in version.categories}
        edges = bins_for(version.max_total.points, list(thresholds.values()))
        counts = [0] * len(edges)
        lines = []
        for commune in sorted(communes, key=lambda u: (_numeric(_group_of(u)[1]), _numeric(u.code))):
            name, code = _group_of(commune)
            group = groups.setdefault(name, GroupRow(name, code))
            d = dossiers.get(commune.id)
            for row in (group, total):
                row.communes += 1
                if d is not None and d.status in ASSESSED:
                    row.assessed += 1
                if d is not None and d.status == "recognized":
                    row.recognized += 1
            result, source = score_of(d) if d is not None else (None, "")
            lines.append(CommuneLine(commune.code, commune.name, name, d.status if d else "",
                                     result["total"] if result else None, result["threshold"] if result else None,
                                     source))
            if d is None or d.status not in ASSESSED or result is None:
                continue
            for n, (low, high) in enumerate(edges):
                if low <= result["total"] <= high:
                    counts[n] += 1
            for crit in result["criteria"]:
                st = by_code.get(crit["code"])
                if st is None:
                    continue
                st.scored += 1
                st.points += crit["points"]
                st.below_max += crit["points"] < crit["max_points"]
                st.not_met += crit["points"] < crit["met_at"]
        stats.sort(key=lambda st: (-st.below_max, -st.not_met, st.code))
        return ProvinceReport(
            province_code=province.code, province_name=province.name, year=year, criteria_version=version.id,
            provisional=version.provisional, actor=username,
            generated_at=dt.datetime.now().astimezone().isoformat(timespec="minutes"),
            groups=sorted(groups.values(), key=lambda g: (g.code is None, _numeric(g.code), g.name)), total=total,
            bins=[(_bin_label(lo, hi, n == 0), counts[n]) for n, (lo, hi) in enumerate(edges)],
            thresholds=thresholds, max_total=version.max_total.points, criteria=stats, communes=lines,
        )


def _numeric(code: str | None) -> tuple:
    if code is None:
        return (2, 0, "")
    return (0, int(code), "") if code.isdigit() else (1, 0, code)


def _group_of(commune: Unit) -> tuple[str, str | None]:
    parent = commune.parent
    if parent is not None and parent.level == "district":
        return parent.name, parent.code
    return NO_DISTRICT, None


# ---------------------------------------------------------------------------------------------------- fonts
SYSTEM_FONTS = (
    ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
     "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"),
)
REGULAR, BOLD = "CfcReport", "CfcReport-Bold"


def font_files() -> tuple[Path, Path]:
    """(regular, bold) TrueType files with every Vietnamese letter: the certificates package's Liberation Serif
    (found without importing that package: the engine never imports the PDF layer), else the system's."""
    candidates = []
    spec = importlib.util.find_spec("certificates")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        fonts_dir = Path(folder) / "fonts"
        candidates.append((fonts_dir / "LiberationSerif-Regular.ttf", fonts_dir / "LiberationSerif-Bold.ttf"))
    candidates += [(Path(r), Path(b)) for r, b in SYSTEM_FONTS]
    for regular, bold in candidates:
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise CfcError("no TrueType font with Vietnamese letters: the certificates package's fonts/ or the system's "
                   "Liberation Serif (Debian: apt-get install fonts-liberation2) is needed")


def fonts() -> tuple[str, str]:
    """The (regular, bold) font names, registered with reportlab once."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        regular, bold = font_files()
        # asciiReadable=0 as the certificates package registers the same files: reportlab shares a file's
        # subsetting between fonts, and a readable-ASCII registration here would make its PDFs larger
        pdfmetrics.registerFont(TTFont(REGULAR, str(regular), asciiReadable=0))
        pdfmetrics.registerFont(TTFont(BOLD, str(bold), asciiReadable=0))
    return REGULAR, BOLD


# --------------------------------------------------------------------------------------------------- render
def _pct(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " %"


def _share_chart(report: ProvinceReport, regular: str, width: float):
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, Line, String
    from reportlab.lib import colors

    groups = report.groups[:40] + [report.total]
    bar = 14
    height = len(groups) * bar + 50
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 170, 30
    chart.width, chart.height = width - 190, len(groups) * bar
    # the chart draws categories bottom-up: reverse so the table's order reads top-down
    chart.data = [[g.share for g in reversed(groups)]]
    chart.categoryAxis.categoryNames = [_short(g.name, 34) for g in reversed(groups)]
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 10
    chart.valueAxis.labels.fontName = regular
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = "%d %%"
    chart.bars[0].fillColor = colors.HexColor("#2E75B6")
    chart.bars.strokeColor = None
    chart.barLabelFormat = lambda v: _pct(v)
    chart.barLabels.fontName = regular
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    marks = zip(TARGETS, (colors.HexColor("#C00000"), colors.HexColor("#7030A0")), ("end", "start"), (-3, 3),
                strict=True)
    for (year, pct), colour, anchor, dx in marks:
        x = chart.x + chart.width * pct / 100
        drawing.add(Line(x, chart.y - 4, x, chart.y + chart.height + 4, strokeColor=colour, strokeWidth=1.2,
                         strokeDashArray=[4, 2]))
        drawing.add(String(x + dx, chart.y + chart.height + 8, f"mục tiêu {year}: {pct} %", fontName=regular,
                           fontSize=8, fillColor=colour, textAnchor=anchor))
    return drawing


def _histogram(report: ProvinceReport, regular: str, width: float):
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    drawing = Drawing(width, 190)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, width - 60, 130
    chart.data = [[n for _, n in report.bins]]
    chart.categoryAxis.categoryNames = [label for label, _ in report.bins]
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.angle = 0
    chart.categoryAxis.labels.dy = -4
    top = max([n for _, n in report.bins] + [1])
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top + max(1, top // 10)
    chart.valueAxis.valueStep = max(1, (top + 9) // 10)
    chart.valueAxis.labels.fontName = regular
    chart.valueAxis.labels.fontSize = 8
    chart.bars[0].fillColor = colors.HexColor("#548235")
    chart.bars.strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = regular
    chart.barLabels.fontSize = 8
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


def _criteria_chart(report: ProvinceReport, regular: str, width: float):
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    stats = report.criteria
    bar = 13
    drawing = Drawing(width, len(stats) * bar + 40)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 170, 25, width - 200, len(stats) * bar
    chart.data = [[st.below_max for st in reversed(stats)], [st.not_met for st in reversed(stats)]]
    chart.categoryAxis.categoryNames = [_short(f"{st.code} {st.title}", 34) for st in reversed(stats)]
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    top = max([st.below_max for st in stats] + [1])
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top + max(1, top // 10)
    chart.valueAxis.valueStep = max(1, (top + 9) // 10)
    chart.valueAxis.labels.fontName = regular
    chart.valueAxis.labels.fontSize = 8
    chart.bars[0].fillColor = colors.HexColor("#ED7D31")
    chart.bars[1].fillColor = colors.HexColor("#A5A5A5")
    chart.bars.strokeColor = None
    chart.groupSpacing = 2
    drawing.add(chart)
    return drawing


def _short(text: str, length: int) -> str:
    text = _nfc(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def render_pdf(report: ProvinceReport) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=11)
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=14, leading=18, alignment=TA_CENTER)
    subtitle = ParagraphStyle("subtitle", parent=body, fontSize=11, leading=14, alignment=TA_CENTER)
    heading = ParagraphStyle("heading", parent=body, fontName=bold, fontSize=12, leading=16, spaceBefore=8,
                             spaceAfter=4)

    def p(text: str, style=body) -> Paragraph:
        text = _nfc(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Paragraph(text, style)

    def table(rows: list[list], widths: list[float], numeric_from: int = 1, total_row: bool = False) -> Table:
        data = [[p(str(c), cell) if isinstance(c, str) else c for c in row] for row in rows]
        t = Table(data, colWidths=widths, repeatRows=1)
        style = [
            ("FONT", (0, 0), (-1, -1), regular, 8.5),
            ("FONT", (0, 0), (-1, 0), bold, 8.5),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
        ]
        if total_row:
            style += [("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F2F2F2"))]
        t.setStyle(TableStyle(style))
        return t

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=15 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=_nfc(f"Báo cáo {report.province_name} năm {report.year}"),
                            author=report.actor, subject="Xã, phường phù hợp với trẻ em (QĐ 06/QĐ-TTg)",
                            invariant=1)
    width = doc.width
    target_year, target_pct = report.target
    t = report.total
    story = [
        p("BÁO CÁO KẾT QUẢ ĐÁNH GIÁ, CÔNG NHẬN XÃ, PHƯỜNG, THỊ TRẤN PHÙ HỢP VỚI TRẺ EM", title),
        p(f"{report.province_name} — kỳ đánh giá năm {report.year}", subtitle),
        Spacer(1, 4 * mm),
        p(f"Bộ tiêu chí {report.criteria_version} (Quyết định 06/QĐ-TTg năm 2019); lập lúc {report.generated_at} "
          f"bởi {report.actor}.", small),
    ]
    if report.provisional:
        story.append(p(f"LƯU Ý: {report.criteria_version} là bộ tiêu chí TẠM THỜI (có giá trị chưa đối chiếu văn bản "
                       "chính thức); điểm số chỉ để tham khảo.", small))
    story += [
        Spacer(1, 3 * mm),
        p(f"Toàn tỉnh có {t.communes} xã, phường; {t.assessed} đã được đánh giá; {t.recognized} được công nhận, "
          f"đạt {_pct(t.share)} tổng số xã, phường. Mục tiêu quốc gia: {TARGETS[0][1]} % vào năm {TARGETS[0][0]}, "
          f"{TARGETS[1][1]} % vào năm {TARGETS[1][0]}; mục tiêu áp dụng cho kỳ này ({target_pct} % vào năm "
          f"{target_year}) {'đã đạt' if t.share >= target_pct else 'chưa đạt'}"
          + ("." if t.share >= target_pct else
             f": cần thêm {max(0, -(-target_pct * t.communes // 100) - t.recognized)} xã, phường được công nhận."),
          body),
        p("1. Kết quả theo huyện và so với mục tiêu", heading),
    ]
    rows = [["Huyện, thị xã, thành phố", "Số xã", "Đã đánh giá", "Được công nhận", "Tỷ lệ công nhận",
             f"Mục tiêu {TARGETS[0][0]} ({TARGETS[0][1]} %)", f"Mục tiêu {TARGETS[1][0]} ({TARGETS[1][1]} %)"]]
    for g in [*report.groups, report.total]:
        rows.append([g.name, g.communes, g.assessed, g.recognized, _pct(g.share),
                     "đạt" if g.share >= TARGETS[0][1] else "chưa đạt",
                     "đạt" if g.share >= TARGETS[1][1] else "chưa đạt"])
    story.append(table(rows, [width * f for f in (0.31, 0.08, 0.11, 0.12, 0.12, 0.13, 0.13)], total_row=True))
    story.append(Spacer(1, 3 * mm))
    story.append(KeepTogether([p("Tỷ lệ xã, phường được công nhận so với mục tiêu", small),
                               _share_chart(report, regular, width)]))

    scored = sum(n for _, n in report.bins)
    thresholds = "; ".join(f"{label}: {value}" for label, value in report.thresholds.items())
    story.append(KeepTogether([
        p("2. Phân bố điểm", heading),
        p(f"Tổng điểm của {scored} hồ sơ đã đánh giá có điểm (điểm thẩm định nếu có, nếu không thì điểm tự đánh "
          f"giá), trên thang {report.max_total}. Ngưỡng công nhận — {thresholds}.", small),
        _histogram(report, regular, width),
    ]))
    story.append(table([["Khoảng điểm", *[label for label, _ in report.bins]],
                        ["Số xã", *[n for _, n in report.bins]]],
                       [width * 0.16] + [width * 0.84 / len(report.bins)] * len(report.bins)))

    story.append(KeepTogether([
        p("3. Tiêu chí thường chưa đạt điểm tối đa", heading),
        p("Số xã có điểm tiêu chí thấp hơn điểm tối đa (cam) và thấp hơn mức đạt của tiêu chí (xám), trong các hồ "
          "sơ đã đánh giá có điểm; xếp từ tiêu chí bị thiếu điểm nhiều nhất.", small),
        _criteria_chart(report, regular, width),
    ]))
    rows = [["Tiêu chí", "Tối đa", "Mức đạt", "Dưới tối đa", "Chưa đạt", "Điểm bình quân"]]
    for st in report.criteria:
        share = f" ({_pct(100 * st.below_max / st.scored)})" if st.scored else ""
        rows.append([f"{st.code} {st.title}", st.max_points, st.met_at, f"{st.below_max}{share}", st.not_met,
                     f"{st.average:.1f}".replace(".", ",")])
    story.append(table(rows, [width * f for f in (0.46, 0.09, 0.09, 0.14, 0.09, 0.13)]))

    story.append(p("4. Danh sách xã, phường", heading))
    rows = [["Mã", "Xã, phường", "Huyện", "Trạng thái", "Tổng điểm", "Ngưỡng", "Nguồn điểm"]]
    for line in report.communes:
        rows.append([line.code, line.name, line.group, LABELS.get(line.status, "chưa có hồ sơ"),
                     "" if line.total is None else line.total, "" if line.threshold is None else line.threshold,
                     {"verified": "thẩm định", "self": "tự đánh giá"}.get(line.source, "")])
    story.append(table(rows, [width * f for f in (0.08, 0.24, 0.22, 0.15, 0.1, 0.09, 0.12)], numeric_from=4))
    story.append(Spacer(1, 4 * mm))
    story.append(p("Cách tính: «đã đánh giá» là hồ sơ đã nộp trở đi (đã nộp, đã thẩm định, được công nhận, không "
                   "được công nhận, đã thu hồi); «được công nhận» là hồ sơ đang ở trạng thái được công nhận; tỷ lệ "
                   "công nhận = số xã được công nhận / tổng số xã, phường của huyện (tỉnh) vào ngày 01/11 của năm "
                   "đánh giá.", small))

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawString(doc.leftMargin, 10 * mm,
                          _nfc(f"{report.province_name} — năm {report.year} — {report.criteria_version}"))
        canvas.drawRightString(A4[0] - doc.rightMargin, 10 * mm, f"Trang {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def province_report(service: DossierService, username: str, province_code: str, year: int,
                    path: Path | str) -> ProvinceReport:
    if Path(path).suffix.lower() != ".pdf":
        raise CfcError(f"{Path(path).name}: the report is a PDF: write to a .pdf file")
    report = collect(service, username, province_code, year)
    Path(path).write_bytes(render_pdf(report))
    return report
