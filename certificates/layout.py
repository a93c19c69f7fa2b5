"""What every document shares: the font, page geometry, measuring and fitting text, Vietnamese dates, the QR
code, the sample watermark, and the header and signature blocks that Nghị định 30/2020/NĐ-CP prescribes.

Font: Liberation Serif 2.x (metric-compatible with Times New Roman, every Vietnamese letter), shipped in
``fonts/`` with its licence. reportlab embeds only the glyphs a document uses (subsets), once per document.

Determinism: every canvas is made with ``invariant=1`` and a creation date taken from the data, so the same
input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from reportlab.graphics.barcode import qrencoder
from reportlab.lib.colors import Color, HexColor, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from .data import Issuer, Metadata, nfc

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD, ITALIC, BOLD_ITALIC = "CfcSerif", "CfcSerif-Bold", "CfcSerif-Italic", "CfcSerif-BoldItalic"
FONT_FILES = {
    REGULAR: "LiberationSerif-Regular.ttf",
    BOLD: "LiberationSerif-Bold.ttf",
    ITALIC: "LiberationSerif-Italic.ttf",
    BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}
FAMILY = "CfcSerif"

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


# -------------------------------------------------------------------------------------------------- fonts
_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the four faces once per process (thread-safe)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, filename in FONT_FILES.items():
            # asciiReadable=0: embed only the glyphs used (not all of ASCII besides): <= 40 KB a certificate
            font = TTFont(name, str(FONT_DIR / filename), asciiReadable=0)
            pdfmetrics.registerFont(font)
            if pdfmetrics.getFont(name) is not font:
                # reportlab maps a new name to a font registered earlier with the same face name (another
                # module may have registered "LiberationSerif" from another file, or with other settings):
                # the documents use exactly the shipped file
                pdfmetrics._fonts[name] = font
        pdfmetrics.registerFontFamily(FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)
        _registered = True


def font_face(name: str = REGULAR):
    register_fonts()
    return pdfmetrics.getFont(name).face


def missing_glyphs(text: str, name: str = REGULAR) -> list[str]:
    """The characters of ``text`` (NFC) that the font cannot draw."""
    chars = font_face(name).charToGlyph
    return sorted({ch for ch in nfc(text) if not ch.isspace() and ord(ch) not in chars})


# --------------------------------------------------------------------------------------- measuring text
def width(text: str, font: str, size: float) -> float:
    register_fonts()
    return pdfmetrics.stringWidth(nfc(text), font, size)


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
    Returns (size, lines)."""
    text = nfc(text)
    min_size = min_size if min_size is not None else max_size * 0.6
    size = max_size
    while size >= min_size:
        if width(text, font, size) <= max_width:
            return size, [text]
        size -= 0.5
    for lines_allowed in range(2, max_lines + 1):
        size = max_size
        while size >= min_size:
            lines = wrap(text, font, size, max_width)
            if len(lines) <= lines_allowed and all(width(x, font, size) <= max_width for x in lines):
                return size, lines
            size -= 0.5
    lines = wrap(text, font, min_size, max_width) if max_lines > 1 else [text]
    lines = lines[:max_lines - 1] + [" ".join(lines[max_lines - 1:])] if len(lines) > max_lines else lines
    widest = max(width(x, font, 1.0) for x in lines)
    return min(min_size, max_width / widest), lines


# ------------------------------------------------------------------------------------------ Vietnamese
def long_date(day: dt.date) -> str:
    """"ngày 05 tháng 01 năm 2019": a day below 10 and months 1 and 2 take a leading zero (NĐ 30/2020)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_date(place: str, day: dt.date) -> str:
    return f"{place}, {long_date(day)}"


def short_date(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def number_vn(value: int | float | None) -> str:
    """1234 → "1.234"; 86.5 → "86,5" (Vietnamese separators); None → "—"."""
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    whole, _, frac = f"{value}".partition(".")
    return f"{int(whole):,}".replace(",", ".") + "," + frac


# ------------------------------------------------------------------------------------------------ canvas
CREATOR = "cfc — xã, phường, thị trấn phù hợp với trẻ em"


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


_A85_LOCK = threading.Lock()


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
    if align == "centre":
        c.drawCentredString(x, y, text)
    elif align == "right":
        c.drawRightString(x, y, text)
    else:
        c.drawString(x, y, text)
    if slant:
        c.restoreState()
    return size


def rule(c: Canvas, x_centre: float, y: float, length: float, line_width: float = 0.6, color=black) -> None:
    c.setStrokeColor(color)
    c.setLineWidth(line_width)
    c.line(x_centre - length / 2, y, x_centre + length / 2, y)


# ---------------------------------------------------------------------------------------------- QR code
class _QR(qrencoder.QRCode):
    """reportlab's QR encoder, made fast enough for batch printing (>= 100 certificates a second):

    * one fixed mask pattern: any of the eight is valid for every reader; the search over all eight (each scored
      by the penalty rules) is what made the encoder four times slower;
    * Reed–Solomon error correction with cached generator polynomials (``_error_correction``) instead of
      reportlab's polynomial objects rebuilt for every block. The codewords are the same (tests compare them).
    """

    MASK = 2

    def make(self):
        if self.version is None:
            self.version = self.calculate_version()
        self.dataCache = _codewords(self.version, self.errorCorrectLevel, self.dataList)
        self.makeImpl(False, self.MASK)


_GF_EXP = [0] * 512
_GF_LOG = [0] * 256
_value = 1
for _i in range(255):
    _GF_EXP[_i] = _value
    _GF_LOG[_value] = _i
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D  # the QR code field: x^8 + x^4 + x^3 + x^2 + 1
for _i in range(255, 512):
    _GF_EXP[_i] = _GF_EXP[_i - 255]
_GENERATORS: dict[int, list[int]] = {}


def _generator(n: int) -> list[int]:
    """The Reed–Solomon generator polynomial (x - a^0)…(x - a^(n-1)), highest degree first."""
    if n not in _GENERATORS:
        poly = [1]
        for i in range(n):
            nxt = [0] * (len(poly) + 1)
            for j, coef in enumerate(poly):
                nxt[j] ^= coef
                if coef:
                    nxt[j + 1] ^= _GF_EXP[_GF_LOG[coef] + i]
            poly = nxt
        _GENERATORS[n] = poly
    return _GENERATORS[n]


def _error_correction(data: list[int], n: int) -> list[int]:
    """The ``n`` error-correction codewords of a block (remainder of data·x^n divided by the generator)."""
    gen_logs = [_GF_LOG[g] if g else None for g in _generator(n)[1:]]
    rem = [0] * n
    for byte in data:
        factor = byte ^ rem[0]
        rem = rem[1:] + [0]
        if factor:
            lf = _GF_LOG[factor]
            for i, lg in enumerate(gen_logs):
                if lg is not None:
                    rem[i] ^= _GF_EXP[lg + lf]
    return rem


def _codewords(version: int, level: int, data_list: list) -> list[int]:
    """Data and error-correction codewords, interleaved (what ``QRCode.createData`` computes)."""
    from itertools import zip_longest

    blocks = qrencoder.QRRSBlock.getRSBlocks(version, level)
    buffer = qrencoder.QRBitBuffer()
    for data in data_list:
        data.write(buffer, version)
    capacity = sum(b.dataCount for b in blocks) * 8
    if buffer.getLengthInBits() > capacity:
        raise ValueError(f"QR code data too long ({buffer.getLengthInBits()} > {capacity} bits)")
    if buffer.getLengthInBits() + 4 <= capacity:
        buffer.put(0, 4)
    while buffer.getLengthInBits() % 8:
        buffer.putBit(False)
    pads = (qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1)
    i = 0
    while buffer.getLengthInBits() < capacity:
        buffer.put(pads[i % 2], 8)
        i += 1
    offset, dc, ec = 0, [], []
    for block in blocks:
        part = list(buffer.buffer[offset:offset + block.dataCount])
        offset += block.dataCount
        dc.append(part)
        ec.append(_error_correction(part, block.totalCount - block.dataCount))
    return [x for group in (zip_longest(*dc), zip_longest(*ec)) for row in group for x in row if x is not None]


def qr_matrix(data: str) -> list[list[bool]]:
    code = _QR(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(data.encode("utf-8") if not data.isascii() else data)
    code.make()
    return [list(row) for row in code.modules]


def draw_qr(c: Canvas, data: str, x: float, y: float, size: float, color=black) -> None:
    """A QR code of ``data`` with its lower-left corner at (x, y), ``size`` wide including the quiet zone."""
    modules = qr_matrix(data)
    n = len(modules)
    quiet = 4
    cell = size / (n + 2 * quiet)
    # Drawn in module units (small integers keep the page stream short), one rectangle per horizontal run,
    # rows counted from the top.
    ops = []
    for r, row in enumerate(modules):
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                ops.append(f"{start} {n - 1 - r} {col - start} 1 re")
            else:
                col += 1
    c.saveState()
    c.setFillColor(color)
    c.translate(x + quiet * cell, y + quiet * cell)
    c.scale(cell, cell)
    c.addLiteral(" ".join(ops) + " f")  # one filled path of rectangles, in PDF operators
    c.restoreState()


# ------------------------------------------------------------------------------------------- watermark
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


# ------------------------------------------------------------------------------------ header and signature
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"


class AdminHeader(Flowable):
    """The top of an administrative document (NĐ 30/2020, Phụ lục I): on the left the issuing body (capitals,
    bold, a short rule under it) and the number; on the right the national name and motto (rule under the motto
    as long as it) and the place and date in italics."""

    LEFT_SHARE = 0.40
    GAP = 6

    def __init__(self, body: tuple[str, ...], number: str | None, place_date_line: str,
                 parent: tuple[str, ...] = ()):
        super().__init__()
        self.parent = [nfc(x) for x in parent]
        self.body = [nfc(x) for x in body]
        self.number = nfc(number) if number else None
        self.place_date = nfc(place_date_line)

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self.left_w = avail_width * self.LEFT_SHARE - self.GAP / 2
        self.right_w = avail_width - self.left_w - self.GAP
        self.body_lines: list[tuple[str, str, float]] = []
        for font, group in ((REGULAR, self.parent), (BOLD, self.body)):
            for line in group:
                size, lines = fit(line, font, 13, self.left_w, min_size=11, max_lines=2)
                self.body_lines.extend((x, font, size) for x in lines)
        n_left = len(self.body_lines)
        left_h = n_left * 15.5 + 10 + (20 if self.number else 0)
        right_h = 15.5 + 16.5 + 8 + 20
        self.height = max(left_h, right_h) + 4
        return self.width, self.height

    def draw(self):
        c = self.canv
        top = self.height
        # left: issuing body
        lx = self.left_w / 2
        y = top - 12
        widest = 0.0
        for text, font, size in self.body_lines:
            draw_text(c, text, lx, y, font, size, max_width=self.left_w)
            if font == BOLD:
                widest = max(widest, width(text, BOLD, size))
            y -= 15.5
        rule(c, lx, y + 15.5 - 6.5, min(widest, self.left_w) * 0.4)
        # right: national name and motto
        rx = self.left_w + self.GAP + self.right_w / 2
        draw_text(c, QUOC_HIEU, rx, top - 12, BOLD, 13, max_width=self.right_w)
        tn_size = draw_text(c, TIEU_NGU, rx, top - 12 - 16.5, BOLD, 14, max_width=self.right_w)
        rule(c, rx, top - 12 - 16.5 - 4, width(TIEU_NGU, BOLD, tn_size))
        # number (left) and place, date (right) on one line
        base = min(y - 12, top - 12 - 16.5 - 26)
        if self.number:
            draw_text(c, f"Số: {self.number}", lx, base, REGULAR, 13, max_width=self.left_w)
        draw_text(c, self.place_date, rx, base, ITALIC, 13, max_width=self.right_w)


class SignatureBlock(Flowable):
    """Recipients (Nơi nhận) on the left, the signer's capacity, title and name on the right; the name sits
    under a space for the signature and seal."""

    LEFT_SHARE = 0.45
    SIGN_SPACE = 58

    def __init__(self, signer: Issuer, recipients: tuple[str, ...] = (), left_signer: Issuer | None = None):
        super().__init__()
        self.signer = signer
        self.recipients = [nfc(r) for r in recipients]
        self.left_signer = left_signer

    def _signer_lines(self, signer: Issuer, box_w: float) -> list[tuple[str, str, float]]:
        lines = []
        for text in (signer.signer_capacity, signer.signer_title):
            if text:
                size, parts = fit(text, BOLD, 13, box_w, min_size=10.5, max_lines=2)
                lines.extend((p, BOLD, size) for p in parts)
        return lines

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self.left_w = avail_width * self.LEFT_SHARE
        self.right_w = avail_width - self.left_w
        self.right = self._signer_lines(self.signer, self.right_w)
        self.left_lines = self._signer_lines(self.left_signer, self.left_w) if self.left_signer else []
        self.recipient_lines: list[str] = []
        for i, r in enumerate(self.recipients):
            end = "." if i == len(self.recipients) - 1 else ";"
            for j, line in enumerate(wrap(f"- {r}{end}", REGULAR, 11, self.left_w - 4)):
                self.recipient_lines.append(line if j == 0 else "  " + line)
        right_h = len(self.right) * 16 + self.SIGN_SPACE + 18
        left_h = (14 + len(self.recipient_lines) * 13) if self.recipients else 0
        if self.left_signer:
            left_h = max(left_h, len(self.left_lines) * 16 + self.SIGN_SPACE + 18)
        self.height = max(right_h, left_h) + 6
        return self.width, self.height

    def _draw_signer(self, signer: Issuer, lines, x_centre: float, box_w: float) -> None:
        c = self.canv
        y = self.height - 13
        for text, font, size in lines:
            draw_text(c, text, x_centre, y, font, size, max_width=box_w)
            y -= 16
        y -= self.SIGN_SPACE
        if signer.signer_name:
            draw_text(c, signer.signer_name, x_centre, y, BOLD, 14, max_width=box_w)

    def draw(self):
        c = self.canv
        self._draw_signer(self.signer, self.right, self.left_w + self.right_w / 2, self.right_w)
        if self.left_signer:
            self._draw_signer(self.left_signer, self.left_lines, self.left_w / 2, self.left_w)
        elif self.recipients:
            y = self.height - 13
            draw_text(c, "Nơi nhận:", 0, y, BOLD_ITALIC, 12, align="left", max_width=self.left_w - 4)
            y -= 14
            for line in self.recipient_lines:
                draw_text(c, line, 0, y, REGULAR, 11, align="left", max_width=self.left_w - 4)
                y -= 13


class CentredRule(Flowable):
    """A short centred rule (under a title's summary: 1/3 to 1/2 of its length)."""

    def __init__(self, length: float, space_before: float = 6, space_after: float = 8):
        super().__init__()
        self.length = length
        self.space_before = space_before
        self.space_after = space_after

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self.height = self.space_before + self.space_after
        return self.width, self.height

    def draw(self):
        rule(self.canv, self.width / 2, self.space_after, self.length)


# ------------------------------------------------------------------------------------ flowing documents
def escape(text: str) -> str:
    """Text for a reportlab Paragraph: NFC, with the markup characters escaped."""
    from xml.sax.saxutils import escape as _escape

    return _escape(nfc(text))


def styles() -> dict:
    """Paragraph styles of an administrative document (NĐ 30/2020: 13–14 pt, justified, first line indented
    1–1.27 cm, at least 6 pt between paragraphs)."""
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

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


NOTICE_HEIGHT = 30  # the strip kept free at the bottom of every page of a sample, for its notice


def build_document(flowables: list, *, created: dt.date, metadata: Metadata, notice: str | None = None,
                   pagesize: tuple[float, float] = PORTRAIT, margins: Margins = PORTRAIT_MARGINS) -> bytes:
    """Lay out ``flowables`` on A4 pages within the margins and return the PDF. Pages from the second carry
    their number centred in the top margin. A ``notice`` (samples) is printed in red at the foot of every page's
    text area, above a large diagonal "BẢN MẪU" drawn under the text."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    box = content_box(pagesize, margins)
    text_box = Box(box.x, box.y + NOTICE_HEIGHT, box.width, box.height - NOTICE_HEIGHT) if notice else box

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

    frame = Frame(text_box.x, text_box.y, text_box.width, text_box.height, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0, id="text")
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=pagesize, leftMargin=margins.left, rightMargin=margins.right,
                          topMargin=margins.top, bottomMargin=margins.bottom, invariant=1,
                          title=metadata.title, author=metadata.author, subject=metadata.subject,
                          keywords=list(metadata.keywords), creator=CREATOR, initialFontName=REGULAR)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    doc.build(flowables, canvasmaker=canvas_maker(created, metadata))
    return buffer.getvalue()
