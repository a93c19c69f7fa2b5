"""The province report of a round (PDF): recognition per district against the national targets, the score
distribution, and the criteria most often below their maximum, with charts, tables and the list of communes.

A4 portrait, 10 pt text in the shipped font, each page's footer naming the province, the round, the criteria
version and the page number. The input is plain data (``ProvinceReportData``) whose figures the application has
computed; the same input gives the same bytes (the creation date is the report's own date).
"""

from __future__ import annotations

import datetime as dt

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from .data import Metadata, nfc
from .dates import local_time
from .document import build_pdf
from .fonts import BOLD, REGULAR, register_fonts
from .page import PORTRAIT, Box, Margins, content_box
from .report_charts import criteria_chart, histogram, share_chart
from .report_data import ProvinceReportData
from .text import escape

MARGINS = Margins(top=18 * mm, right=15 * mm, bottom=18 * mm, left=20 * mm)
PADDING = 6  # between the margins and the text, as reportlab's simple documents leave
HEADER_BLUE, GRID_GREY, TOTAL_GREY = colors.HexColor("#DDEBF7"), colors.HexColor("#999999"), colors.HexColor("#F2F2F2")
HOW_COUNTED = ("Cách tính: «đã đánh giá» là hồ sơ đã nộp trở đi (đã nộp, đã thẩm định, được công nhận, không được "
               "công nhận, đã thu hồi); «được công nhận» là hồ sơ đang ở trạng thái được công nhận; tỷ lệ công nhận "
               "= số xã được công nhận / tổng số xã, phường của huyện (tỉnh) vào ngày 01/11 của năm đánh giá.")


def report_styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=13)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=14, leading=18, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=11, leading=14, alignment=TA_CENTER),
        "heading": ParagraphStyle("heading", parent=body, fontName=BOLD, fontSize=12, leading=16, spaceBefore=8,
                                  spaceAfter=4),
    }


def _table(rows: list[list[str]], widths: list[float], st: dict, numbers: range | None = None,
           total_row: bool = False) -> Table:
    """A grid with a shaded head row; text cells wrap, the columns ``numbers`` (figures, already written as
    text; default: all but the first) are right-aligned below the head row."""
    numbers = numbers or range(1, len(widths))
    data = [[c if r and i in numbers else Paragraph(escape(c), st["cell"]) for i, c in enumerate(row)]
            for r, row in enumerate(rows)]
    table = Table(data, colWidths=widths, repeatRows=1)
    last = min(numbers.stop, len(widths)) - 1
    style = [
        ("FONT", (0, 0), (-1, -1), REGULAR, 8.5),
        ("FONT", (0, 0), (-1, 0), BOLD, 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BLUE),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID_GREY),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (numbers.start, 1), (last, -1), "RIGHT"),
    ]
    if total_row:
        style.append(("BACKGROUND", (0, -1), (-1, -1), TOTAL_GREY))
    table.setStyle(TableStyle(style))
    return table


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _summary(report: ProvinceReportData, st: dict) -> list:
    t, target = report.total, report.target
    first, second = report.targets[0], report.targets[-1]
    met = t.share >= target.percent
    story = [
        _p("BÁO CÁO KẾT QUẢ ĐÁNH GIÁ, CÔNG NHẬN XÃ, PHƯỜNG, THỊ TRẤN PHÙ HỢP VỚI TRẺ EM", st["title"]),
        _p(f"{report.province_name} — kỳ đánh giá năm {report.year}", st["subtitle"]),
        Spacer(1, 4 * mm),
        _p(f"Bộ tiêu chí {report.criteria_version} (Quyết định 06/QĐ-TTg năm 2019); lập lúc "
           f"{local_time(report.generated_at)} bởi {report.actor}.", st["small"]),
    ]
    if report.provisional:
        story.append(_p(f"LƯU Ý: {report.criteria_version} là bộ tiêu chí TẠM THỜI (có giá trị chưa đối chiếu văn "
                        "bản chính thức); điểm số chỉ để tham khảo.", st["small"]))
    story += [
        Spacer(1, 3 * mm),
        _p(f"Toàn tỉnh có {t.communes} xã, phường; {t.assessed} đã được đánh giá; {t.recognized} được công nhận, "
           f"đạt {t.share_text} tổng số xã, phường. Mục tiêu quốc gia: {first.percent} % vào năm "
           f"{first.year}, {second.percent} % vào năm {second.year}; mục tiêu áp dụng cho kỳ này "
           f"({target.percent} % vào năm {target.year}) {'đã đạt' if met else 'chưa đạt'}"
           + ("." if met else f": cần thêm {report.still_needed} xã, phường được công nhận."), st["body"]),
    ]
    return story


def _districts(report: ProvinceReportData, st: dict, width: float) -> list:
    head = ["Huyện, thị xã, thành phố", "Số xã", "Đã đánh giá", "Được công nhận", "Tỷ lệ công nhận"]
    rows = [head + [f"Mục tiêu {t.year} ({t.percent} %)" for t in report.targets]]
    for g in [*report.groups, report.total]:
        rows.append([g.name, g.communes, g.assessed, g.recognized, g.share_text]
                    + ["đạt" if g.share >= t.percent else "chưa đạt" for t in report.targets])
    return [
        _p("1. Kết quả theo huyện và so với mục tiêu", st["heading"]),
        _table(rows, [width * f for f in (0.31, 0.08, 0.11, 0.12, 0.12, 0.13, 0.13)], st, range(1, 5),
               total_row=True),
        Spacer(1, 3 * mm),
        KeepTogether([_p("Tỷ lệ xã, phường được công nhận so với mục tiêu", st["small"]),
                      share_chart(report, width)]),
    ]


def _scores(report: ProvinceReportData, st: dict, width: float) -> list:
    thresholds = "; ".join(f"{t.label}: {t.points}" for t in report.thresholds)
    bins = report.bins
    return [
        KeepTogether([
            _p(f"2. Phân bố điểm ({report.scored} hồ sơ)", st["heading"]),
            _p(f"Mỗi hồ sơ của kỳ đánh giá một lần: điểm thẩm định nếu đã có, nếu không thì điểm tự đánh giá, trên "
               f"thang {report.max_total}; hồ sơ chưa nhập đủ số liệu ở cột «Chưa có điểm». Ngưỡng công nhận — "
               f"{thresholds}.", st["small"]),
            histogram(report, width),
        ]),
        _table([["Khoảng điểm", *[b.label for b in bins]], ["Số hồ sơ", *[b.count_text for b in bins]]],
               [width * 0.16] + [width * 0.84 / len(bins)] * len(bins), st),
    ]


def _criteria(report: ProvinceReportData, st: dict, width: float) -> list:
    rows = [["Tiêu chí", "Tối đa", "Mức đạt", "Dưới tối đa", "Chưa đạt", "Điểm bình quân"]]
    for c in report.criteria:
        rows.append([f"{c.code} {c.title}", c.max_points, c.met_at, c.below_max_text, c.not_met_text,
                     c.average])
    return [
        KeepTogether([
            _p("3. Tiêu chí thường chưa đạt điểm tối đa", st["heading"]),
            _p("Số xã có điểm tiêu chí thấp hơn điểm tối đa (cam) và thấp hơn mức đạt của tiêu chí (xám), trong "
               "các hồ sơ đã đánh giá có điểm; xếp từ tiêu chí bị thiếu điểm nhiều nhất.", st["small"]),
            criteria_chart(report, width),
        ]),
        _table(rows, [width * f for f in (0.46, 0.09, 0.09, 0.14, 0.09, 0.13)], st),
    ]


def _communes(report: ProvinceReportData, st: dict, width: float) -> list:
    rows = [["Mã", "Xã, phường", "Huyện", "Trạng thái", "Tổng điểm", "Ngưỡng", "Nguồn điểm"]]
    for line in report.communes:
        rows.append([line.code, line.name, line.group, line.status, line.total, line.threshold, line.source])
    return [
        _p("4. Danh sách xã, phường", st["heading"]),
        _table(rows, [width * f for f in (0.08, 0.24, 0.22, 0.15, 0.1, 0.09, 0.12)], st, range(4, 6)),
        Spacer(1, 4 * mm),
        _p(HOW_COUNTED, st["small"]),
    ]


def _footer(report: ProvinceReportData, box: Box):
    line = nfc(f"{report.province_name} — năm {report.year} — {report.criteria_version}")

    def on_page(c: Canvas, doc) -> None:
        c.saveState()
        c.setFont(REGULAR, 8)
        c.drawString(box.x, 10 * mm, line)
        c.drawRightString(box.right, 10 * mm, f"Trang {doc.page}")
        c.restoreState()

    return on_page


def province_report_pdf(report: ProvinceReportData) -> bytes:
    """The province report as PDF bytes (same data, same bytes)."""
    box = content_box(PORTRAIT, MARGINS)
    text_box = Box(box.x + PADDING, box.y + PADDING, box.width - 2 * PADDING, box.height - 2 * PADDING)
    st = report_styles()
    story = (_summary(report, st) + _districts(report, st, box.width) + _scores(report, st, box.width)
             + _criteria(report, st, box.width) + _communes(report, st, box.width))
    meta = Metadata(title=f"Báo cáo {report.province_name} năm {report.year}", author=report.actor,
                    subject="Xã, phường phù hợp với trẻ em (QĐ 06/QĐ-TTg)")
    created = dt.date.fromisoformat(report.generated_at[:10])
    return build_pdf(story, created=created, metadata=meta, on_page=_footer(report, box), pagesize=PORTRAIT,
                     margins=MARGINS, text_box=text_box)
