"""The deterministic canvas every document is drawn on, and what is drawn straight on it: a line of text fitted
to its box, a short rule, and the sample watermark.

Determinism: every canvas is made with ``invariant=1`` and a creation date taken from the data, so the same
input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Callable

from reportlab import rl_config
from reportlab.lib.colors import black
from reportlab.pdfgen.canvas import Canvas

from .data import Metadata, nfc
from .fonts import BOLD, REGULAR, register_fonts
from .page import WATERMARK, Box
from .text import fit, width

CREATOR = "cfc — xã, phường, thị trấn phù hợp với trẻ em"
_A85_LOCK = threading.Lock()


class DocumentCanvas(Canvas):
    """A reportlab canvas that is deterministic: invariant mode, creation date from the data, our font first."""

    def __init__(self, filename, *args, created: dt.date, metadata: Metadata, **kwargs):
        register_fonts()
        kwargs["invariant"] = 1
        kwargs["initialFontName"] = REGULAR
        kwargs.setdefault("pageCompression", 1)
        kwargs["lang"] = "vi-VN"
        super().__init__(filename, *args, **kwargs)
        stamp = f"D:{created:%Y%m%d}000000+07'00'"
        self.setDateFormatter(lambda *_parts: stamp)
        self.setTitle(metadata.title)
        self.setAuthor(metadata.author)
        self.setSubject(metadata.subject)
        self.setCreator(CREATOR)
        if metadata.keywords:
            self.setKeywords(", ".join(metadata.keywords))
        # (page index, (x1, y1, x2, y2)) of each space left for a signature, as drawn (certificates.signature)
        self.signature_spots: list[tuple[int, tuple[float, float, float, float]]] = []

    def save(self):
        """Write the PDF with page streams only Flate-compressed: reportlab's default also wraps them in
        ASCII85, which makes them a quarter larger and, in pure Python, is the slowest step of a batch. The
        switch is module-global in reportlab, so it is flipped under a lock for the time of the write."""
        with _A85_LOCK:
            saved = rl_config.useA85
            rl_config.useA85 = 0
            try:
                super().save()
            finally:
                rl_config.useA85 = saved


def canvas_maker(created: dt.date, metadata: Metadata) -> Callable[..., DocumentCanvas]:
    def make(filename, *args, **kwargs):
        return DocumentCanvas(filename, *args, created=created, metadata=metadata, **kwargs)

    return make


SLANT = 0.2  # tan(11.3°): the skew of a slanted (oblique) line


def draw_text(c: Canvas, text: str, x: float, y: float, font: str, size: float, align: str = "centre",
              max_width: float | None = None, color=black, slant: bool = False) -> float:
    """Draw one line (shrunk to ``max_width`` when given); returns the size used.

    ``slant`` draws the upright face obliquely: the certificate uses it instead of the italic face, so that a
    separately printed certificate embeds two faces, not three (<= 40 KB a file). The slanted line stays inside
    its box: the skew is centred on the line's middle height."""
    text = nfc(text)
    if max_width is not None:
        available = max_width - (SLANT * size * 0.7 if slant else 0)
        size = min(size, fit(text, font, size, available, min_size=1, max_lines=1)[0])
    c.setFillColor(color)
    c.setFont(font, size)
    if slant:
        c.saveState()
        c.transform(1, 0, SLANT, 1, -SLANT * (y + size * 0.35), 0)
    # what drawCentredString and drawRightString do, with the width measured once (and remembered)
    shift = {"centre": 0.5, "right": 1.0}.get(align, 0.0) * width(text, font, size)
    line = c.beginText(x - shift, y)
    line.textLine(text)
    c.drawText(line)
    if slant:
        c.restoreState()
    return size


def rule(c: Canvas, x_centre: float, y: float, length: float, line_width: float = 0.6, color=black) -> None:
    c.setStrokeColor(color)
    c.setLineWidth(line_width)
    c.line(x_centre - length / 2, y, x_centre + length / 2, y)


SAMPLE_MARK = "BẢN MẪU"


def sample_notice(criteria_version: str) -> str:
    return nfc(f"BẢN MẪU — bộ tiêu chí {criteria_version} còn tạm thời, chưa được đối chiếu với văn bản chính "
               "thức; văn bản này không có giá trị pháp lý.")


def draw_watermark(c: Canvas, box: Box, angle: float = 35.0) -> None:
    """A large diagonal "BẢN MẪU", sized so that its rotated outline stays inside ``box``."""
    rad = math.radians(angle)
    unit_w = width(SAMPLE_MARK, BOLD, 1.0)
    unit_h = 0.97  # capital height (0.66 em) plus the hook above Ả and the dot below Ẫ, per point of size
    size = min(box.width / (unit_w * math.cos(rad) + unit_h * math.sin(rad)),
               box.height / (unit_w * math.sin(rad) + unit_h * math.cos(rad))) * 0.92
    c.saveState()
    c.setFillColor(WATERMARK)
    c.translate(box.centre, box.y + box.height / 2)
    c.rotate(angle)
    c.setFont(BOLD, size)
    c.drawCentredString(0, -size * 0.30, SAMPLE_MARK)
    c.restoreState()
