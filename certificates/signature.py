"""Where a document leaves room for its signature, so that a digital signature's visible appearance (signer,
title, issuing body, date) sits in the signature block: ``signable_pdf(kind, fields)`` returns the unsigned PDF
(the same bytes as ``certificate_pdf`` & co.) and a ``SignatureSpot``, the page and rectangle (PDF points, origin
at the bottom left) between the signer's title and name. The flowing documents record it while their
``SignatureBlock`` is drawn; the certificate's is fixed by its layout."""

from __future__ import annotations

import functools
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .certificate import SIGNER_WIDTH, TEXT, certificate_pdf
from .data import CertificateData, DecisionData, MinutesData, RevocationData, from_dict
from .decision import decision_pdf
from .fonts import FONT_DIR, FONT_FILES, REGULAR
from .minutes import minutes_pdf
from .revocation import revocation_pdf


@dataclass(frozen=True)
class SignatureSpot:
    page: int  # from 0
    box: tuple[float, float, float, float]  # x1, y1, x2, y2

    @property
    def font(self) -> str:
        """A TrueType font with every Vietnamese letter, for the signature's appearance."""
        return appearance_font()


# Basic Latin, Latin-1, Latin Extended-A and B, combining marks, Latin Extended Additional (Vietnamese), dashes
APPEARANCE_LETTERS = [*range(0x20, 0x250), *range(0x300, 0x370), *range(0x1E00, 0x1F00), *range(0x2010, 0x2030)]


@functools.cache
def appearance_font() -> str:
    """Our regular face scaled to 1,000 units per em, for the signature's appearance: pyHanko writes a TrueType
    font's glyph widths in the font's own units, which PDF reads as thousandths of an em (Liberation has 2,048:
    the letters of the appearance would stand twice as far apart). Written once into the temporary folder,
    named by the source's hash."""
    from fontTools.subset import Options, Subsetter
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    source = FONT_DIR / FONT_FILES[REGULAR]
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"cfc-appearance-{digest}-4.ttf"
    if not target.exists():
        font = TTFont(str(source))
        if "FFTM" in font:  # FontForge's timestamps, which subsetters warn they drop
            del font["FFTM"]
        subsetter = Subsetter(Options(layout_features=["kern", "liga", "ccmp", "mark", "mkmk"]))
        subsetter.populate(unicodes=APPEARANCE_LETTERS)  # Latin and Vietnamese only: each signature parses it
        subsetter.subset(font)
        scale_upem(font, 1000)
        partial = target.with_suffix(f".{digest}.part")
        font.save(str(partial))
        partial.replace(target)
    return str(target)


# the certificate: under the signer's title (at most two lines from TEXT.y + 102 down), above the name at TEXT.y + 4
CERTIFICATE_SPOT = SignatureSpot(0, (TEXT.right - SIGNER_WIDTH + 30, TEXT.y + 20, TEXT.right - 30, TEXT.y + 66))

FLOWING = {
    "decision": (DecisionData, decision_pdf),
    "revocation": (RevocationData, revocation_pdf),
    "minutes": (MinutesData, minutes_pdf),
}
KINDS = ("certificate", *FLOWING)


def signable_pdf(kind: str, fields) -> tuple[bytes, SignatureSpot]:
    """The ``kind`` document (certificate, decision, revocation, minutes) of plain ``fields`` (a dict, or the
    data class itself), and where its signature goes."""
    if kind == "certificate":
        data = fields if isinstance(fields, CertificateData) else from_dict(CertificateData, fields)
        return certificate_pdf(data), CERTIFICATE_SPOT
    data_class, render = FLOWING[kind]
    spots: list = []
    pdf = render(fields if isinstance(fields, data_class) else from_dict(data_class, fields), spots=spots)
    page, box = spots[0]
    return pdf, SignatureSpot(page, box)


TRIAL_SPOT_BOX = (300.0, 520.0, 540.0, 580.0)


def trial_pdf(issuer: str, day) -> tuple[bytes, SignatureSpot]:
    """A one-page test document ("VĂN BẢN THỬ CHỮ KÝ SỐ") for ``cfc signing test``: the issuing body's name, the
    date, and a framed space where the signature goes."""
    import io

    from .canvas import DocumentCanvas, draw_text
    from .data import Metadata
    from .fonts import BOLD
    from .page import PORTRAIT

    buffer = io.BytesIO()
    meta = Metadata(title="Văn bản thử chữ ký số", author=issuer, subject="cfc signing test", keywords=())
    c = DocumentCanvas(buffer, pagesize=PORTRAIT, created=day, metadata=meta)
    draw_text(c, "VĂN BẢN THỬ CHỮ KÝ SỐ", PORTRAIT[0] / 2, 760, BOLD, 18, max_width=480)
    draw_text(c, issuer, PORTRAIT[0] / 2, 730, REGULAR, 13, max_width=480)
    draw_text(c, f"Ngày {day:%d/%m/%Y}: văn bản này chỉ để thử khóa ký số, không có giá trị pháp lý.",
              PORTRAIT[0] / 2, 700, REGULAR, 12, max_width=480)
    x1, y1, x2, y2 = TRIAL_SPOT_BOX
    c.rect(x1 - 4, y1 - 4, x2 - x1 + 8, y2 - y1 + 8)
    c.showPage()
    c.save()
    return buffer.getvalue(), SignatureSpot(0, TRIAL_SPOT_BOX)
