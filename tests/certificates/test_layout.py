"""Measuring and fitting text, Vietnamese dates and numbers, the QR encoder, and the plain input classes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import unicodedata

import pytest
from certkit import certificate, decision, longest, longest_certificate, minutes
from reportlab.graphics.barcode import qrencoder
from reportlab.pdfbase.pdfmetrics import stringWidth

from certificates import certificate as certificate_module
from certificates import data as data_module
from certificates import layout
from certificates.data import CertificateData, Issuer, MinutesData, from_dict


@pytest.mark.parametrize("level", ["commune", "district", "province"])
def test_the_longest_names_fit_their_boxes(level):
    name = longest(level).upper()
    for font, max_size, box in ((layout.BOLD, 30, 300.0), (layout.BOLD, 13, 150.0), (layout.REGULAR, 16, 120.0)):
        size, lines = layout.fit(name, font, max_size, box, min_size=max_size * 0.7, max_lines=2)
        assert size <= max_size
        assert 1 <= len(lines) <= 2
        assert " ".join(lines) == unicodedata.normalize("NFC", name)
        for line in lines:
            assert stringWidth(line, font, size) <= box + 1e-6, (line, size)


def test_fit_keeps_the_largest_size_that_fits_on_one_line():
    size, lines = layout.fit("XÃ ĐẮK RƠ WA", layout.BOLD, 30, 1000)
    assert (size, lines) == (30, ["XÃ ĐẮK RƠ WA"])
    size, lines = layout.fit("PHƯỜNG VĂN MIẾU - QUỐC TỬ GIÁM", layout.BOLD, 30, 400, min_size=20)
    assert len(lines) == 1 and 20 <= size < 30
    assert stringWidth(lines[0], layout.BOLD, size) <= 400
    assert stringWidth(lines[0], layout.BOLD, size + 0.5) > 400


def test_fit_wraps_below_the_minimum_and_still_never_overflows():
    text = "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH"
    size, lines = layout.fit(text, layout.BOLD, 14, 150, min_size=12, max_lines=3)
    assert len(lines) > 1
    assert all(stringWidth(x, layout.BOLD, size) <= 150 for x in lines)
    size, lines = layout.fit(text, layout.BOLD, 14, 40, min_size=12, max_lines=1)
    assert stringWidth(lines[0], layout.BOLD, size) <= 40 + 1e-6


def test_wrap_breaks_between_words():
    lines = layout.wrap("Căn cứ Luật Trẻ em ngày 05 tháng 4 năm 2016", layout.REGULAR, 14, 120)
    assert " ".join(lines) == "Căn cứ Luật Trẻ em ngày 05 tháng 4 năm 2016"
    assert all(stringWidth(x, layout.REGULAR, 14) <= 120 for x in lines)


@pytest.mark.parametrize(("day", "text"), [
    (dt.date(2019, 1, 3), "ngày 03 tháng 01 năm 2019"),
    (dt.date(2024, 2, 29), "ngày 29 tháng 02 năm 2024"),
    (dt.date(2024, 3, 5), "ngày 05 tháng 3 năm 2024"),
    (dt.date(2024, 12, 20), "ngày 20 tháng 12 năm 2024"),
])
def test_dates_as_decree_30_writes_them(day, text):
    assert layout.long_date(day) == text


def test_place_and_short_date():
    assert layout.place_date("Kon Tum", dt.date(2024, 12, 5)) == "Kon Tum, ngày 05 tháng 12 năm 2024"
    assert layout.short_date(dt.date(2025, 7, 1)) == "01/07/2025"


@pytest.mark.parametrize(("value", "text"), [(905, "905"), (1000, "1.000"), (86.5, "86,5"), (None, "—"),
                                             (1234567, "1.234.567"), (12.0, "12")])
def test_numbers_with_vietnamese_separators(value, text):
    assert layout.number_vn(value) == text


def test_the_fast_qr_encoder_gives_reportlabs_codewords():
    rng = random.Random(6)
    for _ in range(60):
        text = f"https://treem.example.gov.vn/verify/{rng.randint(1, 96)}-{rng.randint(2019, 2030)}-" \
               f"{rng.randint(1, 999999):06d}" + "x" * rng.randint(0, 200)
        for level in (qrencoder.QRErrorCorrectLevel.L, qrencoder.QRErrorCorrectLevel.M,
                      qrencoder.QRErrorCorrectLevel.Q, qrencoder.QRErrorCorrectLevel.H):
            fast = layout._QR(None, level)
            fast.addData(text)
            fast.make()
            slow = qrencoder.QRCode(fast.version, level)
            slow.addData(text)
            slow.makeImpl(False, layout._QR.MASK)
            assert fast.modules == slow.modules


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
            skew = layout.SLANT * size * 0.7 if slanted else 0  # how far a slanted line leans out
            if stringWidth(text, font, size) + skew > box + 1e-6:
                out.append(f"{text!r} at {size} pt is {stringWidth(text, font, size):.1f} wide, box {box:.1f}")
        return out


@pytest.mark.parametrize("sample", ["kon tum", "longest", "longest, sample"])
def test_no_line_of_a_certificate_overflows_its_box(monkeypatch, sample):
    recorder = Recorder(layout.draw_text)
    monkeypatch.setattr(certificate_module, "draw_text", recorder)
    monkeypatch.setattr(layout, "draw_text", recorder)
    data = certificate() if sample == "kon tum" else longest_certificate(provisional="sample" in sample)
    certificate_module.certificate_pdf(data)
    drawn = " ".join(t for t, *_ in recorder.calls)
    assert data.commune.upper() in drawn and data.serial in drawn
    assert recorder.overflows() == []


def test_no_header_or_signature_line_overflows(monkeypatch):
    from certificates import decision as decision_module
    from certificates import minutes as minutes_module

    recorder = Recorder(layout.draw_text)
    monkeypatch.setattr(layout, "draw_text", recorder)
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
