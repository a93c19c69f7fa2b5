"""Measuring and fitting text, Vietnamese dates and numbers, the QR codes (segno), and the plain input classes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import unicodedata

import pytest
from certkit import certificate, decision, longest, longest_certificate, minutes, need, pages_text
from reportlab.pdfbase.pdfmetrics import stringWidth

from certificates import canvas, dates, flowables, qr
from certificates import certificate as certificate_module
from certificates import data as data_module
from certificates import text as text_module
from certificates.data import CertificateData, Issuer, MinutesData, from_dict
from certificates.fonts import BOLD, REGULAR
from certificates.text import fit, wrap
from engine.numbers import format_number


@pytest.mark.parametrize("level", ["commune", "district", "province"])
def test_the_longest_names_fit_their_boxes(level):
    name = longest(level).upper()
    for font, max_size, box in ((BOLD, 30, 300.0), (BOLD, 13, 150.0), (REGULAR, 16, 120.0)):
        size, lines = fit(name, font, max_size, box, min_size=max_size * 0.7, max_lines=2)
        assert size <= max_size
        assert 1 <= len(lines) <= 2
        assert " ".join(lines) == unicodedata.normalize("NFC", name)
        for line in lines:
            assert stringWidth(line, font, size) <= box + 1e-6, (line, size)


def test_fit_keeps_the_largest_size_that_fits_on_one_line():
    size, lines = fit("XÃ ĐẮK RƠ WA", BOLD, 30, 1000)
    assert (size, lines) == (30, ["XÃ ĐẮK RƠ WA"])
    size, lines = fit("PHƯỜNG VĂN MIẾU - QUỐC TỬ GIÁM", BOLD, 30, 400, min_size=20)
    assert len(lines) == 1 and 20 <= size < 30
    assert stringWidth(lines[0], BOLD, size) <= 400
    assert stringWidth(lines[0], BOLD, size + 0.5) > 400


def test_fit_wraps_below_the_minimum_and_still_never_overflows():
    text = "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH"
    size, lines = fit(text, BOLD, 14, 150, min_size=12, max_lines=3)
    assert len(lines) > 1
    assert all(stringWidth(x, BOLD, size) <= 150 for x in lines)
    size, lines = fit(text, BOLD, 14, 40, min_size=12, max_lines=1)
    assert stringWidth(lines[0], BOLD, size) <= 40 + 1e-6


def test_wrap_breaks_between_words():
    lines = wrap("Căn cứ Luật Trẻ em ngày 05 tháng 4 năm 2016", REGULAR, 14, 120)
    assert " ".join(lines) == "Căn cứ Luật Trẻ em ngày 05 tháng 4 năm 2016"
    assert all(stringWidth(x, REGULAR, 14) <= 120 for x in lines)


@pytest.mark.parametrize(("day", "text"), [
    (dt.date(2019, 1, 3), "ngày 03 tháng 01 năm 2019"),
    (dt.date(2024, 2, 29), "ngày 29 tháng 02 năm 2024"),
    (dt.date(2024, 3, 5), "ngày 05 tháng 3 năm 2024"),
    (dt.date(2024, 12, 20), "ngày 20 tháng 12 năm 2024"),
])
def test_dates_as_decree_30_writes_them(day, text):
    assert dates.long_date(day) == text


def test_place_and_short_date():
    assert dates.place_date("Kon Tum", dt.date(2024, 12, 5)) == "Kon Tum, ngày 05 tháng 12 năm 2024"
    assert dates.short_date(dt.date(2025, 7, 1)) == "01/07/2025"


@pytest.mark.parametrize(("value", "text"), [(905, "905"), (1000, "1.000"), (86.5, "86,5"), (None, "—"),
                                             (1234567, "1.234.567"), (12.0, "12")])
def test_numbers_with_vietnamese_separators(value, text):
    """The documents print numbers as the text they are handed (``certificates`` formats none); the application
    writes that text with ``engine.numbers``."""
    assert format_number(value) == text
    assert not hasattr(text_module, "number_vn") and not hasattr(text_module, "percent_vn")
    pdf = certificate_module.certificate_pdf(certificate(total=text, max_total=format_number(1000)))
    assert f"tổng điểm thẩm định: {text}/1.000" in " ".join(pages_text(pdf))


def _qr_texts() -> list[str]:
    rng = random.Random(6)
    return [f"https://treem.example.gov.vn/verify/{rng.randint(1, 96)}-{rng.randint(2019, 2030)}-"
            f"{rng.randint(1, 999999):06d}" + "x" * rng.randint(0, 200) for _ in range(60)]


def _png(modules, path, scale: int = 4) -> None:
    """The modules as a black-on-white PNG with the quiet zone."""
    from PIL import Image

    n = len(modules) + 2 * qr.QUIET_ZONE
    image = Image.new("1", (n, n), 1)
    for r, row in enumerate(modules):
        for col, dark in enumerate(row):
            if dark:
                image.putpixel((col + qr.QUIET_ZONE, r + qr.QUIET_ZONE), 0)
    image.resize((n * scale, n * scale)).save(path)


def test_qr_codes_read_back_as_their_text(tmp_path):
    """60 codes of 53 to 253 characters (versions 4 to 13), each read back by an independent decoder (zbar)."""
    import subprocess

    texts = _qr_texts()
    paths = []
    for i, text in enumerate(texts):
        paths.append(tmp_path / f"qr-{i:02d}.png")
        _png(qr.qr_matrix(text), paths[-1])
    out = subprocess.run([need("zbarimg", "zbar-tools"), "--quiet", "--raw", *map(str, paths)],
                         capture_output=True, text=True)
    assert out.stdout.splitlines() == texts


def test_qr_codes_use_the_fixed_level_mask_and_mode_and_the_smallest_version():
    import segno

    for text in _qr_texts():
        chosen = segno.make_qr(text, error=qr.ERROR, mask=qr.MASK, mode=qr.MODE, boost_error=False)
        assert (chosen.error, chosen.mask, chosen.mode) == ("M", qr.MASK, "byte")
        searched = segno.make_qr(text, error="M", boost_error=False)  # segno's own choice of version and mask
        assert chosen.version == searched.version
        assert tuple(qr.qr_matrix(text)) == tuple(chosen.matrix)


def test_the_qr_path_fills_exactly_the_dark_modules():
    modules = qr.qr_matrix("https://treem.kontum.gov.vn/verify/62-2024-000123")
    n = len(modules)
    ops = qr.qr_path(modules)
    assert ops.endswith(" re f") and ops.count(" f") == 1  # one path, filled once
    drawn = [[0] * n for _ in range(n)]
    numbers = ops[:-2].replace("re", "").split()
    for i in range(0, len(numbers), 4):
        x, y, w, h = map(int, numbers[i:i + 4])
        assert h == 1
        for col in range(x, x + w):
            assert drawn[n - 1 - y][col] == 0  # runs never overlap
            drawn[n - 1 - y][col] = 1
    assert drawn == [list(row) for row in modules]


def test_inputs_are_nfc_normalised():
    decomposed = unicodedata.normalize("NFD", "Xã Đắk Rơ Wa")
    assert decomposed != "Xã Đắk Rơ Wa"
    cert = certificate(commune=decomposed, issuer=Issuer(body=(unicodedata.normalize("NFD", "TỈNH KON TUM"),),
                                                         place="Kon Tum"))
    assert cert.commune == "Xã Đắk Rơ Wa"
    assert cert.issuer.body == ("TỈNH KON TUM",)
    rows = minutes().criteria
    assert isinstance(rows, tuple) and isinstance(rows[0].indicators, tuple)


def test_from_dict_builds_nested_data_and_refuses_unknown_fields():
    cert = certificate()
    plain = dataclasses.asdict(cert)
    plain["decision_date"] = "2024-12-20"
    plain["issuer"]["body"] = list(plain["issuer"]["body"])
    assert from_dict(CertificateData, plain) == cert
    m = minutes()
    assert from_dict(MinutesData, dataclasses.asdict(m)) == m
    with pytest.raises(TypeError, match="unknown fields colour"):
        from_dict(CertificateData, {**plain, "colour": "red"})
    assert data_module.nfc("Đ") == "Đ"


class Recorder:
    """Wraps ``draw_text`` and checks every line it draws against the box it was given."""

    def __init__(self, original):
        self.original = original
        self.calls: list[tuple[str, str, float, float | None, bool]] = []

    def __call__(self, c, text, x, y, font, size, align="centre", max_width=None, color=None, slant=False):
        kwargs = {"color": color} if color is not None else {}
        used = self.original(c, text, x, y, font, size, align, max_width, slant=slant, **kwargs)
        self.calls.append((unicodedata.normalize("NFC", text), font, used, max_width, slant))
        return used

    def overflows(self) -> list[str]:
        out = []
        for text, font, size, box, slanted in self.calls:
            assert box is not None, f"{text!r} is drawn without a box to fit"
            skew = canvas.SLANT * size * 0.7 if slanted else 0  # how far a slanted line leans out
            if stringWidth(text, font, size) + skew > box + 1e-6:
                out.append(f"{text!r} at {size} pt is {stringWidth(text, font, size):.1f} wide, box {box:.1f}")
        return out


@pytest.mark.parametrize("sample", ["kon tum", "longest", "longest, sample"])
def test_no_line_of_a_certificate_overflows_its_box(monkeypatch, sample):
    recorder = Recorder(canvas.draw_text)
    monkeypatch.setattr(certificate_module, "draw_text", recorder)
    monkeypatch.setattr(canvas, "draw_text", recorder)
    data = certificate() if sample == "kon tum" else longest_certificate(provisional="sample" in sample)
    certificate_module.certificate_pdf(data)
    drawn = " ".join(t for t, *_ in recorder.calls)
    assert data.commune.upper() in drawn and data.serial in drawn
    assert recorder.overflows() == []


def test_no_header_or_signature_line_overflows(monkeypatch):
    from certificates import decision as decision_module
    from certificates import minutes as minutes_module

    recorder = Recorder(canvas.draw_text)
    monkeypatch.setattr(flowables, "draw_text", recorder)
    monkeypatch.setattr(canvas, "draw_text", recorder)
    province = longest("province")
    big = Issuer(body=("ỦY BAN NHÂN DÂN", province.upper()), place=province,
                 authority=f"CHỦ TỊCH ỦY BAN NHÂN DÂN {province.upper()}", signer_capacity="KT. CHỦ TỊCH",
                 signer_title="PHÓ CHỦ TỊCH", signer_name="Tôn Nữ Thị Phương Thảo")
    decision_module.decision_pdf(decision(issuer=big, date=dt.date(2025, 12, 31)))
    minutes_module.minutes_pdf(minutes(appraiser=Issuer(body=("HỘI ĐỒNG THẨM ĐỊNH",),
                                                        parent=(f"UBND {province.upper()}",), place=province,
                                                        signer_capacity="TM. HỘI ĐỒNG", signer_title="CHỦ TỊCH")))
    drawn = [t for t, *_ in recorder.calls]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in drawn and province.upper() in drawn
    assert recorder.overflows() == []
