"""The flowing documents (decision, minutes, province report): paragraph styles of an administrative document,
and the builder that lays flowables out on A4 pages with page numbers and, for samples, the notice and the
watermark."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from .canvas import CREATOR, canvas_maker, draw_text, draw_watermark
from .data import Metadata
from .fonts import BOLD, ITALIC, REGULAR, register_fonts
from .page import (
    PAGE_NUMBER_BASELINE,
    PAGE_NUMBER_WIDTH,
    PORTRAIT,
    PORTRAIT_MARGINS,
    RED,
    Box,
    Margins,
    content_box,
)
from .text import fit

NOTICE_HEIGHT = 30  # the strip kept free at the bottom of every page of a sample, for its notice


def styles() -> dict:
    """Paragraph styles of an administrative document (NĐ 30/2020: 13–14 pt, justified, first line indented
    1–1.27 cm, at least 6 pt between paragraphs)."""
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=14, leading=17, alignment=TA_JUSTIFY,
                          firstLineIndent=1 * 28.35, spaceAfter=6)
    return {
        "body": body,
        "ground": ParagraphStyle("ground", parent=body, fontName=ITALIC),
        "plain": ParagraphStyle("plain", parent=body, firstLineIndent=0),
        "list": ParagraphStyle("list", parent=body, firstLineIndent=0, leftIndent=1 * 28.35, spaceAfter=2),
        "doctype": ParagraphStyle("doctype", parent=body, fontName=BOLD, alignment=TA_CENTER, firstLineIndent=0,
                                  spaceBefore=14, spaceAfter=0),
        "summary": ParagraphStyle("summary", parent=body, fontName=BOLD, alignment=TA_CENTER, firstLineIndent=0,
                                  spaceAfter=0),
        "authority": ParagraphStyle("authority", parent=body, fontName=BOLD, alignment=TA_CENTER,
                                    firstLineIndent=0, spaceBefore=6, spaceAfter=10),
        "heading": ParagraphStyle("heading", parent=body, fontName=BOLD, alignment=TA_LEFT, firstLineIndent=0,
                                  spaceBefore=6, keepWithNext=1),
        "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=12, leading=14.5, alignment=TA_LEFT),
        "cell_centre": ParagraphStyle("cell_centre", fontName=REGULAR, fontSize=12, leading=14.5,
                                      alignment=TA_CENTER),
        "cell_head": ParagraphStyle("cell_head", fontName=BOLD, fontSize=12, leading=14.5, alignment=TA_CENTER),
        "cell_small": ParagraphStyle("cell_small", fontName=REGULAR, fontSize=11, leading=13, alignment=TA_LEFT),
        "cell_small_centre": ParagraphStyle("cell_small_centre", fontName=REGULAR, fontSize=11, leading=13,
                                            alignment=TA_CENTER),
    }


def table_font(size: float = 12) -> tuple:
    """A table style command that sets the cells' font to ours: reportlab's tables set their default font,
    Helvetica, before each cell even when the cell is a paragraph, and Helvetica would then be listed (not
    embedded) among the document's fonts."""
    return ("FONT", (0, 0), (-1, -1), REGULAR, size)


def page_decorator(box: Box, pagesize: tuple[float, float], notice: str | None) -> Callable[[Canvas, object], None]:
    """What every page gets: the sample notice and watermark (if any), and from page 2 its number centred in
    the top margin."""

    def on_page(c: Canvas, doc) -> None:
        c.saveState()
        if notice:
            draw_watermark(c, box)
            size, lines = fit(notice, ITALIC, 11, box.width, min_size=9, max_lines=2)
            y = box.y + (NOTICE_HEIGHT - 4) - size
            for line in lines:
                draw_text(c, line, box.centre, y, ITALIC, size, max_width=box.width, color=RED)
                y -= size * 1.2
        if doc.page > 1:
            draw_text(c, str(doc.page), box.centre, pagesize[1] - PAGE_NUMBER_BASELINE, REGULAR, 13,
                      max_width=PAGE_NUMBER_WIDTH)
        c.restoreState()

    return on_page


def build_pdf(flowables: list, *, created: dt.date, metadata: Metadata, on_page: Callable[[Canvas, object], None],
              pagesize: tuple[float, float], margins: Margins, text_box: Box, spots: list | None = None) -> bytes:
    """Lay ``flowables`` out in ``text_box`` of every page, calling ``on_page`` for each, on our deterministic
    canvas; returns the PDF. ``spots`` (a list) receives where the signature blocks left space to sign."""
    frame = Frame(text_box.x, text_box.y, text_box.width, text_box.height, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0, id="text")
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=pagesize, leftMargin=margins.left, rightMargin=margins.right,
                          topMargin=margins.top, bottomMargin=margins.bottom, invariant=1,
                          title=metadata.title, author=metadata.author, subject=metadata.subject,
                          keywords=list(metadata.keywords), creator=CREATOR, initialFontName=REGULAR)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    made: list = []
    maker = canvas_maker(created, metadata)
    doc.build(flowables, canvasmaker=lambda *a, **k: made.append(maker(*a, **k)) or made[-1])
    if spots is not None:
        spots.extend(spot for canvas in made for spot in canvas.signature_spots)
    return buffer.getvalue()


def build_document(flowables: list, *, created: dt.date, metadata: Metadata, notice: str | None = None,
                   pagesize: tuple[float, float] = PORTRAIT, margins: Margins = PORTRAIT_MARGINS,
                   spots: list | None = None) -> bytes:
    """Lay out ``flowables`` on A4 pages within the margins and return the PDF. Pages from the second carry
    their number centred in the top margin. A ``notice`` (samples) is printed in red at the foot of every page's
    text area, above a large diagonal "BẢN MẪU" drawn under the text."""
    box = content_box(pagesize, margins)
    text_box = Box(box.x, box.y + NOTICE_HEIGHT, box.width, box.height - NOTICE_HEIGHT) if notice else box
    return build_pdf(flowables, created=created, metadata=metadata, on_page=page_decorator(box, pagesize, notice),
                     pagesize=pagesize, margins=margins, text_box=text_box, spots=spots)
