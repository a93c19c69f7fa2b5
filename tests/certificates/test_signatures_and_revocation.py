"""Who signs, and the revocation decision, read back from real PDFs (pdftotext, pdffonts, pdftoppm): the signer's
name under the title of the decision and the certificate (and nothing, but no failure, without one); the
revocation decision's parts; the minutes' chair and members in the signature block, which never stands alone on
a page; a 2,000-character comment that breaks across pages whole; a batch whose author names every issuing
body."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import unicodedata

import pytest
from certkit import (
    certificate,
    decision,
    fonts_used,
    ink_in_margins,
    issuer,
    minutes,
    need,
    reader,
    render,
    revocation,
)

from certificates import certificate_pdf, certificates_batch_pdf, decision_pdf, minutes_pdf, revocation_pdf
from certificates.certificate import batch_author
from certificates.page import PORTRAIT_MARGINS

DPI = 50
MARGINS = (PORTRAIT_MARGINS.top, PORTRAIT_MARGINS.right, PORTRAIT_MARGINS.bottom, PORTRAIT_MARGINS.left)
COMMENT_MAX = 2000  # dossiers.service.decisions.COMMENT_MAX: the longest comment an appraiser can save


def pdftotext(pdf: bytes, tmp_path, name: str = "doc") -> list[str]:
    """Each page's text as poppler's pdftotext reads it (NFC, runs of white space made one space)."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    out = subprocess.run([need("pdftotext", "poppler-utils"), str(source), "-"], capture_output=True, check=True,
                         text=True).stdout
    return [" ".join(unicodedata.normalize("NFC", page).split()) for page in out.split("\f")[:-1]]


def pdffonts(pdf: bytes, tmp_path, name: str = "doc") -> list[tuple[str, str]]:
    """(font name, embedded yes/no) of every font, as poppler's pdffonts lists them."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    out = subprocess.run([need("pdffonts", "poppler-utils"), str(source)], capture_output=True, check=True,
                         text=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    return [(row[0], row[-5]) for row in rows]


def missing_in_order(text: str, parts: list[str]) -> list[str]:
    """The parts not found in ``text`` in the given order (each searched after the previous one)."""
    missing, at = [], 0
    for part in parts:
        found = text.find(part, at)
        if found < 0:
            missing.append(part)
        else:
            at = found + len(part)
    return missing


def every_font_embedded(pdf: bytes, tmp_path, name: str) -> None:
    fonts = pdffonts(pdf, tmp_path, name)
    assert fonts and all(embedded == "yes" for _font, embedded in fonts), fonts
    assert {font.split("+")[-1] for font, _ in fonts} <= {"LiberationSerif", "LiberationSerif-Bold",
                                                          "LiberationSerif-Italic", "LiberationSerif-BoldItalic"}
    assert all(embedded for _font, embedded in fonts_used(pdf))


# ------------------------------------------------------------------------------------------------ signers
def test_the_decision_prints_the_signers_name_under_the_title(tmp_path):
    pdf = decision_pdf(decision(issuer=issuer("Thành phố Kon Tum", "Kon Tum", "Nguyễn Văn Minh")))
    text = " ".join(pdftotext(pdf, tmp_path))
    assert re.search(r"CHỦ TỊCH .*Nguyễn Văn Minh", text.split("Nơi nhận:")[-1])
    every_font_embedded(pdf, tmp_path, "decision")


def test_the_certificate_prints_the_signers_name_and_a_deputy_signs_for_the_head(tmp_path):
    deputy = issuer("Thành phố Kon Tum", "Kon Tum", "Trần Thị Hạnh", "KT. CHỦ TỊCH")
    pdf = certificate_pdf(certificate(issuer=deputy))
    text = " ".join(pdftotext(pdf, tmp_path))
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text and "Trần Thị Hạnh" in text
    every_font_embedded(pdf, tmp_path, "certificate")


@pytest.mark.parametrize("render_document", [decision_pdf, certificate_pdf, revocation_pdf],
                         ids=["decision", "certificate", "revocation"])
def test_without_a_signer_the_title_stands_and_no_name_is_printed(tmp_path, render_document):
    """A dossier decided before signers were recorded, with none configured: room to sign, no failure."""
    maker = {decision_pdf: decision, certificate_pdf: certificate, revocation_pdf: revocation}[render_document]
    data = maker(issuer=issuer("Thành phố Kon Tum", "Kon Tum", ""))
    text = " ".join(pdftotext(render_document(data), tmp_path))
    assert "CHỦ TỊCH" in text and "Nguyễn" not in text


# --------------------------------------------------------------------------------------------- revocation
def test_the_revocation_decision_names_what_it_revokes_why_and_who_signs(tmp_path):
    pdf = revocation_pdf(revocation())
    (text,) = pdftotext(pdf, tmp_path)
    order = ["ỦY BAN NHÂN DÂN THÀNH PHỐ KON TUM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 45/QĐ-UBND",
             "Kon Tum, ngày 14 tháng 3 năm 2025", "QUYẾT ĐỊNH",
             "Về việc thu hồi công nhận Xã Đắk Rơ Wa đạt tiêu chuẩn xã, phường, thị trấn phù hợp với trẻ em năm "
             "2024", "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ KON TUM", "Căn cứ Luật Trẻ em ngày 05 tháng 4 năm 2016;",
             "Theo đề nghị của Trưởng phòng Lao động", "QUYẾT ĐỊNH:",
             "Điều 1. Thu hồi công nhận Xã Đắk Rơ Wa (Thành phố Kon Tum, Tỉnh Kon Tum) đạt tiêu chuẩn xã, "
             "phường, thị trấn phù hợp với trẻ em năm 2024 tại Quyết định số 125/QĐ-UBND ngày 20 tháng 12 năm "
             "2024.",
             "Lý do thu hồi: Kiểm tra sau công nhận phát hiện số liệu tiêm chủng không đúng thực tế.",
             "Điều 2. Quyết định này có hiệu lực kể từ ngày ký. Giấy công nhận số hiệu 62-2024-000123",
             "Điều 3.", "Chủ tịch Ủy ban nhân dân xã Đắk Rơ Wa", "thi hành Quyết định này/.", "Nơi nhận:",
             "CHỦ TỊCH", "Nguyễn Thị Ngọc Ánh"]
    assert missing_in_order(text, order) == []
    assert "- Như Điều 3; - Sở Lao động - Thương binh và Xã hội tỉnh Kon Tum (để báo cáo); - Lưu: VT, LĐTBXH." in text
    assert "BẢN MẪU" not in text
    info = reader(pdf).metadata
    assert info["/CreationDate"].startswith("D:20250314") and "45/QĐ-UBND" in info["/Title"]
    assert info["/Author"] == "ỦY BAN NHÂN DÂN THÀNH PHỐ KON TUM"
    assert revocation_pdf(revocation()) == pdf
    every_font_embedded(pdf, tmp_path, "revocation")


def test_a_revocation_without_a_certificate_or_reason_leaves_those_sentences_out(tmp_path):
    (text,) = pdftotext(revocation_pdf(revocation(certificate_serial="", reason="")), tmp_path)
    assert "Giấy công nhận số hiệu" not in text and "Lý do thu hồi" not in text
    assert "Điều 2. Quyết định này có hiệu lực kể từ ngày ký. Điều 3." in text


@pytest.mark.parametrize("sample", [False, True])
def test_nothing_is_drawn_in_the_revocation_margins(tmp_path, sample):
    long_reason = "Số liệu tiêm chủng, khai sinh và khám sức khỏe định kỳ không đúng thực tế; " * 20
    pngs = render(revocation_pdf(revocation(provisional=sample, reason=long_reason)), tmp_path, dpi=DPI)
    assert len(pngs) >= 2
    for i, png in enumerate(pngs):
        allowed = [(250, 20, 345, 45)] if i else []  # the page number, centred in the top margin
        assert ink_in_margins(png, MARGINS, DPI, allowed) == [], png.name


# ---------------------------------------------------------------------------------------------- minutes
PANEL = ("Nguyễn Văn Hùng, Phó Chủ tịch UBND huyện (Chủ tịch hội đồng)",
         "Trần Thị Lan, Trưởng phòng Lao động - TB&XH", "Lê Văn Tâm, Trưởng phòng Y tế")


def signed_minutes(**changes):
    chair = dataclasses.replace(minutes().appraiser, signer_name="Nguyễn Văn Hùng, Phó Chủ tịch UBND huyện")
    fields = dict(appraiser=chair, panel_members=PANEL, member_signers=PANEL[1:])
    fields.update(changes)
    return minutes(**fields)


def test_the_minutes_are_signed_by_the_chair_and_every_member_by_name(tmp_path):
    pdf = minutes_pdf(signed_minutes())
    text = " ".join(pdftotext(pdf, tmp_path))
    signatures = text[text.index("TM. HỘI ĐỒNG"):]
    assert re.search(r"CHỦ TỊCH .*Nguyễn Văn Hùng, Phó Chủ tịch UBND huyện", signatures)
    assert "CÁC THÀNH VIÊN HỘI ĐỒNG" in signatures
    for member in PANEL[1:]:
        assert member in signatures
    assert "(Chủ tịch hội đồng)" not in signatures  # the mark is for the attendance list only
    every_font_embedded(pdf, tmp_path, "minutes")


@pytest.mark.parametrize("attending", range(0, 42, 2))
def test_the_minutes_signatures_never_stand_alone_on_a_page(tmp_path, attending):
    """However long the attendance list (which moves where the conclusion falls), the page that carries the
    signatures also carries the paragraph before them. (Kept apart, the signatures stood alone on the last
    page with 30 to 34 more people attending.)"""
    panel = PANEL + tuple(f"Thành viên số {i}, chuyên viên phòng Lao động - Thương binh và Xã hội"
                          for i in range(attending))
    pages = pdftotext(minutes_pdf(signed_minutes(panel_members=panel)), tmp_path)
    (signed,) = [page for page in pages if "TM. HỘI ĐỒNG" in page]
    assert "Biên bản được lập thành 02 bản" in signed


def numbered_comment(length: int = COMMENT_MAX) -> tuple[str, list[str]]:
    """A comment of exactly ``length`` characters made of numbered Vietnamese words ("đoạn001 đoạn002 …")."""
    words = [f"đoạn{i:03d}" for i in range(1, length // 8 + 2)]
    text = " ".join(words)[:length]
    return text, re.findall(r"đoạn\d{3}", text)


def test_a_comment_of_2000_characters_breaks_across_pages_and_every_word_is_printed(tmp_path):
    text, words = numbered_comment()
    assert len(text) == COMMENT_MAX
    first = minutes().criteria[0]
    long_row = dataclasses.replace(first.indicators[1], comment=text)
    crit = dataclasses.replace(first, indicators=(first.indicators[0], long_row))
    data = minutes(criteria=(crit, *minutes().criteria[1:]))
    pdf = minutes_pdf(data)
    pages = pdftotext(pdf, tmp_path)
    assert len(pages) >= 3
    printed = re.findall(r"đoạn\d{3}", " ".join(pages))
    assert printed == words  # every word, once, in order
    holding = [i for i, page in enumerate(pages) if "đoạn" in page]
    assert len(holding) >= 2  # the comment broke across pages
    assert all("Ý kiến thẩm định" in pages[i] for i in holding)  # the table's header is repeated
    for i, png in enumerate(render(pdf, tmp_path, dpi=DPI)):
        allowed = [(250, 20, 345, 45)] if i else []
        assert ink_in_margins(png, MARGINS, DPI, allowed) == [], png.name


def test_long_comments_in_every_row_still_render(tmp_path):
    text, _words = numbered_comment()
    crits = tuple(dataclasses.replace(c, indicators=tuple(dataclasses.replace(i, comment=text)
                                                          for i in c.indicators)) for c in minutes().criteria)
    pages = pdftotext(minutes_pdf(minutes(criteria=crits)), tmp_path)
    assert len(re.findall(r"đoạn\d{3}", " ".join(pages))) == 3 * len(re.findall(r"đoạn\d{3}", text))


# ------------------------------------------------------------------------------------------------- batch
def test_a_batch_names_every_issuing_body_as_its_author():
    city = certificate(serial="62-2024-000001")
    glei = certificate(serial="62-2024-000002", commune="Xã Đắk Blô", district="Huyện Đắk Glei",
                       issuer=issuer("Huyện Đắk Glei", "Đắk Glei"))
    pdf = certificates_batch_pdf([city, glei, dataclasses.replace(city, serial="62-2024-000003")])
    assert reader(pdf).metadata["/Author"] == "ỦY BAN NHÂN DÂN THÀNH PHỐ KON TUM; ỦY BAN NHÂN DÂN HUYỆN ĐẮK GLEI"
    assert batch_author([city, city]) == "ỦY BAN NHÂN DÂN THÀNH PHỐ KON TUM"
    assert reader(pdf).metadata["/Creator"].startswith("cfc")


@pytest.mark.parametrize("communes", range(1, 40, 2))
def test_the_decisions_signature_never_stands_alone_on_a_page(tmp_path, communes):
    pages = pdftotext(decision_pdf(decision(communes)), tmp_path)
    (signed,) = [page for page in pages if "Nơi nhận:" in page]
    assert "Điều 3." in signed
