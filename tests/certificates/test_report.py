"""The province report as a PDF from plain data: its text with diacritics, the figures it is handed (shares,
targets, bins, criteria), its charts' labels, the same bytes for the same data, a creation date from the data,
only the shipped font, and nothing in the page margins."""

from __future__ import annotations

import dataclasses

import pytest
from certkit import fonts_used, ink_in_margins, pages_text, province_report, reader, render

from certificates import (
    ProvinceReportData,
    ReportGroup,
    certificate_pdf,
    decision_pdf,
    from_dict,
    minutes_pdf,
    province_report_pdf,
)
from certificates.report import MARGINS

DPI = 50


def test_the_pdf_draws_vietnamese_text_tables_and_charts():
    data = province_report_pdf(province_report())
    assert data.startswith(b"%PDF")
    text = "\n".join(pages_text(data))
    for expected in ("BÁO CÁO KẾT QUẢ ĐÁNH GIÁ", "Tỉnh Kon Tum", "Huyện Đắk Glei", "Thành phố Kon Tum", "66,7 %",
                     "8,3 %", "mục tiêu 2025: 65 %", "mục tiêu 2030: 75 %", "Phân bố điểm", "950–1.000",
                     "Tiêu chí thường chưa đạt điểm tối đa", "TC13", "Phường Quang Trung", "Được công nhận",
                     "chưa có hồ sơ", "thẩm định", "TẠM THỜI", "Trang 1", "Trang 2"):
        assert expected in text, expected
    assert "15 xã, phường" not in text  # totals are per province: 33 communes
    flat = " ".join(text.split())
    assert "Toàn tỉnh có 33 xã, phường; 18 đã được đánh giá; 15 được công nhận" in flat
    assert "(65 % vào năm 2025) chưa đạt: cần thêm 7 xã, phường được công nhận." in flat
    assert "Mục tiêu 2025 (65 %) Mục tiêu 2030 (75 %)" in flat


def test_a_met_target_says_so_and_asks_for_nothing_more():
    total = ReportGroup("Toàn tỉnh: Tỉnh Kon Tum", "10", "9", "8", 80.0, "80 %")
    flat = " ".join(" ".join(pages_text(province_report_pdf(province_report(
        total=dataclasses.asdict(total), still_needed="0", target={"year": 2030, "percent": 75})))).split())
    assert "mục tiêu áp dụng cho kỳ này (75 % vào năm 2030) đã đạt." in flat
    assert "cần thêm" not in flat


def test_without_a_provisional_version_there_is_no_warning():
    assert "TẠM THỜI" not in " ".join(pages_text(province_report_pdf(province_report(provisional=False))))


def test_same_report_same_bytes_dated_from_the_data():
    pdf = province_report_pdf(province_report())
    assert province_report_pdf(province_report()) == pdf
    info = reader(pdf).metadata
    assert info["/CreationDate"].startswith("D:20241201")
    assert info["/Title"] == "Báo cáo Tỉnh Kon Tum năm 2024"
    assert province_report_pdf(province_report(actor="pa")) != pdf


def test_the_plain_dicts_build_the_report_and_unknown_fields_are_refused():
    report = province_report()
    assert isinstance(report.groups, tuple) and isinstance(report.groups[0], ReportGroup)
    assert report.target.percent == 65 and report.bins[0].label == "< 700"
    with pytest.raises(TypeError, match="unknown fields colour"):
        from_dict(ProvinceReportData, {**dataclasses.asdict(report), "colour": "red"})


@pytest.mark.parametrize("document", ["certificate", "decision", "minutes", "report"])
def test_every_document_uses_only_the_embedded_shipped_font(document):
    """No Helvetica, not even an unused reference: reportlab's tables and charts start in it unless told."""
    import certkit

    pdf = {"certificate": lambda: certificate_pdf(certkit.certificate(provisional=True)),
           "decision": lambda: decision_pdf(certkit.decision(40, provisional=True)),
           "minutes": lambda: minutes_pdf(certkit.minutes(provisional=True)),
           "report": lambda: province_report_pdf(province_report())}[document]()
    fonts = fonts_used(pdf)
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert {name for name, _ in fonts} <= {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic",
                                           "LiberationSerif-BoldItalic"}


def test_nothing_is_drawn_in_the_report_margins_but_the_footer(tmp_path):
    pngs = render(province_report_pdf(province_report()), tmp_path, dpi=DPI)
    assert len(pngs) == 2
    width = 595
    footer = (MARGINS.left - 2, 842 - 10 * 72 / 25.4 - 9, width - MARGINS.right + 2, 842 - 10 * 72 / 25.4 + 3)
    for png in pngs:
        assert ink_in_margins(png, (MARGINS.top, MARGINS.right, MARGINS.bottom, MARGINS.left), DPI, [footer]) == []


def test_the_report_says_when_in_vietnams_local_time_and_who_by_full_name():
    pdf = province_report_pdf(province_report(generated_at="2026-12-03T02:47+00:00", actor="Nguyễn Văn An"))
    text = " ".join(" ".join(pages_text(pdf)).split())
    assert "lập lúc 03/12/2026 09:47 (giờ Việt Nam, UTC+07:00) bởi Nguyễn Văn An" in text
    assert "2026-12-03T02:47" not in text
