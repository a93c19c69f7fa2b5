"""The one font of every document: Liberation Serif 2.x (metric-compatible with Times New Roman, every
Vietnamese letter), shipped in ``fonts/`` with its licence and registered with reportlab once per process.

reportlab embeds only the glyphs a document uses (subsets), once per document. Helvetica, reportlab's default,
has no Vietnamese letters: nothing here falls back to it.
"""

from __future__ import annotations

import threading
import unicodedata
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD, ITALIC, BOLD_ITALIC = "CfcSerif", "CfcSerif-Bold", "CfcSerif-Italic", "CfcSerif-BoldItalic"
FONT_FILES = {
    REGULAR: "LiberationSerif-Regular.ttf",
    BOLD: "LiberationSerif-Bold.ttf",
    ITALIC: "LiberationSerif-Italic.ttf",
    BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}
FAMILY = "CfcSerif"

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
    return sorted({ch for ch in unicodedata.normalize("NFC", text) if not ch.isspace() and ord(ch) not in chars})
