"""Appraisal minutes (biên bản thẩm định) of one dossier: A4 portrait, NĐ 30/2020 header.

Who met, then one table: for each criterion its points as the commune assessed them and as verified, and under it
each indicator with the commune's value, the verified value and the appraiser's comment (a long comment continues
in the rows below, so it breaks across pages); then the totals, the threshold and the conclusion, and the
signatures, kept on one page with the last paragraph: the commune's representative, the chair (for the panel,
with the chair's name) and every other member by name.
"""

from __future__ import annotations

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
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


PIECE_HEIGHT = 120  # points: a longer comment continues in the rows below (a table row cannot split across pages)
COMMENT_WIDTH = 104
PADDING = 3
SIGN_SPACE = 46  # room for a member's signature above the name


def comment_pieces(text: str, style: ParagraphStyle, cell_width: float) -> list[Paragraph]:
    """A comment as paragraphs of at most ``PIECE_HEIGHT`` each, cut between lines by reportlab itself: each
    piece is a row of its own, so a 2,000-character comment breaks across pages like running text."""
    rest = Paragraph(escape(text), style)
    pieces = []
    while rest.wrap(cell_width, PIECE_HEIGHT * 100)[1] > PIECE_HEIGHT:
        parts = rest.split(cell_width, PIECE_HEIGHT)
        if len(parts) < 2:
            break
        pieces.append(parts[0])
        rest = parts[1]
    return [*pieces, rest]


def _indicator_rows(ind, st: dict, cell_width: float) -> list[list]:
    """The rows of one indicator: its values and the comment's first piece, then a row for each further piece."""
    pieces = comment_pieces(ind.comment, st["cell_small"], cell_width)
    empty = [Paragraph("", st["cell_small"]) for _ in range(5)]
    first = [
        Paragraph("", st["cell_small"]),
        Paragraph(escape(ind.label), st["cell_small"]),
        Paragraph(escape(ind.self_value or "—"), st["cell_small_centre"]),
        Paragraph(escape(ind.appraised_value or "—"), st["cell_small_centre"]),
        Paragraph("", st["cell_small"]),
        pieces[0],
    ]
    return [first] + [[*empty, piece] for piece in pieces[1:]]


def _grid(n_rows: int, continued: set[int]) -> list[tuple]:
    """The table's lines: a box, the column lines, and a line under every row except where the next row
    continues its comment."""
    lines = [("BOX", (0, 0), (-1, -1), 0.5, "#000000"), ("LINEAFTER", (0, 0), (-2, -1), 0.5, "#000000")]
    lines += [("LINEBELOW", (0, r), (-1, r), 0.5, "#000000") for r in range(n_rows) if r + 1 not in continued]
    for r in continued:  # the pieces of a comment join up like the lines of one paragraph
        lines += [("TOPPADDING", (0, r), (-1, r), 0), ("BOTTOMPADDING", (0, r - 1), (-1, r - 1), 0)]
    return lines


def _table(data: MinutesData, st: dict, avail: float) -> Table:
    head = ["Mã", "Tiêu chí, chỉ số", "Xã tự đánh giá", "Thẩm định", "Tối đa", "Ý kiến thẩm định"]
    rows = [[Paragraph(escape(h), st["cell_head"]) for h in head]]
    style = [
        table_font(),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
    ]
    continued: set[int] = set()  # rows that continue the comment of the row above
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
            added = _indicator_rows(ind, st, COMMENT_WIDTH - 2 * PADDING)
            if len(added) > 1:
                style.append(("VALIGN", (0, len(rows)), (-1, len(rows) + len(added) - 1), "TOP"))
                continued.update(range(len(rows) + 1, len(rows) + len(added)))
            rows += added
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
    widths = [36, 0, 58, 58, 40, COMMENT_WIDTH]
    widths[1] = avail - sum(widths)
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(TableStyle(style + _grid(len(rows), continued)))
    return table


def _members_table(names: tuple[str, ...], avail: float) -> Table:
    """The members' signatures, two a row: room to sign above each name."""
    style = ParagraphStyle("member", fontName=BOLD, fontSize=13, leading=16, alignment=TA_CENTER)
    cells = [[Spacer(1, SIGN_SPACE), Paragraph(escape(name), style)] for name in names]
    rows = [cells[i:i + 2] for i in range(0, len(cells), 2)]
    if len(rows[-1]) == 1:
        rows[-1].append("")
    table = Table(rows, colWidths=[avail / 2] * 2, hAlign="CENTER")
    table.setStyle(TableStyle([table_font(), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))
    return table


def signatures(data: MinutesData, st: dict, avail: float) -> list:
    """The commune's representative beside the chair (under "TM. HỘI ĐỒNG"), then every other member."""
    commune = Issuer(body=(), place=data.appraiser.place,
                     signer_title=data.commune_signer or f"ĐẠI DIỆN {data.commune.upper()}")
    out: list = [SignatureBlock(data.appraiser, left_signer=commune)]
    if data.member_signers:
        out += [Paragraph("CÁC THÀNH VIÊN HỘI ĐỒNG", st["members_head"]), _members_table(data.member_signers, avail)]
    return out


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
    copies = Paragraph("Biên bản được lập thành 02 bản: 01 bản lưu tại hồ sơ thẩm định, 01 bản gửi Ủy ban nhân "
                       f"dân {escape(data.commune)}./.", st["body"])
    # the signatures never stand alone on a page: the last paragraph goes with them
    st["members_head"] = ParagraphStyle("members_head", parent=st["doctype"], fontSize=13, spaceBefore=8,
                                        spaceAfter=0)
    out.append(KeepTogether([copies, Spacer(1, 6), *signatures(data, st, avail)]))
    return out


def minutes_pdf(data: MinutesData, spots: list | None = None) -> bytes:
    """The minutes as PDF bytes (same data, same bytes)."""
    avail = content_box(PORTRAIT, PORTRAIT_MARGINS).width
    meta = Metadata(title=f"Biên bản thẩm định — {summary(data)}", author=" ".join(data.appraiser.body),
                    subject=_where(data), keywords=(f"hồ sơ {data.dossier_id}",))
    return build_document(minutes_flowables(data, avail), created=data.date, metadata=meta,
                          notice=sample_notice(data.criteria_version) if data.provisional else None, spots=spots)
