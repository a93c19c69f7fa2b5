"""Reading and writing spreadsheets without a database: templates, CSV encodings and delimiters, XLSX cell types,
text that would run as a formula, the label row."""

from __future__ import annotations

import csv
import io
import unicodedata
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from dossiers.bulk.read import ReadError, column_letter, read_csv, read_table, read_xlsx, shown
from dossiers.bulk.template import COMMUNE_COLUMN, COMMUNE_LABEL, export_value, values_sheet, write_template
from dossiers.bulk.write import Sheet, csv_bytes, output_format, write_tables
from engine.errors import CfcError
from engine.loader import Registry

VERSION = Registry.load().get("qd06-2019")
CODES = [i.code for _, i in VERSION.indicators()]
LABELS = {i.code: i.label for _, i in VERSION.indicators()}


# ------------------------------------------------------------------------------------------------- template
def test_xlsx_template_has_codes_then_vietnamese_labels_and_a_guide(tmp_path):
    path = write_template(VERSION, tmp_path / "mau.xlsx")
    book = load_workbook(path)
    sheet = book["Chỉ số"]
    header = [c.value for c in sheet[1]]
    labels = [c.value for c in sheet[2]]
    assert header == [COMMUNE_COLUMN, *CODES]
    assert labels[0] == COMMUNE_LABEL
    for code, label in zip(CODES, labels[1:], strict=True):
        assert label.startswith(LABELS[code])
    assert labels[CODES.index("TC13.satisfaction") + 1].endswith("(điểm 0–100 (vd. 86,5))")
    assert sheet.max_row == 2 and sheet.freeze_panes == "B3"
    kinds = {dv.type for dv in sheet.data_validations.dataValidation}
    assert kinds == {"list", "whole", "decimal"}
    assert "Hướng dẫn" in book.sheetnames
    guide = " ".join(str(r[0].value) for r in book["Hướng dẫn"].iter_rows())
    assert "cfc import" in guide and "TẠM THỜI" in guide
    book.close()


def test_csv_template_is_utf8_with_bom_codes_then_labels(tmp_path):
    path = write_template(VERSION, tmp_path / "mau.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert lines[0] == [COMMUNE_COLUMN, *CODES]
    assert lines[1][0] == COMMUNE_LABEL
    assert lines[1][CODES.index("TC07.fully_immunised") + 1] == (
        "Số trẻ em dưới 1 tuổi được tiêm chủng đầy đủ (số nguyên ≥ 0)")
    assert unicodedata.is_normalized("NFC", data.decode("utf-8-sig"))
    assert len(lines) == 2


def test_template_prefilled_with_communes_has_a_name_column(tmp_path):
    path = write_template(VERSION, tmp_path / "mau.xlsx", [("23281", "Phường Quang Trung")])
    table = read_table(path)
    assert table.header[:3] == [COMMUNE_COLUMN, "commune_name", CODES[0]]
    assert [r.cells[:2] for r in table.rows] == [[COMMUNE_LABEL, table.rows[0].cells[1]], ["23281", "Phường Quang Trung"]]


def test_template_refuses_other_formats(tmp_path):
    with pytest.raises(CfcError, match="hãy ghi ra tệp .xlsx hoặc .csv"):
        write_template(VERSION, tmp_path / "mau.ods")
    assert output_format("A.XLSX") == "xlsx"


def test_export_values_import_back_as_the_same_cells():
    assert export_value("yes_no", "true") == "có" and export_value("yes_no", "false") == "không"
    assert export_value("count", "1234") == 1234
    assert export_value("score", "86.5") == Decimal("86.5") and export_value("score", "90") == 90
    assert export_value("count", None) is None


# ------------------------------------------------------------------------------------------------------ CSV
def _csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: a base letter (maybe precomposed) + a combining tone mark."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            if marks and unicodedata.normalize("NFC", base + marks[0]).encode("cp1258", errors="ignore"):
                base, marks = unicodedata.normalize("NFC", base + marks[0]), marks[1:]
            out += (base + "".join(marks)).encode("cp1258")
    return out


def test_csv_reads_bom_and_skips_empty_rows_keeping_row_numbers():
    table = read_csv(_csv("\ufeffcommune_code,TC01.officer\r\n\r\n23281, có \r\n,\r\n23284,0\r\n"))
    assert table.header == ["commune_code", "TC01.officer"]
    assert [(r.number, r.cells) for r in table.rows] == [(3, ["23281", "có"]), (5, ["23284", "0"])]


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_csv_delimiter_is_the_one_of_the_header(delimiter):
    table = read_csv(_csv(delimiter.join(["commune_code", "TC13.satisfaction"]) + "\n23281" + delimiter + '"86,5"\n'))
    assert table.header == ["commune_code", "TC13.satisfaction"]
    assert table.rows[0].cells == ["23281", "86,5"]


def test_csv_from_windows_vietnamese_and_utf16_is_read_as_nfc():
    text = "commune_code,ghi_chu\n23281,Phường Quang Trung\n"
    decomposed = unicodedata.normalize("NFD", text)
    assert cp1258(text) != text.encode("utf-8")
    for data in (cp1258(text), _csv(decomposed, "utf-8"), text.encode("utf-16")):
        table = read_csv(data)
        assert table.rows[0].cells == ["23281", "Phường Quang Trung"]
        assert unicodedata.is_normalized("NFC", table.rows[0].cells[1])


def test_unreadable_files_are_refused_with_the_reason(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ReadError, match=r"tệp Excel định dạng cũ \(\.xls\) không đọc được"):
        read_table(tmp_path / "old.xls")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ReadError, match="không phải tệp .xlsx hợp lệ"):
        read_table(tmp_path / "broken.xlsx")
    (tmp_path / "data.json").write_text("{}")
    with pytest.raises(ReadError, match="cần một tệp .csv hoặc .xlsx"):
        read_table(tmp_path / "data.json")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ReadError, match="tệp trống"):
        read_table(tmp_path / "empty.csv")


# ----------------------------------------------------------------------------------------------------- XLSX
def test_xlsx_cells_keep_their_exact_type(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["commune_code", "TC13.satisfaction", "TC01.officer", "TC07.children_under_1", "TC02.children_born"])
    sheet.append([23281, 86.5, True, "1.234", 49.0])
    sheet.append([None, None, None, None, None])
    sheet.append(["  23284 ", 97.25, "không", None, -3])
    book.save(tmp_path / "f.xlsx")
    table = read_table(tmp_path / "f.xlsx")
    assert table.sheet == "Sheet"
    first, second = table.rows
    assert first.number == 2 and second.number == 4
    assert first.cells == [23281, Decimal("86.5"), True, "1.234", Decimal("49.0")]
    assert second.cells == ["23284", Decimal("97.25"), "không", None, -3]
    assert [shown(c) for c in first.cells] == ["23281", "86.5", "TRUE", "1.234", "49"]


def test_xlsx_reads_the_sheet_that_starts_with_commune_code(tmp_path):
    book = Workbook()
    book.active.title = "Ghi chú"
    book.active.append(["Đây là ghi chú"])
    data = book.create_sheet("Dữ liệu")
    data.append(["commune_code", "TC01.officer"])
    data.append(["23281", "có"])
    book.save(tmp_path / "f.xlsx")
    table = read_xlsx((tmp_path / "f.xlsx").read_bytes(), "f.xlsx")
    assert table.sheet == "Dữ liệu" and table.rows[0].cells == ["23281", "có"]


def test_column_letters():
    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


# ------------------------------------------------------------------------------------------------- writing
def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    sheet = Sheet("T", ["a", "b"], None, [["=1+1", "-x"], ["@SUM(A1)", "Phường Duy Tân"], ["-2", "+1,5"]])
    text = csv_bytes(sheet).decode("utf-8-sig")
    assert text.splitlines() == ["a,b", "'=1+1,'-x", "'@SUM(A1),Phường Duy Tân", '-2,"+1,5"']
    write_tables(tmp_path / "t.xlsx", [sheet])
    cell = load_workbook(tmp_path / "t.xlsx")["T"]["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_values_sheet_writes_typed_cells_that_read_back(tmp_path):
    values = {"TC01.officer": "true", "TC13.satisfaction": "86.5", "TC07.children_under_1": "50"}
    path = write_tables(tmp_path / "v.xlsx", [values_sheet(VERSION, [("23281", "Phường Quang Trung", values)],
                                                           with_names=True)])
    table = read_table(path)
    row = table.rows[1]
    cells = dict(zip(table.header, row.cells, strict=False))
    assert cells["commune_code"] == "23281" and cells["commune_name"] == "Phường Quang Trung"
    assert cells["TC01.officer"] == "có" and cells["TC13.satisfaction"] == Decimal("86.5")
    assert cells["TC07.children_under_1"] == 50 and cells["TC02.children_born"] is None


# ------------------------------------------------------------------------------ reading XLSX (openpyxl)
def test_xlsx_reader_keeps_types_row_numbers_and_the_sheet_laid_out_for_import(tmp_path):
    book = Workbook()
    notes = book.active
    notes.title = "Ghi chú"
    notes.append(["Không phải dữ liệu"])
    sheet = book.create_sheet("Dữ liệu")
    sheet.append(["commune_code", "TC01.officer", "TC13.satisfaction", "TC07.children_under_1", None, "  "])
    sheet.append(["23281", "Có", 86.5, 49, None, None])
    sheet["A4"] = 23284
    sheet["D4"] = "1.234"
    sheet["C4"] = 1e-7
    sheet["B4"] = False
    sheet["A7"] = unicodedata.normalize("NFD", " Phường Duy Tân ")
    sheet["AB7"] = 12
    path = tmp_path / "f.xlsx"
    book.save(path)
    table = read_xlsx(path.read_bytes(), path.name)
    assert table.sheet == "Dữ liệu" and table.header == ["commune_code", "TC01.officer", "TC13.satisfaction",
                                                         "TC07.children_under_1"]
    assert [r.number for r in table.rows] == [2, 4, 7]
    assert table.rows[0].cells == ["23281", "Có", Decimal("86.5"), 49]
    assert table.rows[1].cells == [23284, False, Decimal("1e-07"), "1.234"]
    assert table.rows[2].cells[0] == "Phường Duy Tân" and table.rows[2].get(28) == 12


def test_the_hand_written_xlsx_reader_is_gone():
    from dossiers.bulk import xlsx

    assert not hasattr(xlsx, "plain_xlsx") and not hasattr(xlsx, "openpyxl_xlsx") and not hasattr(xlsx, "Unplain")


def test_xlsx_reader_reads_dates_shared_strings_rich_text_and_excel_cell_types(tmp_path):
    import datetime as dt
    import zipfile

    book = Workbook()
    book.active.append(["commune_code", "TC02.children_born"])
    book.active.append(["23281", dt.date(2024, 1, 2)])
    book.save(tmp_path / "dates.xlsx")
    assert read_table(tmp_path / "dates.xlsx").rows[0].cells == ["23281", "2024-01-02T00:00:00"]

    # shared strings with rich-text runs and a phonetic run, as Excel writes them
    shared = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<si><t>commune_code</t></si><si><t>TC01.officer</t></si>'
              '<si><r><t>c</t></r><r><rPr><b/></rPr><t>ó</t></r><rPh sb="0" eb="1"><t>x</t></rPh></si></sst>')
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
             '<row r="3"><c r="A3"><v>23281</v></c><c r="B3" t="s"><v>2</v></c></row>'
             '<row r="4"><c r="A4" t="str"><v>23284</v></c><c r="B4" t="b"><v>1</v></c></row>'
             '</sheetData></worksheet>')
    path = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(tmp_path / "dates.xlsx") as src, zipfile.ZipFile(path, "w") as out:
        for item in src.namelist():
            data = src.read(item)
            if item == "xl/worksheets/sheet1.xml":
                data = sheet.encode()
            if item == "[Content_Types].xml":  # Excel declares the shared strings (openpyxl writes none)
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application'
                                    b'/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            out.writestr(item, data)
        out.writestr("xl/sharedStrings.xml", shared)
    table = read_table(path)
    assert table.header == ["commune_code", "TC01.officer"]
    assert [(r.number, r.cells) for r in table.rows] == [(3, [23281, "có"]), (4, ["23284", True])]
