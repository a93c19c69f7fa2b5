"""Helpers for the document tests: sample inputs (with the longest names of the official lists, and a province
report as the application hands it over: every printed number already written as text), text extraction
(pypdf), rendering to PNG (pdftoppm, Debian package poppler-utils), reading QR codes (zbarimg, Debian package
zbar-tools) and the pixel check that nothing is drawn in a page's margins."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from certificates.data import (
    CertificateData,
    CriterionRow,
    DecisionData,
    IndicatorRow,
    Issuer,
    MinutesData,
    RecognisedCommune,
    RevocationData,
    from_dict,
)
from certificates.report_data import ProvinceReportData

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "dossiers" / "data"
MM = 72 / 25.4
VERSION = "Quyết định 06/QĐ-TTg ngày 03/01/2019 (qd06-2019)"
GROUNDS = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Căn cứ Luật Trẻ em ngày 05 tháng 4 năm 2016;",
    "Căn cứ Quyết định số 06/QĐ-TTg ngày 03 tháng 01 năm 2019 của Thủ tướng Chính phủ ban hành Quy định tiêu "
    "chuẩn, trình tự đánh giá và công nhận xã, phường, thị trấn phù hợp với trẻ em;",
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def longest(level: str) -> str:
    """The longest name of a level in the data files (dossiers/data/*.csv)."""
    names = []
    for path in sorted(DATA.glob("*.csv")):
        with open(path, encoding="utf-8") as fh:
            names += [r["name"] for r in csv.DictReader(fh) if r["level"] == level]
    return max(names, key=lambda n: (len(n), n))


def place_of(province: str) -> str:
    for kind in ("Thành phố ", "Tỉnh "):
        if province.startswith(kind) and province[len(kind):] != "Hồ Chí Minh":
            return province[len(kind):]
    return province


def issuer(unit: str = "Huyện Đắk Glei", place: str = "Đắk Glei", signer: str = "Nguyễn Thị Ngọc Ánh",
           capacity: str = "") -> Issuer:
    upper = unit.upper()
    return Issuer(body=("ỦY BAN NHÂN DÂN", upper), place=place, authority=f"CHỦ TỊCH ỦY BAN NHÂN DÂN {upper}",
                  signer_capacity=capacity, signer_title="PHÓ CHỦ TỊCH" if capacity else "CHỦ TỊCH",
                  signer_name=signer)


def certificate(**changes) -> CertificateData:
    fields = dict(
        serial="62-2024-000123", verify_url="https://treem.kontum.gov.vn/verify/62-2024-000123",
        commune="Xã Đắk Rơ Wa", district="Thành phố Kon Tum", province="Tỉnh Kon Tum", year=2024,
        unit_phrase="xã, phường, thị trấn", criteria_version=VERSION, decision_number="125/QĐ-UBND",
        decision_date=dt.date(2024, 12, 20), issuer=issuer("Thành phố Kon Tum", "Kon Tum"), total="905",
        max_total="1.000", provisional=False,
    )
    fields.update(changes)
    return CertificateData(**fields)


def longest_certificate(**changes) -> CertificateData:
    """The longest commune and province names of the data, with the longest issuer and a vice-chairman."""
    province = longest("province")
    serial = "79-2025-000001"
    fields = dict(commune=longest("commune"), district="", province=province, year=2025,
                  unit_phrase="xã, phường, đặc khu", serial=serial,
                  verify_url=f"https://dich-vu-cong.tre-em.example.gov.vn/xac-minh/verify/{serial}",
                  issuer=issuer(province, place_of(province), "Tôn Nữ Thị Phương Thảo", "KT. CHỦ TỊCH"),
                  decision_number="1234/QĐ-UBND", decision_date=dt.date(2025, 12, 31))
    fields.update(changes)
    return certificate(**fields)


def decision(n: int = 3, **changes) -> DecisionData:
    communes = tuple(
        RecognisedCommune(name=name, district="Thành phố Kon Tum", province="Tỉnh Kon Tum", total=str(905 - i),
                          threshold="850", max_total="1.000")
        for i, name in enumerate(["Phường Quyết Thắng", "Xã Đắk Rơ Wa", "Xã Ngọk Bay", "Xã Ia Chim",
                                  "Phường Trần Hưng Đạo", "Xã Đoàn Kết"] * (n // 6 + 1))
    )[:n]
    fields = dict(
        number="125/QĐ-UBND", date=dt.date(2024, 12, 5), issuer=issuer("Thành phố Kon Tum", "Kon Tum"), year=2024,
        unit_phrase="xã, phường, thị trấn", grounds=GROUNDS,
        proposal="Theo đề nghị của Trưởng phòng Lao động - Thương binh và Xã hội thành phố.",
        executors="Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân thành phố, Trưởng phòng Lao động - Thương "
                  "binh và Xã hội, Chủ tịch Ủy ban nhân dân các xã, phường, thị trấn có tên tại Điều 1 chịu trách "
                  "nhiệm thi hành Quyết định này",
        recipients=("Như Điều 3", "Sở Lao động - Thương binh và Xã hội tỉnh Kon Tum (để báo cáo)", "Lưu: VT, LĐTBXH"),
        communes=communes, criteria_version=VERSION, provisional=False,
    )
    fields.update(changes)
    return DecisionData(**fields)


def minutes(**changes) -> MinutesData:
    criteria = (
        CriterionRow("TC01", "Nguồn lực thực hiện quyền trẻ em", "100", "80", "100", (
            IndicatorRow("Có công chức cấp xã phụ trách công tác trẻ em", "Có", "Có"),
            IndicatorRow("Có kinh phí thực hiện công tác trẻ em", "Có", "Không", "Chưa có dự toán được duyệt"),
        )),
        CriterionRow("TC13", "Mức độ hài lòng của trẻ em và người dân về việc thực hiện quyền trẻ em", "50", "40", "50", (
            IndicatorRow("Điểm khảo sát mức độ hài lòng", "86,5", "81,25", "Khảo sát lại 30 hộ"),
        )),
    )
    fields = dict(
        dossier_id=42,
        appraiser=Issuer(body=("HỘI ĐỒNG XÉT DUYỆT",), parent=("UBND HUYỆN ĐẮK GLEI",), place="Đắk Glei",
                         signer_capacity="TM. HỘI ĐỒNG", signer_title="CHỦ TỊCH"),
        panel="Hội đồng xét duyệt xã, phường, thị trấn phù hợp với trẻ em huyện Đắk Glei",
        date=dt.date(2024, 11, 28), commune="Xã Đắk Blô", district="Huyện Đắk Glei", province="Tỉnh Kon Tum",
        year=2024, unit_phrase="xã, phường, thị trấn",
        category="Xã, thị trấn thuộc miền núi, hải đảo; xã đặc biệt khó khăn", criteria_version=VERSION,
        criteria=criteria, self_total="150", total="120", max_total="150", threshold="100", recognised=True,
        panel_members=("Phó Chủ tịch UBND huyện (Chủ tịch hội đồng)", "Trưởng phòng Lao động - TB&XH",
                       "Trưởng phòng Y tế"),
        commune_signer="ĐẠI DIỆN ỦY BAN NHÂN DÂN XÃ ĐẮK BLÔ", provisional=False,
    )
    fields.update(changes)
    return MinutesData(**fields)


def revocation(**changes) -> RevocationData:
    """Kon Tum city revokes Xã Đắk Rơ Wa's recognition of 2024 (procedure-2019 wording)."""
    fields = dict(
        number="45/QĐ-UBND", date=dt.date(2025, 3, 14), issuer=issuer("Thành phố Kon Tum", "Kon Tum"), year=2024,
        unit_phrase="xã, phường, thị trấn", commune="Xã Đắk Rơ Wa", district="Thành phố Kon Tum",
        province="Tỉnh Kon Tum", recognition_number="125/QĐ-UBND", recognition_date=dt.date(2024, 12, 20),
        reason="Kiểm tra sau công nhận phát hiện số liệu tiêm chủng không đúng thực tế", grounds=GROUNDS,
        proposal="Theo đề nghị của Trưởng phòng Lao động - Thương binh và Xã hội thành phố Kon Tum.",
        executors="Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân thành phố Kon Tum, Trưởng phòng Lao động - "
                  "Thương binh và Xã hội, Chủ tịch Ủy ban nhân dân xã Đắk Rơ Wa và các cơ quan, đơn vị có liên quan "
                  "chịu trách nhiệm thi hành Quyết định này",
        recipients=("Như Điều 3", "Sở Lao động - Thương binh và Xã hội tỉnh Kon Tum (để báo cáo)", "Lưu: VT, LĐTBXH"),
        certificate_serial="62-2024-000123", criteria_version=VERSION, provisional=False,
    )
    fields.update(changes)
    return RevocationData(**fields)


CRITERIA = (  # qd06-2019: code, title, maximum, pass mark
    ("TC01", "Nguồn lực thực hiện quyền trẻ em", 100, 50), ("TC02", "Trẻ em được khai sinh đúng quy định", 75, 38),
    ("TC03", "Trẻ em bị xâm hại", 100, 50), ("TC04", "Trẻ em vi phạm pháp luật, nghiện ma túy", 75, 38),
    ("TC05", "Trẻ em bị tai nạn, thương tích", 75, 38), ("TC06", "Trẻ em có hoàn cảnh đặc biệt được trợ giúp", 125, 63),
    ("TC07", "Trẻ em dưới 1 tuổi được tiêm chủng đầy đủ các loại vắc xin thuộc chương trình tiêm chủng mở rộng", 50,
     25),
    ("TC08", "Trẻ em dưới 5 tuổi bị suy dinh dưỡng thể nhẹ cân và thể thấp còi", 50, 25),
    ("TC09", "Trẻ em được khám sức khỏe định kỳ", 50, 25), ("TC10", "Trẻ em đến trường, lớp mầm non", 75, 38),
    ("TC11", "Trẻ em được thực hiện quyền tham gia của trẻ em", 75, 38),
    ("TC12", "Hoạt động vui chơi, giải trí, văn hóa, thể dục, thể thao dành cho trẻ em", 75, 38),
    ("TC13", "Mức độ hài lòng của trẻ em và người dân về việc thực hiện quyền trẻ em", 75, 38),
)


def _group(name: str, communes: int, assessed: int, recognized: int, share_text: str) -> dict:
    return {"name": name, "communes": str(communes), "assessed": str(assessed), "recognized": str(recognized),
            "share": 100 * recognized / communes if communes else 0.0, "share_text": share_text}


SHARES = {0: "0 (0 %)", 1: "1 (33,3 %)", 2: "2 (66,7 %)"}  # of 3 dossiers with a score


def province_report(**changes) -> ProvinceReportData:
    """Kon Tum in 2024 as ``dossiers.bulk.report.ProvinceReport.fields()`` gives it: two districts (14 of 21 and
    1 of 12 communes recognised), a provisional criteria version, one commune line."""
    fields = dict(
        province_name="Tỉnh Kon Tum", year=2024, criteria_version="qd06-2019", provisional=True, actor="po",
        generated_at="2024-12-01T10:00+07:00",
        groups=[_group("Thành phố Kon Tum", 21, 15, 14, "66,7 %"), _group("Huyện Đắk Glei", 12, 3, 1, "8,3 %")],
        total=_group("Toàn tỉnh: Tỉnh Kon Tum", 33, 18, 15, "45,5 %"),
        targets=[{"year": 2025, "percent": 65}, {"year": 2030, "percent": 75}],
        target={"year": 2025, "percent": 65}, still_needed="7", scored="17",
        bins=[{"label": label, "count": n, "count_text": str(n)}
              for label, n in (("< 700", 1), ("700–749", 0), ("750–799", 3), ("800–849", 5), ("850–899", 4),
                               ("900–949", 2), ("950–1.000", 2))],
        thresholds=[{"label": "Phường thuộc quận, thị xã, thành phố của thành phố trực thuộc trung ương",
                     "points": "900"}, {"label": "Xã, phường, thị trấn còn lại", "points": "850"},
                    {"label": "Xã, thị trấn thuộc miền núi, hải đảo; xã đặc biệt khó khăn", "points": "800"}],
        max_total="1.000",
        criteria=[{"code": code, "title": title, "max_points": str(top), "met_at": str(met), "below_max": i % 3,
                   "not_met": i % 2, "below_max_text": SHARES[i % 3], "not_met_text": str(i % 2),
                   "average": "66,7"} for i, (code, title, top, met) in enumerate(CRITERIA)],
        communes=[{"code": "23281", "name": "Phường Quang Trung", "group": "Thành phố Kon Tum",
                   "status": "Được công nhận", "total": "935", "threshold": "850", "source": "thẩm định"},
                  {"code": "23284", "name": "Xã Đắk Rơ Wa", "group": "Thành phố Kon Tum", "status": "chưa có hồ sơ",
                   "total": "", "threshold": "", "source": ""}],
    )
    fields.update(changes)
    return from_dict(ProvinceReportData, fields)


# ------------------------------------------------------------------------------------------- reading PDFs
def reader(pdf: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(pdf))


def pages_text(pdf: bytes) -> list[str]:
    return [nfc(page.extract_text() or "") for page in reader(pdf).pages]


def flat_text(pdf: bytes) -> str:
    """Every page's text with runs of white space made one space (lines of a paragraph join up)."""
    return re.sub(r"\s+", " ", " ".join(pages_text(pdf))).strip()


def fonts_used(pdf: bytes) -> set[tuple[str, bool]]:
    """(base font name without the subset tag, embedded?) of every font any page or form refers to."""
    found = set()

    def visit(resources) -> None:
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and any(k in descriptor.get_object()
                                                      for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.add((str(font["/BaseFont"]).split("+")[-1], embedded))
        for xobject in (resources.get("/XObject") or {}).values():
            visit(xobject.get_object().get("/Resources"))

    for page in reader(pdf).pages:
        visit(page.get("/Resources"))
    return found


def need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: apt-get install {package}")
    return path


def render(pdf: bytes, folder: Path, dpi: int = 50, name: str = "page") -> list[Path]:
    """Each page as a PNG (pdftoppm)."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run([need("pdftoppm", "poppler-utils"), "-png", "-r", str(dpi), str(source), str(folder / name)],
                   check=True, capture_output=True)
    return sorted(folder.glob(f"{name}-*.png"))


def qr_codes(png: Path) -> list[str]:
    out = subprocess.run([need("zbarimg", "zbar-tools"), "--quiet", "--raw", str(png)], capture_output=True,
                         text=True)
    return [line for line in out.stdout.splitlines() if line]


def ink_in_margins(png: Path, margins_pt: tuple[float, float, float, float], dpi: int,
                   allowed: list[tuple[float, float, float, float]] = ()) -> list[tuple[int, int]]:
    """Pixels (x, y) darker than near-white inside the page margins (top, right, bottom, left in points);
    ``allowed`` boxes (x0, y0, x1, y1 in points from the top-left corner) are not checked."""
    from PIL import Image

    image = Image.open(png).convert("L")
    w, h = image.size
    scale = dpi / 72
    top, right, bottom, left = (int(m * scale) - 1 for m in margins_pt)  # one pixel of anti-aliasing
    boxes = [tuple(int(v * scale) for v in box) for box in allowed]
    pixels = image.load()
    found = []
    for y in range(h):
        for x in range(w):
            if top <= y < h - bottom and left <= x < w - right:
                continue
            if any(x0 - 1 <= x <= x1 + 1 and y0 - 1 <= y <= y1 + 1 for x0, y0, x1, y1 in boxes):
                continue
            if pixels[x, y] < 235:
                found.append((x, y))
    return found
