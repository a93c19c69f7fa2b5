"""The documents as PDFs: the right names, numbers and dates with their diacritics (text read back with pypdf),
the same bytes for the same input, a creation date from the data, the sample watermark, a QR code that reads back
as the verification URL, nothing in the page margins (rendered with pdftoppm), and small files."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from certkit import (
    MM,
    certificate,
    decision,
    flat_text,
    ink_in_margins,
    longest,
    longest_certificate,
    minutes,
    pages_text,
    qr_codes,
    reader,
    render,
)

from certificates import certificate_pdf, certificates_batch_pdf, decision_pdf, minutes_pdf
from certificates.data import Issuer
from certificates.page import LANDSCAPE_MARGINS, PAGE_NUMBER_BASELINE, PORTRAIT, PORTRAIT_MARGINS

DPI = 50
PORTRAIT_MARGIN_BOXES = (PORTRAIT_MARGINS.top, PORTRAIT_MARGINS.right, PORTRAIT_MARGINS.bottom,
                         PORTRAIT_MARGINS.left)
LANDSCAPE_MARGIN_BOXES = (LANDSCAPE_MARGINS.top, LANDSCAPE_MARGINS.right, LANDSCAPE_MARGINS.bottom,
                          LANDSCAPE_MARGINS.left)
# from the second page, Nghị định 30 puts the page number centred in the top margin
_CENTRE = PORTRAIT_MARGINS.left + (PORTRAIT[0] - PORTRAIT_MARGINS.left - PORTRAIT_MARGINS.right) / 2
PAGE_NUMBER_BOX = (_CENTRE - 20, PAGE_NUMBER_BASELINE - 12, _CENTRE + 20, PAGE_NUMBER_BASELINE + 4)


# ------------------------------------------------------------------------------------------- certificate
def test_certificate_text_names_everything_with_diacritics():
    text = flat_text(certificate_pdf(certificate()))
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ KON TUM", "GIẤY CÔNG NHẬN", "XÃ ĐẮK RƠ WA",
                     "Thành phố Kon Tum, Tỉnh Kon Tum",
                     "Đạt tiêu chuẩn xã, phường, thị trấn phù hợp với trẻ em năm 2024",
                     "Theo Quyết định số 125/QĐ-UBND ngày 20 tháng 12 năm 2024",
                     "Bộ tiêu chí: Quyết định 06/QĐ-TTg ngày 03/01/2019 (qd06-2019)", "905/1.000",
                     "Số hiệu: 62-2024-000123", "https://treem.kontum.gov.vn/verify/62-2024-000123",
                     "Kon Tum, ngày 20 tháng 12 năm 2024", "CHỦ TỊCH", "Nguyễn Thị Ngọc Ánh"):
        assert expected in text, expected
    assert "BẢN MẪU" not in text


def test_certificate_is_one_a4_landscape_page_with_metadata_from_the_data():
    pdf = certificate_pdf(certificate())
    r = reader(pdf)
    assert len(r.pages) == 1
    box = r.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    info = r.metadata
    assert info["/CreationDate"].startswith("D:20241220")
    assert "Xã Đắk Rơ Wa" in info["/Title"]
    assert "62-2024-000123" in info["/Subject"]


def test_same_certificate_same_bytes_and_any_change_shows():
    assert certificate_pdf(certificate()) == certificate_pdf(certificate())
    assert certificate_pdf(certificate()) != certificate_pdf(certificate(serial="62-2024-000124"))


def test_a_certificate_without_district_names_the_province_only():
    text = flat_text(certificate_pdf(longest_certificate()))
    assert longest("commune").upper() in text
    assert longest("province") in text
    assert "Đạt tiêu chuẩn xã, phường, đặc khu phù hợp với trẻ em năm 2025" in text
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text


def test_sample_certificate_carries_the_watermark_and_the_notice():
    text = flat_text(certificate_pdf(certificate(provisional=True)))
    assert text.count("BẢN MẪU") >= 2  # the diagonal mark and the notice line
    assert "bộ tiêu chí chưa được đối chiếu với văn bản chính thức" in text


@pytest.mark.parametrize("sample", ["kon tum", "longest", "longest, sample"])
def test_certificate_qr_code_reads_back_as_the_verification_url(tmp_path, sample):
    data = certificate() if sample == "kon tum" else longest_certificate(provisional="sample" in sample)
    (png,) = render(certificate_pdf(data), tmp_path, dpi=150)
    assert qr_codes(png) == [data.verify_url]


@pytest.mark.parametrize("sample", ["kon tum", "longest", "longest, sample"])
def test_nothing_is_drawn_in_the_certificate_margins(tmp_path, sample):
    data = certificate() if sample == "kon tum" else longest_certificate(provisional="sample" in sample)
    (png,) = render(certificate_pdf(data), tmp_path, dpi=DPI)
    assert ink_in_margins(png, LANDSCAPE_MARGIN_BOXES, DPI) == []


def test_the_margin_check_sees_ink(tmp_path):
    """The pixel check itself: a certificate drawn 20 mm to the left does touch the margin."""
    import io

    from certificates import certificate as module
    from certificates.canvas import DocumentCanvas
    from certificates.data import Metadata
    from certificates.page import LANDSCAPE

    buffer = io.BytesIO()
    c = DocumentCanvas(buffer, pagesize=LANDSCAPE, created=dt.date(2024, 1, 1), metadata=Metadata(title="x"))
    c.translate(-20 * MM, 0)
    module.draw_certificate(c, certificate())
    c.showPage()
    c.save()
    (png,) = render(buffer.getvalue(), tmp_path, dpi=DPI)
    assert ink_in_margins(png, LANDSCAPE_MARGIN_BOXES, DPI) != []


def test_a_separate_certificate_stays_small():
    for data in (certificate(), longest_certificate(), longest_certificate(provisional=True)):
        assert len(certificate_pdf(data)) <= 40 * 1024


def test_batch_has_one_page_per_certificate_in_order_and_is_deterministic():
    items = [certificate(serial=f"62-2024-{i:06d}", verify_url=f"https://x.vn/verify/62-2024-{i:06d}",
                         commune=name, decision_date=dt.date(2024, 12, 20 + i % 3))
             for i, name in enumerate(["Xã Đắk Rơ Wa", "Phường Trần Hưng Đạo", "Xã Ngọk Bay", "Xã Ia Chim"],
                                      start=1)]
    seen = []
    pdf = certificates_batch_pdf(items, progress=seen.append)
    assert seen == items
    texts = pages_text(pdf)
    assert len(texts) == 4
    for item, text in zip(items, texts, strict=True):
        assert item.commune.upper() in text and item.serial in text
    assert reader(pdf).metadata["/CreationDate"].startswith("D:20241222")  # the latest decision date
    assert certificates_batch_pdf(items) == pdf
    assert len(pdf) < 4 * len(certificate_pdf(items[0]))  # the font is embedded once for all pages


def test_every_page_of_a_batch_shows_the_parts_drawn_once(tmp_path):
    """The frame, national name, motto and title are one form placed on every page: each page still shows them,
    and its QR code reads back as its own URL."""
    items = [certificate(serial=f"62-2024-{i:06d}", verify_url=f"https://x.vn/verify/62-2024-{i:06d}")
             for i in range(1, 4)]
    pdf = certificates_batch_pdf(items)
    for text in pages_text(pdf):
        flat = " ".join(text.split())
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat and "Độc lập - Tự do - Hạnh phúc" in flat
        assert "GIẤY CÔNG NHẬN" in flat
    pngs = render(pdf, tmp_path, dpi=150)
    assert [qr_codes(png) for png in pngs] == [[i.verify_url] for i in items]


def test_an_empty_batch_is_refused():
    with pytest.raises(ValueError, match="no certificates"):
        certificates_batch_pdf([])


# ---------------------------------------------------------------------------------------------- decision
def test_decision_text_follows_decree_30():
    text = flat_text(decision_pdf(decision()))
    for expected in ("ỦY BAN NHÂN DÂN THÀNH PHỐ KON TUM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "Số: 125/QĐ-UBND", "Kon Tum, ngày 05 tháng 12 năm 2024",
                     "QUYẾT ĐỊNH", "Về việc công nhận xã, phường, thị trấn phù hợp với trẻ em năm 2024",
                     "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ KON TUM", "Căn cứ Luật Trẻ em ngày 05 tháng 4 năm 2016;",
                     "Theo đề nghị của Trưởng phòng Lao động - Thương binh và Xã hội thành phố.", "QUYẾT ĐỊNH:",
                     "Điều 1. Công nhận 03 đơn vị sau đây đạt tiêu chuẩn xã, phường, thị trấn phù hợp với trẻ em "
                     "năm 2024", "Phường Quyết Thắng", "Xã Đắk Rơ Wa", "Xã Ngọk Bay", "905/1.000", "904/1.000",
                     "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.", "Điều 3.", "thi hành Quyết định này/.",
                     "Nơi nhận:", "- Như Điều 3;", "- Lưu: VT, LĐTBXH.", "Nguyễn Thị Ngọc Ánh"):
        assert expected in text, expected
    assert "BẢN MẪU" not in text


def test_decision_order_of_parts():
    text = flat_text(decision_pdf(decision()))
    order = ["ỦY BAN NHÂN DÂN", "Số: 125/QĐ-UBND", "QUYẾT ĐỊNH Về việc", "Căn cứ Luật Tổ chức",
             "Theo đề nghị", "QUYẾT ĐỊNH:", "Điều 1.", "Điều 2.", "Điều 3.", "Nơi nhận:"]
    positions = [text.index(p) for p in order]
    assert positions == sorted(positions)


def test_decision_is_a4_portrait_and_deterministic():
    pdf = decision_pdf(decision())
    box = reader(pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert reader(pdf).metadata["/CreationDate"].startswith("D:20241205")
    assert decision_pdf(decision()) == pdf


def test_long_decision_breaks_pages_with_numbers_and_keeps_every_commune():
    data = decision(120)
    pdf = decision_pdf(data)
    texts = pages_text(pdf)
    assert len(texts) >= 3
    for i, page in enumerate(texts[1:], start=2):
        assert page.split()[0] == str(i) or f"\n{i}\n" in f"\n{page}\n", f"page {i} has no number"
    text = flat_text(pdf)
    assert text.count("Phường Quyết Thắng") == 20
    assert "Công nhận 120 đơn vị" in text


@pytest.mark.parametrize("sample", [False, True])
def test_nothing_is_drawn_in_the_decision_margins(tmp_path, sample):
    province = longest("province")
    issuer = Issuer(body=("ỦY BAN NHÂN DÂN", province.upper()), place=province,
                    authority=f"CHỦ TỊCH ỦY BAN NHÂN DÂN {province.upper()}", signer_capacity="KT. CHỦ TỊCH",
                    signer_title="PHÓ CHỦ TỊCH", signer_name="Tôn Nữ Thị Phương Thảo")
    data = decision(40, issuer=issuer, provisional=sample)
    data = dataclasses.replace(data, communes=tuple(dataclasses.replace(c, name=longest("commune"), district="")
                                                    for c in data.communes))
    pngs = render(decision_pdf(data), tmp_path, dpi=DPI)
    assert len(pngs) >= 2
    for i, png in enumerate(pngs):
        allowed = [PAGE_NUMBER_BOX] if i else []
        assert ink_in_margins(png, PORTRAIT_MARGIN_BOXES, DPI, allowed) == [], png.name


def test_sample_decision_is_marked_on_every_page():
    texts = pages_text(decision_pdf(decision(60, provisional=True)))
    assert len(texts) >= 2
    for page in texts:
        assert "BẢN MẪU" in page
        assert "chưa được đối chiếu với văn bản chính thức" in " ".join(page.split())


# ----------------------------------------------------------------------------------------------- minutes
def test_minutes_show_both_values_points_comments_and_the_panel():
    text = flat_text(minutes_pdf(minutes()))
    for expected in ("UBND HUYỆN ĐẮK GLEI", "HỘI ĐỒNG XÉT DUYỆT", "Đắk Glei, ngày 28 tháng 11 năm 2024", "BIÊN BẢN",
                     "Thẩm định hồ sơ đề nghị công nhận xã, phường, thị trấn phù hợp với trẻ em năm 2024 của Xã "
                     "Đắk Blô", "hồ sơ số 42", "Xã Đắk Blô, Huyện Đắk Glei, Tỉnh Kon Tum",
                     "I. THÀNH PHẦN THAM DỰ", "1. Phó Chủ tịch UBND huyện (Chủ tịch hội đồng)",
                     "3. Trưởng phòng Y tế", "II. KẾT QUẢ THẨM ĐỊNH", "TC01", "Nguồn lực thực hiện quyền trẻ em",
                     "Có kinh phí thực hiện công tác trẻ em", "Chưa có dự toán được duyệt", "86,5", "81,25",
                     "Khảo sát lại 30 hộ", "Tổng điểm xã tự đánh giá: 150/150",
                     "tổng điểm sau thẩm định: 120/150", "ngưỡng công nhận: 100 điểm", "đủ điều kiện",
                     "ĐẠI DIỆN ỦY BAN NHÂN DÂN XÃ ĐẮK BLÔ", "TM. HỘI ĐỒNG"):
        assert expected in text, expected


def test_minutes_of_a_failed_appraisal_give_the_reasons():
    text = flat_text(minutes_pdf(minutes(recognised=False, failed_conditions=(
        "TC13 chưa đạt (40 < 45 điểm)", "tổng điểm 120 dưới ngưỡng 130"), threshold="130")))
    assert "chưa đủ điều kiện" in text
    assert "TC13 chưa đạt (40 < 45 điểm); tổng điểm 120 dưới ngưỡng 130." in text


def test_minutes_are_deterministic_and_dated_from_the_data():
    pdf = minutes_pdf(minutes())
    assert minutes_pdf(minutes()) == pdf
    assert reader(pdf).metadata["/CreationDate"].startswith("D:20241128")


@pytest.mark.parametrize("sample", [False, True])
def test_nothing_is_drawn_in_the_minutes_margins(tmp_path, sample):
    pngs = render(minutes_pdf(minutes(provisional=sample, commune=longest("commune"))), tmp_path, dpi=DPI)
    for i, png in enumerate(pngs):
        allowed = [PAGE_NUMBER_BOX] if i else []
        assert ink_in_margins(png, PORTRAIT_MARGIN_BOXES, DPI, allowed) == [], png.name
