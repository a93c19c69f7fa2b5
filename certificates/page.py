"""Page geometry and colours: A4 in both orientations, the margins Nghị định 30/2020/NĐ-CP prescribes, the box
a page leaves for text, and the document colours."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

RED = HexColor("#A4161A")
DARK_RED = HexColor("#7A0F12")
GOLD = HexColor("#B8860B")
WATERMARK = Color(0.80, 0.10, 0.10, alpha=0.16)

PORTRAIT = A4
LANDSCAPE = landscape(A4)


@dataclass(frozen=True)
class Margins:
    top: float
    right: float
    bottom: float
    left: float


# Nghị định 30/2020/NĐ-CP, Phụ lục I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
PORTRAIT_MARGINS = Margins(top=20 * mm, right=15 * mm, bottom=20 * mm, left=30 * mm)
# The certificate is a display document: an even 15 mm outside its frame.
LANDSCAPE_MARGINS = Margins(top=15 * mm, right=15 * mm, bottom=15 * mm, left=15 * mm)
# Page numbers (from page 2) sit centred in the top margin, as Nghị định 30 prescribes.
PAGE_NUMBER_BASELINE = 12 * mm  # from the top edge
PAGE_NUMBER_WIDTH = 40  # points, centred


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.y + self.height

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


def content_box(pagesize: tuple[float, float], margins: Margins) -> Box:
    width, height = pagesize
    return Box(margins.left, margins.bottom, width - margins.left - margins.right,
               height - margins.top - margins.bottom)
