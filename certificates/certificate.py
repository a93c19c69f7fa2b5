"""The certificate (Giấy công nhận) of one commune: A4 landscape, drawn directly on the canvas.

One page per commune: the national name and motto, who recognises, the commune with its district and province,
the round, the decision, the criteria version, and at the bottom the QR code holding the public verification URL
with the serial number beside it, and the signer's block. Long names shrink (then wrap) to fit; nothing is drawn
outside the frame, which itself stays inside the page margins.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from reportlab.lib.colors import black

from .canvas import DocumentCanvas, draw_text, draw_watermark, rule
from .data import CertificateData, Metadata
from .dates import long_date, place_date, short_date
from .flowables import QUOC_HIEU, TIEU_NGU
from .fonts import BOLD, REGULAR
from .page import DARK_RED, GOLD, LANDSCAPE, LANDSCAPE_MARGINS, RED, Box, content_box
from .qr import draw_qr
from .text import fit, width

FRAME = content_box(LANDSCAPE, LANDSCAPE_MARGINS)
PADDING = 30  # from the outer frame line to the text area
TEXT = Box(FRAME.x + PADDING, FRAME.y + PADDING, FRAME.width - 2 * PADDING, FRAME.height - 2 * PADDING)
QR_SIZE = 96
SIGNER_WIDTH = 300
SAMPLE_NOTE = ("BẢN MẪU — bộ tiêu chí chưa được đối chiếu với văn bản chính thức; "
               "giấy công nhận này không có giá trị pháp lý")


def title(data: CertificateData) -> str:
    return f"Giấy công nhận {data.unit_phrase} phù hợp với trẻ em năm {data.year} — {data.commune}"


def _frame(c: DocumentCanvas) -> None:
    c.saveState()
    c.setStrokeColor(DARK_RED)
    c.setLineWidth(3)
    inset = 1.5  # half the line width: the stroke stays inside the frame box
    c.rect(FRAME.x + inset, FRAME.y + inset, FRAME.width - 2 * inset, FRAME.height - 2 * inset)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.9)
    gap = 7
    c.rect(FRAME.x + gap, FRAME.y + gap, FRAME.width - 2 * gap, FRAME.height - 2 * gap)
    # a small diamond in each inner corner
    c.setFillColor(GOLD)
    for x, y in ((FRAME.x + gap, FRAME.y + gap), (FRAME.right - gap, FRAME.y + gap),
                 (FRAME.x + gap, FRAME.top - gap), (FRAME.right - gap, FRAME.top - gap)):
        p = c.beginPath()
        p.moveTo(x, y - 5)
        p.lineTo(x + 5, y)
        p.lineTo(x, y + 5)
        p.lineTo(x - 5, y)
        p.close()
        c.drawPath(p, stroke=0, fill=1)
    c.restoreState()


STATIC_FORM = "CertificateFrame"


def _static_parts(c: DocumentCanvas) -> None:
    """What every certificate shows alike: the frame, the national name and motto, and the title. Drawn once
    per document as a form (a PDF XObject) that each page places: a batch writes them once, not on every page."""
    if not c.hasForm(STATIC_FORM):
        c.beginForm(STATIC_FORM)
        _frame(c)
        x, w, y = TEXT.centre, TEXT.width, TEXT.top - 14
        draw_text(c, QUOC_HIEU, x, y, BOLD, 14, max_width=w)
        size = draw_text(c, TIEU_NGU, x, y - 18, BOLD, 14.5, max_width=w)
        rule(c, x, y - 22, width(TIEU_NGU, BOLD, size))
        draw_text(c, "GIẤY CÔNG NHẬN", x, y - 112, BOLD, 36, max_width=w, color=RED)
        c.endForm()
    c.doForm(STATIC_FORM)


def draw_certificate(c: DocumentCanvas, data: CertificateData) -> None:
    """Draw one certificate on the current page of ``c`` (the caller ends the page)."""
    if data.provisional:
        draw_watermark(c, TEXT)
    _static_parts(c)
    x, w = TEXT.centre, TEXT.width
    y = TEXT.top - 14 - 60
    authority = data.issuer.authority or " ".join(data.issuer.body)
    draw_text(c, authority, x, y, BOLD, 15, max_width=w)
    y -= 52

    name = data.commune.upper()
    size, lines = fit(name, BOLD, 30, w, min_size=20, max_lines=2)
    y -= 16 + size
    for i, line in enumerate(lines):
        y -= 1.12 * size if i else 0
        draw_text(c, line, x, y, BOLD, size, max_width=w, color=DARK_RED)
    place = ", ".join(p for p in (data.district, data.province) if p)
    y -= 36
    draw_text(c, place, x, y, REGULAR, 16, max_width=w, slant=True)
    y -= 34
    draw_text(c, f"Đạt tiêu chuẩn {data.unit_phrase} phù hợp với trẻ em năm {data.year}", x, y, BOLD, 17,
              max_width=w)
    y -= 25
    draw_text(c, f"Theo Quyết định số {data.decision_number} {long_date(data.decision_date)}", x, y, REGULAR,
              13.5, max_width=w)
    y -= 19
    criteria = f"Bộ tiêu chí: {data.criteria_version}"
    if data.total is not None:
        criteria += f"; tổng điểm thẩm định: {data.total}"
        if data.max_total:
            criteria += f"/{data.max_total}"
    draw_text(c, criteria, x, y, REGULAR, 12, max_width=w)
    if data.provisional:
        # in the strip between the inner frame line and the text area, across the whole width
        draw_text(c, SAMPLE_NOTE, x, FRAME.y + 14, BOLD, 11.5, max_width=w, color=RED)

    _bottom(c, data)


def _bottom(c: DocumentCanvas, data: CertificateData) -> None:
    # left: QR code, serial and verification address
    qx, qy = TEXT.x, TEXT.y
    draw_qr(c, data.verify_url, qx, qy, QR_SIZE)
    tx = qx + QR_SIZE + 6
    text_w = TEXT.width - SIGNER_WIDTH - QR_SIZE - 16
    draw_text(c, f"Số hiệu: {data.serial}", tx, qy + 58, BOLD, 13, align="left", max_width=text_w)
    draw_text(c, "Kiểm tra tính hợp lệ tại:", tx, qy + 40, REGULAR, 10.5, align="left", max_width=text_w, slant=True)
    draw_text(c, data.verify_url, tx, qy + 26, REGULAR, 10, align="left", max_width=text_w)
    draw_text(c, f"Cấp ngày {short_date(data.decision_date)}", tx, qy + 12, REGULAR, 10, align="left",
              max_width=text_w)

    # right: place and date, signer
    sx = TEXT.right - SIGNER_WIDTH / 2
    y = TEXT.y + 120
    draw_text(c, place_date(data.issuer.place, data.decision_date), sx, y, REGULAR, 13, max_width=SIGNER_WIDTH,
              slant=True)
    y -= 18
    for line in (data.issuer.signer_capacity, data.issuer.signer_title):
        if line:
            draw_text(c, line, sx, y, BOLD, 13, max_width=SIGNER_WIDTH)
            y -= 16
    if data.issuer.signer_name:
        draw_text(c, data.issuer.signer_name, sx, TEXT.y + 4, BOLD, 14, max_width=SIGNER_WIDTH, color=black)


def _metadata(title_text: str, data: CertificateData) -> Metadata:
    return Metadata(title=title_text, author=" ".join(data.issuer.body),
                    subject=f"Số hiệu {data.serial}; Quyết định {data.decision_number}",
                    keywords=(data.serial, data.verify_url))


def certificate_pdf(data: CertificateData) -> bytes:
    """One certificate as a one-page PDF."""
    buffer = io.BytesIO()
    c = DocumentCanvas(buffer, pagesize=LANDSCAPE, created=data.decision_date, metadata=_metadata(title(data), data))
    draw_certificate(c, data)
    c.showPage()
    c.save()
    return buffer.getvalue()


def batch_author(items: list[CertificateData]) -> str:
    """Who issued the pages of a batch: every issuing body, in the order of the pages, once each ("ỦY BAN NHÂN
    DÂN THÀNH PHỐ KON TUM; ỦY BAN NHÂN DÂN HUYỆN ĐẮK GLEI"), never the first one for all."""
    bodies = dict.fromkeys(" ".join(i.issuer.body) for i in items)
    return "; ".join(bodies)


def certificates_batch_pdf(items: Iterable[CertificateData],
                           progress: Callable[[CertificateData], None] | None = None) -> bytes:
    """Every certificate, one page each, in one PDF (the font is embedded once for all pages). ``progress`` is
    called after each page. The creation date is the latest decision date, so the same input gives the same
    bytes; the author names every issuing body of the pages (``batch_author``)."""
    items = list(items)
    if not items:
        raise ValueError("no certificates to print")
    created = max(i.decision_date for i in items)
    first = items[0]
    provinces = sorted({i.province for i in items})
    meta = Metadata(
        title=f"Giấy công nhận {first.unit_phrase} phù hợp với trẻ em năm {first.year} — {', '.join(provinces)} "
              f"({len(items)} đơn vị)",
        author=batch_author(items),
        subject=f"{len(items)} giấy công nhận, số hiệu {items[0].serial} … {items[-1].serial}",
    )
    buffer = io.BytesIO()
    c = DocumentCanvas(buffer, pagesize=LANDSCAPE, created=created, metadata=meta)
    for item in items:
        draw_certificate(c, item)
        c.showPage()
        if progress is not None:
            progress(item)
    c.save()
    return buffer.getvalue()
