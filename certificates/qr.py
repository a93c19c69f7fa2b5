"""QR codes, encoded by segno and drawn as one filled path.

Fast enough for batch printing (>= 100 certificates a second): segno is asked for one fixed mask pattern (any of
the eight is valid for every reader; the search over all eight, each scored by the penalty rules, takes three
quarters of segno's time), for error correction level M without boosting, and for byte mode (what a URL is
anyway), so that it does no searching at all; the version is the smallest that holds the text.

The matrix is drawn in module units as one path of rectangles, one per horizontal run of dark modules, filled
once. Its operators are written as text (``addLiteral``): reportlab's path object formats every coordinate
through ``fp_str``, which without reportlab's optional C accelerator costs 1.3 ms a code, three times segno's
encoding; small integers written directly keep the page stream short and the same for the same text.
"""

from __future__ import annotations

import re

import segno
from reportlab.lib.colors import black
from reportlab.pdfgen.canvas import Canvas

ERROR = "M"
MASK = 2
MODE = "byte"
QUIET_ZONE = 4  # modules of white around the code, as the standard asks
_DARK_RUN = re.compile(rb"\x01+")


def qr_matrix(data: str) -> tuple[bytearray, ...]:
    """The modules of the QR code of ``data``, row by row from the top: 1 dark, 0 light."""
    return segno.make_qr(data, error=ERROR, mask=MASK, mode=MODE, boost_error=False).matrix


def qr_path(modules: tuple[bytearray, ...]) -> str:
    """The PDF operators of one path: a rectangle per horizontal run of dark modules, in module units with the
    origin at the lower left, then one fill."""
    n = len(modules)
    ops = [f"{run.start()} {n - 1 - r} {run.end() - run.start()} 1 re"
           for r, row in enumerate(modules) for run in _DARK_RUN.finditer(row)]
    return " ".join(ops) + " f"


def draw_qr(c: Canvas, data: str, x: float, y: float, size: float, color=black) -> None:
    """A QR code of ``data`` with its lower-left corner at (x, y), ``size`` wide including the quiet zone."""
    modules = qr_matrix(data)
    cell = size / (len(modules) + 2 * QUIET_ZONE)
    c.saveState()
    c.setFillColor(color)
    c.translate(x + QUIET_ZONE * cell, y + QUIET_ZONE * cell)
    c.scale(cell, cell)
    c.addLiteral(qr_path(modules))
    c.restoreState()
