"""The recognition decision (Quyết định công nhận): A4 portrait, laid out as Nghị định 30/2020/NĐ-CP prescribes.

Issuing body and number (left) beside the national name, motto, place and date (right); the document type and
its summary; who decides; the legal grounds (căn cứ) in italics; "QUYẾT ĐỊNH:"; three articles, the first with
the table of recognised communes and their verified scores; then the recipients (nơi nhận) beside the signer's
capacity, title and name.
"""

from __future__ import annotations

from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from .canvas import sample_notice
from .data import DecisionData, Metadata, RevocationData
from .dates import place_date
from .document import build_document, styles, table_font
from .flowables import AdminHeader, CentredRule, SignatureBlock
from .fonts import BOLD
from .page import PORTRAIT, PORTRAIT_MARGINS, content_box
from .text import escape, width


def summary(data: DecisionData) -> str:
    return f"Về việc công nhận {data.unit_phrase} phù hợp với trẻ em năm {data.year}"


def _communes_table(data: DecisionData, st: dict, avail: float) -> Table:
    with_district = any(c.district for c in data.communes)
    head = ["STT", f"Tên {data.unit_phrase}"] + (["Đơn vị cấp huyện"] if with_district else []) + ["Tổng điểm", "Ngưỡng"]
    rows = [[Paragraph(escape(h), st["cell_head"]) for h in head]]
    for i, c in enumerate(data.communes, start=1):
        row = [Paragraph(str(i), st["cell_centre"]), Paragraph(escape(c.name), st["cell"])]
        if with_district:
            row.append(Paragraph(escape(c.district), st["cell"]))
        row += [Paragraph(escape(f"{c.total}/{c.max_total}"), st["cell_centre"]),
                Paragraph(escape(c.threshold), st["cell_centre"])]
        rows.append(row)
    number_w, score_w, threshold_w = 34, 74, 56
    rest = avail - number_w - score_w - threshold_w
    widths = [number_w] + ([rest * 0.55, rest * 0.45] if with_district else [rest]) + [score_w, threshold_w]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(TableStyle([
        table_font(),
        ("GRID", (0, 0), (-1, -1), 0.5, "#000000"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def opening(data: DecisionData | RevocationData, text: str, st: dict, avail_width: float) -> list:
    """What a decision (recognition or revocation) opens with: the issuing body and number beside the national
    name, place and date; "QUYẾT ĐỊNH" and its summary ``text``; who decides; the grounds; "QUYẾT ĐỊNH:"."""
    issuer = data.issuer
    out: list = [
        AdminHeader(issuer.body, data.number, place_date(issuer.place, data.date), issuer.parent),
        Paragraph("QUYẾT ĐỊNH", st["doctype"]),
        Paragraph(escape(text), st["summary"]),
        CentredRule(min(width(text, BOLD, 14), avail_width) * 0.4),
    ]
    if issuer.authority:
        out.append(Paragraph(escape(issuer.authority), st["authority"]))
    out += [Paragraph(escape(g), st["ground"]) for g in data.grounds]
    if data.proposal:
        out.append(Paragraph(escape(data.proposal), st["ground"]))
    out.append(Paragraph("QUYẾT ĐỊNH:", st["authority"]))
    return out


def closing(last_article, data: DecisionData | RevocationData) -> KeepTogether:
    """The last article with the recipients and the signature: the signature never stands alone on a page."""
    return KeepTogether([last_article, Spacer(1, 6), SignatureBlock(data.issuer, data.recipients)])


def decision_flowables(data: DecisionData, avail_width: float) -> list:
    st = styles()
    out = opening(data, summary(data), st, avail_width)
    n = len(data.communes)
    out.append(Paragraph(
        f"<b>Điều 1.</b> Công nhận {n:02d} đơn vị sau đây đạt tiêu chuẩn {escape(data.unit_phrase)} phù hợp "
        f"với trẻ em năm {data.year} (kết quả thẩm định, chấm điểm theo bộ tiêu chí "
        f"{escape(data.criteria_version)}):", st["body"]))
    out.append(_communes_table(data, st, avail_width))
    out.append(Spacer(1, 8))
    out.append(Paragraph("<b>Điều 2.</b> Quyết định này có hiệu lực kể từ ngày ký.", st["body"]))
    out.append(closing(Paragraph(f"<b>Điều 3.</b> {escape(data.executors)}/.", st["body"]), data))
    return out


def decision_pdf(data: DecisionData, spots: list | None = None) -> bytes:
    """The decision as PDF bytes (same data, same bytes)."""
    avail = content_box(PORTRAIT, PORTRAIT_MARGINS).width
    meta = Metadata(title=f"Quyết định số {data.number}: {summary(data)}", author=" ".join(data.issuer.body),
                    subject=summary(data), keywords=(data.number,))
    return build_document(decision_flowables(data, avail), created=data.date, metadata=meta,
                          notice=sample_notice(data.criteria_version) if data.provisional else None, spots=spots)
