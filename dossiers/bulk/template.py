"""The import file of a criteria version: ``commune_code``, then one column per indicator code.

Row 1 holds the keys the importer reads; row 2 the Vietnamese labels (the importer skips it). An optional
``commune_name`` column after ``commune_code`` is for people and is never read. The same layout, filled in,
is the "values" export, so an exported file imports back unchanged.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from engine.models import CriteriaVersion

from .write import Sheet, Validation, write_tables

COMMUNE_COLUMN = "commune_code"
NAME_COLUMN = "commune_name"
COMMUNE_LABEL = "Mã xã, phường, đặc khu (mã đơn vị hành chính)"
NAME_LABEL = "Tên xã (để đối chiếu, không được đọc khi nhập)"
TYPE_HINTS = {
    "yes_no": "có / không",
    "count": "số nguyên ≥ 0",
    "score": "điểm 0–100 (vd. 86,5)",
}


def export_value(kind: str, canonical: str | None):
    """A stored value (canonical text) as a spreadsheet cell that imports back to the same value."""
    if canonical is None:
        return None
    if kind == "yes_no":
        return "có" if canonical == "true" else "không"
    if kind == "count":
        return int(canonical)
    number = Decimal(canonical)
    return int(number) if number == number.to_integral_value() else number


def values_sheet(version: CriteriaVersion, rows: list[tuple[str, str | None, dict]] | None = None,
                 with_names: bool = False, title: str = "Chỉ số") -> Sheet:
    """The import layout; ``rows`` are (commune code, name, {indicator code: canonical text})."""
    indicators = [i for _, i in version.indicators()]
    columns, labels = [COMMUNE_COLUMN], [COMMUNE_LABEL]
    widths = {1: 16}
    if with_names:
        columns.append(NAME_COLUMN)
        labels.append(NAME_LABEL)
        widths[2] = 30
    offset = len(columns)
    for n, ind in enumerate(indicators, start=offset + 1):
        columns.append(ind.code)
        labels.append(f"{ind.label} ({TYPE_HINTS[ind.type]})")
        widths[n] = max(14, min(28, len(ind.code) + 2))
    body = []
    for code, name, values in rows or []:
        line = [code] + ([name] if with_names else [])
        line += [export_value(ind.type, values.get(ind.code)) for ind in indicators]
        body.append(line)
    validations = [Validation(n, ind.type) for n, ind in enumerate(indicators, start=offset + 1)]
    freeze = "C3" if with_names else "B3"
    return Sheet(title, columns, labels, body, widths, validations, freeze)


def guide_sheet(version: CriteriaVersion, year: int | None = None) -> Sheet:
    lines = [
        f"Mẫu nhập chỉ số theo bộ tiêu chí {version.id}: {version.title}",
        "Mỗi dòng là một xã: cột commune_code ghi mã đơn vị hành chính của xã; mỗi cột tiếp theo là một chỉ số.",
        "Dòng 1 là mã chỉ số (không sửa), dòng 2 là tên chỉ số (có thể giữ hoặc xóa); dữ liệu bắt đầu từ dòng 3.",
        "Có/không: ghi có hoặc không (cũng nhận true/false, x, 1/0). Số trẻ em, số vụ: số nguyên không âm "
        "(1.234 hoặc 1234). Điểm khảo sát: 0–100, tối đa 2 chữ số thập phân (86,5).",
        "Ô để trống: giữ nguyên giá trị đang có trong hồ sơ. Tử số không được lớn hơn mẫu số.",
        "Lệnh nhập: cfc import TỆP --round NĂM --as TÊN_ĐĂNG_NHẬP [--dry-run]. Mọi ô đều được kiểm tra trước; "
        "chỉ cần một ô sai là không ô nào được lưu.",
    ]
    if year:
        lines.insert(1, f"Kỳ đánh giá: năm {year}.")
    if version.provisional:
        lines.append(f"LƯU Ý: {version.id} là bộ tiêu chí TẠM THỜI (chưa đối chiếu đủ với văn bản chính thức).")
    lines.append("")
    lines.append("Mã chỉ số | Loại | Tên chỉ số | Tiêu chí")
    rows = [[text] for text in lines]
    for crit, ind in version.indicators():
        rows.append([f"{ind.code} | {TYPE_HINTS[ind.type]} | {ind.label} | {crit.code} {crit.title}"])
    return Sheet("Hướng dẫn", ["Hướng dẫn nhập"], None, rows, {1: 140}, wrap=True)


def write_template(version: CriteriaVersion, path: Path | str,
                   communes: list[tuple[str, str]] | None = None) -> Path:
    """The blank import file (XLSX with a guide sheet, or CSV); ``communes`` pre-fills code and name rows."""
    rows = [(code, name, {}) for code, name in communes] if communes else None
    sheets = [values_sheet(version, rows, with_names=bool(communes)), guide_sheet(version)]
    return write_tables(path, sheets)
