"""The blocks of an administrative document that Nghị định 30/2020/NĐ-CP prescribes, as platypus flowables:
the header (issuing body and number beside the national name, motto, place and date), the signature block
(recipients beside the signer) and the short rule under a title."""

from __future__ import annotations

from reportlab.platypus import Flowable

from .canvas import draw_text, rule
from .data import Issuer, nfc
from .fonts import BOLD, BOLD_ITALIC, ITALIC, REGULAR
from .text import fit, width, wrap

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
        if signer is self.signer:  # the space above the body's signer's name: where a digital signature shows
            self._record_spot(x_centre, box_w, y + 15, y + self.SIGN_SPACE + 11)
        if signer.signer_name:
            draw_text(c, signer.signer_name, x_centre, y, BOLD, 14, max_width=box_w)

    def _record_spot(self, x_centre: float, box_w: float, bottom: float, top: float) -> None:
        spots = getattr(self.canv, "signature_spots", None)
        if spots is not None:
            x1, y1 = self.canv.absolutePosition(x_centre - box_w / 2 + 4, bottom)
            x2, y2 = self.canv.absolutePosition(x_centre + box_w / 2 - 4, top)
            spots.append((self.canv.getPageNumber() - 1, (x1, y1, x2, y2)))

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
