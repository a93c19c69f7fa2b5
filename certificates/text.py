"""Text as the documents draw it: NFC-normalised, measured in the shipped font, shrunk and wrapped to fit a box,
and escaped for reportlab paragraphs. Numbers arrive as text, written by the application (``certificates.data``)."""

from __future__ import annotations

import functools
from xml.sax.saxutils import escape as _escape

from reportlab.pdfbase import pdfmetrics

from .data import nfc
from .fonts import register_fonts


def width(text: str, font: str, size: float) -> float:
    return _width(nfc(text), font, size)


@functools.lru_cache(maxsize=8192)
def _width(text: str, font: str, size: float) -> float:
    """reportlab measures text in pure Python, one character at a time: a batch measures the same lines of
    every page again, so the widths are remembered."""
    register_fonts()
    return pdfmetrics.stringWidth(text, font, size)


def wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Greedy word wrap; a single word wider than the box stays on its own line (callers shrink first)."""
    lines: list[str] = []
    current = ""
    for word in nfc(text).split():
        trial = f"{current} {word}" if current else word
        if current and width(trial, font, size) > max_width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines or [""]


def fit(text: str, font: str, max_size: float, max_width: float, min_size: float | None = None,
        max_lines: int = 1) -> tuple[float, list[str]]:
    """The largest size (down to ``min_size``, in 0.5 pt steps) at which ``text`` fits ``max_width`` in at most
    ``max_lines`` lines; below ``min_size`` the text keeps shrinking on ``max_lines`` lines so it never overflows.
    Returns (size, lines).

    Remembered for the last few thousand texts: a batch of certificates fits the same national name, motto,
    issuer and date lines on every page."""
    size, lines = _fit(nfc(text), font, max_size, max_width, min_size, max_lines)
    return size, list(lines)


@functools.lru_cache(maxsize=4096)
def _fit(text: str, font: str, max_size: float, max_width: float, min_size: float | None,
         max_lines: int) -> tuple[float, tuple[str, ...]]:
    min_size = min_size if min_size is not None else max_size * 0.6
    size = max_size
    while size >= min_size:
        if width(text, font, size) <= max_width:
            return size, (text,)
        size -= 0.5
    for lines_allowed in range(2, max_lines + 1):
        size = max_size
        while size >= min_size:
            lines = wrap(text, font, size, max_width)
            if len(lines) <= lines_allowed and all(width(x, font, size) <= max_width for x in lines):
                return size, tuple(lines)
            size -= 0.5
    lines = wrap(text, font, min_size, max_width) if max_lines > 1 else [text]
    lines = lines[:max_lines - 1] + [" ".join(lines[max_lines - 1:])] if len(lines) > max_lines else lines
    widest = max(width(x, font, 1.0) for x in lines)
    return min(min_size, max_width / widest), tuple(lines)


def escape(text: str) -> str:
    """Text for a reportlab Paragraph: NFC, with the markup characters escaped."""
    return _escape(nfc(text))


def forget_measurements() -> None:
    """Empty the remembered widths and fits (a benchmark times each phase from the same cold start)."""
    _width.cache_clear()
    _fit.cache_clear()
