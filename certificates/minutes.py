"""Appraisal minutes (biên bản thẩm định) of one dossier: A4 portrait, NĐ 30/2020 header.

Who met, then one table: for each criterion its points as the commune assessed them and as verified, and under it
each indicator with the commune's value, the verified value and the appraiser's comment; then the totals, the
threshold and the conclusion, and the signatures of the commune's representative and the panel.
"""

from __future__ import annotations

from reportlab.lib.colors import HexColor
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from .canvas import sample_notice
from .data import Issuer, Metadata, MinutesData
from .dates import long_date, place_date
from .document import build_document, styles, table_font
from .flowables import AdminHeader, CentredRule, SignatureBlock
from .fonts import BOLD
from .page import PORTRAIT, PORTRAIT_MARGINS, content_box
from .text import escape, width

SHADE = HexColor("#EFEFEF")


def summary(data: MinutesData) -> str:
    return (f"Thẩm định hồ sơ đề nghị công nhận {data.unit_phrase} phù hợp với trẻ em năm {data.year} "
            f"của {data.commune}")


def _where(data: MinutesData) -> str:
    return ", ".join(p for p in (data.commune, data.district, data.province) if p)


def _table(data: MinutesData, st: dict, avail: float) -> Table:
    head = ["Mã", "Tiêu chí, chỉ số", "Xã tự đánh giá", "Thẩm định", "Tối đa", "Ý kiến thẩm định"]
    rows = [[Paragraph(escape(h), st["cell_head"]) for h in head]]
    style = [
        table_font(),
        ("GRID", (0, 0), (-1, -1), 0.5, "#000000"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    bold_centre = st["cell_head"]
    for crit in data.criteria:
        r = len(rows)
        style.append(("BACKGROUND", (0, r), (-1, r), SHADE))
        rows.append([
            Paragraph(escape(crit.code), bold_centre),
            Paragraph(f"<b>{escape(crit.title)}</b>", st["cell"]),
            Paragraph(escape(crit.self_points), bold_centre),
            Paragraph(escape(crit.points), bold_centre),
            Paragraph(escape(crit.max_points), bold_centre),
            Paragraph("", st["cell_small"]),
        ])
        for ind in crit.indicators:
            rows.append([
                Paragraph("", st["cell_small"]),
                Paragraph(escape(ind.label), st["cell_small"]),
                Paragraph(escape(ind.self_value or "—"), st["cell_small_centre"]),
                Paragraph(escape(ind.appraised_value or "—"), st["cell_small_centre"]),
                Paragraph("", st["cell_small"]),
                Paragraph(escape(ind.comment), st["cell_small"]),
            ])
    r = len(rows)
    style.append(("BACKGROUND", (0, r), (-1, r), SHADE))
    rows.append([
        Paragraph("", bold_centre),
        Paragraph("<b>Tổng điểm</b>", st["cell"]),
        Paragraph(escape(data.self_total), bold_centre),
        Paragraph(escape(data.total), bold_centre),
        Paragraph(escape(data.max_total), bold_centre),
        Paragraph(f"Ngưỡng: {escape(data.threshold)}", st["cell_small"]),
    ])
    widths = [36, 0, 58, 58, 40, 104]
    widths[1] = avail - sum(widths)
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(TableStyle(style))
    return table


def minutes_flowables(data: MinutesData, avail: float) -> list:
    st = styles()
    text = summary(data)
    out: list = [
        AdminHeader(data.appraiser.body, None, place_date(data.appraiser.place, data.date),
                    data.appraiser.parent),
        Paragraph("BIÊN BẢN", st["doctype"]),
        Paragraph(escape(text), st["summary"]),
        CentredRule(min(width(text, BOLD, 14), avail) * 0.4),
        Spacer(1, 4),
        Paragraph(
            f"Hôm nay, {long_date(data.date)}, tại {escape(data.appraiser.place)}, {escape(data.panel)} thẩm định hồ sơ số "
            f"{data.dossier_id} đề nghị công nhận {escape(_where(data))} đạt tiêu chuẩn {escape(data.unit_phrase)} "
            f"phù hợp với trẻ em năm {data.year}. Loại đơn vị: {escape(data.category)} (ngưỡng công nhận "
            f"{escape(data.threshold)} điểm). Bộ tiêu chí: {escape(data.criteria_version)}.", st["body"]),
        Paragraph("I. THÀNH PHẦN THAM DỰ", st["heading"]),
    ]
    if data.panel_members:
        out += [Paragraph(f"{i}. {escape(m)}", st["list"]) for i, m in enumerate(data.panel_members, start=1)]
    else:
        out.append(Paragraph("(không ghi nhận thành viên có mặt)", st["list"]))
    out.append(Paragraph("II. KẾT QUẢ THẨM ĐỊNH", st["heading"]))
    out.append(Paragraph(
        "Giá trị từng chỉ số do xã tự đánh giá và giá trị sau thẩm định; điểm từng tiêu chí tính theo bộ tiêu chí "
        "nêu trên.", st["body"]))
    out.append(_table(data, st, avail))
    out.append(Spacer(1, 6))
    out.append(Paragraph("III. KẾT LUẬN", st["heading"]))
    out.append(Paragraph(escape(
        f"Tổng điểm xã tự đánh giá: {data.self_total}/{data.max_total}; tổng điểm sau thẩm định: ")
        + f"<b>{escape(data.total)}/{escape(data.max_total)}</b>; ngưỡng công nhận: "
        f"{escape(data.threshold)} điểm.", st["body"]))
    if data.recognised:
        verdict = (f"Kết quả thẩm định: {escape(data.commune)} <b>đủ điều kiện</b> đề nghị công nhận đạt tiêu chuẩn "
                   f"{escape(data.unit_phrase)} phù hợp với trẻ em năm {data.year}.")
    else:
        verdict = (f"Kết quả thẩm định: {escape(data.commune)} <b>chưa đủ điều kiện</b> đề nghị công nhận: "
                   + "; ".join(escape(f) for f in data.failed_conditions) + ".")
    out.append(Paragraph(verdict, st["body"]))
    out.append(Paragraph("Biên bản được lập thành 02 bản: 01 bản lưu tại hồ sơ thẩm định, 01 bản gửi Ủy ban nhân "
                         f"dân {escape(data.commune)}./.", st["body"]))
    out.append(Spacer(1, 6))
    commune = Issuer(body=(), place=data.appraiser.place,
                     signer_title=data.commune_signer or f"ĐẠI DIỆN {data.commune.upper()}")
    out.append(KeepTogether([SignatureBlock(data.appraiser, left_signer=commune)]))
    return out


def minutes_pdf(data: MinutesData) -> bytes:
    """The minutes as PDF bytes (same data, same bytes)."""
    avail = content_box(PORTRAIT, PORTRAIT_MARGINS).width
    meta = Metadata(title=f"Biên bản thẩm định — {summary(data)}", author=" ".join(data.appraiser.body),
                    subject=_where(data), keywords=(f"hồ sơ {data.dossier_id}",))
    return build_document(minutes_flowables(data, avail), created=data.date, metadata=meta,
                          notice=sample_notice(data.criteria_version) if data.provisional else None)
