"""The shipped font: Liberation Serif 2.x (metric-compatible with Times New Roman) with its licence, and every
Vietnamese letter with every tone mark in each of its four faces."""

from __future__ import annotations

import struct
import unicodedata

import pytest
from certkit import flat_text
from reportlab.pdfbase.ttfonts import TTFontFile

from certificates import canvas, fonts, page, text

VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # ngang, huyền, sắc, hỏi, ngã, nặng
CONSONANTS = "bcdđghklmnpqrstvx"


def vietnamese_letters() -> list[str]:
    """Every Vietnamese letter, lower and upper case: 12 vowels × 6 tones, and the consonants (with đ)."""
    letters = []
    for vowel in VOWELS + VOWELS.upper():
        for tone in TONES:
            letter = unicodedata.normalize("NFC", vowel + tone)
            assert len(letter) == 1, f"{vowel}+{tone!r} has no precomposed form"
            letters.append(letter)
    return letters + list(CONSONANTS + CONSONANTS.upper())


LETTERS = vietnamese_letters()


def test_the_alphabet_is_complete():
    assert len(LETTERS) == 2 * 12 * 6 + 2 * 17
    assert len(set(LETTERS)) == len(LETTERS)
    assert {"ặ", "Ẫ", "ự", "Ỹ", "đ", "Đ", "ở", "Ỡ"} <= set(LETTERS)


@pytest.mark.parametrize("face", sorted(fonts.FONT_FILES))
def test_every_letter_with_every_tone_has_a_glyph(face):
    assert fonts.missing_glyphs("".join(LETTERS), face) == []
    assert fonts.missing_glyphs("–—…“”‘’/.,;:()-", face) == []


@pytest.mark.parametrize("face", sorted(fonts.FONT_FILES))
def test_the_font_is_liberation_serif_2(face):
    """Liberation 1.x lacks most Vietnamese letters: the shipped files must be 2.x."""
    font = TTFontFile(str(fonts.FONT_DIR / fonts.FONT_FILES[face]))
    revision = struct.unpack(">i", font.get_table("head")[4:8])[0] / 65536
    assert revision >= 2.0
    assert font.name.decode().startswith("LiberationSerif")


def test_the_licence_ships_with_the_fonts():
    text = (fonts.FONT_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in text
    assert "Reserved Font Name Liberation" in text
    assert sorted(p.name for p in fonts.FONT_DIR.glob("*.ttf")) == sorted(fonts.FONT_FILES.values())


def test_every_letter_survives_a_pdf_round_trip():
    """Drawn in each face, every letter comes back from the PDF's text layer as the same NFC character."""
    import datetime as dt
    import io

    from certificates.data import Metadata

    buffer = io.BytesIO()
    c = canvas.DocumentCanvas(buffer, pagesize=page.PORTRAIT, created=dt.date(2024, 1, 1),
                              metadata=Metadata(title="Bảng chữ cái"))
    line = " ".join(LETTERS)
    y = 800
    for face in sorted(fonts.FONT_FILES):
        for part in (line[: len(line) // 2], line[len(line) // 2:]):
            size = text.fit(part, face, 12, 460, min_size=4)[0]
            c.setFont(face, size)
            c.drawString(90, y, part)
            y -= 20
    c.showPage()
    c.save()
    words = flat_text(buffer.getvalue()).split()
    for letter in LETTERS:
        assert words.count(letter) == len(fonts.FONT_FILES), letter


def test_an_earlier_registration_of_the_same_face_does_not_replace_the_shipped_font():
    """reportlab maps a new font name to any font registered before with the same face name; the documents
    still use the shipped files (and stay small) when another module registered Liberation Serif first."""
    import subprocess
    import sys

    code = (
        "import sys; sys.path.insert(0, 'tests/certificates')\n"
        "from reportlab.pdfbase import pdfmetrics\n"
        "from reportlab.pdfbase.ttfonts import TTFont\n"
        "from certificates import fonts\n"
        "pdfmetrics.registerFont(TTFont('Other', str(fonts.FONT_DIR / 'LiberationSerif-Regular.ttf')))\n"
        "import certkit\n"
        "from certificates import certificate_pdf\n"
        "size = len(certificate_pdf(certkit.longest_certificate(provisional=True)))\n"
        "font = pdfmetrics.getFont(fonts.REGULAR)\n"
        "print(font.fontName, font._asciiReadable, size)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=fonts.FONT_DIR.parents[1], capture_output=True,
                         text=True, check=True)
    name, readable, size = out.stdout.split()
    assert (name, readable) == (fonts.REGULAR, "0")
    assert int(size) <= 40 * 1024
