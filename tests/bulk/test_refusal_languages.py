"""Each refusal of a spreadsheet that cannot be read, and of an export that cannot be written, is a message: its
text is Vietnamese (what the web page, the API and ``cfc`` show by default, and what logs keep) and an English
reader gets the English translation of it, the file name and the library's own words kept in both."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from dossiers.bulk.export import export_audit, round_version
from dossiers.bulk.read import ReadError, read_table, read_upload
from dossiers.bulk.write import output_format
from dossiers.language import reader
from dossiers.models import Dossier
from engine.errors import CfcError
from engine.messages import Message

VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def _book(without_sheets: bool = False) -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    if not without_sheets:
        return out.getvalue()
    changed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as src, zipfile.ZipFile(changed, "w") as book:
        for item in src.namelist():
            body = src.read(item)
            book.writestr(item, re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", body) if item == "xl/workbook.xml"
                          else body)
    return changed.getvalue()


UPLOADS = {  # name, bytes → the Vietnamese text, the English one
    "an old Excel file": (
        "cu.xls", b"\xd0\xcf\x11\xe0",
        "cu.xls: tệp Excel định dạng cũ (.xls) không đọc được; hãy lưu tệp dưới dạng .xlsx hoặc .csv",
        "cu.xls: the old Excel format (.xls) is not read; save the file as .xlsx or .csv"),
    "another file type": (
        "du-lieu.ods", b"PK",
        "du-lieu.ods: cần một tệp .csv hoặc .xlsx", "du-lieu.ods: expects a .csv or .xlsx file"),
    "an empty CSV": (
        "trong.csv", b"", "trong.csv: tệp trống, không có dòng nào", "trong.csv: the file is empty, it has no rows"),
    "a CSV in an unknown encoding": (
        "ma.csv", b"commune_code\n\x81\x8d\x8f\n",
        "ma.csv: tệp không phải văn bản UTF-8 hay Windows-1258; hãy lưu tệp dưới dạng «CSV UTF-8»",
        "ma.csv: the file is neither UTF-8 nor Windows-1258 text; save it as «CSV UTF-8»"),
    "a broken XLSX": (
        "hong.xlsx", b"not a zip",
        "hong.xlsx: không phải tệp .xlsx hợp lệ (BadZipFile: File is not a zip file)",
        "hong.xlsx: not a valid .xlsx file (BadZipFile: File is not a zip file)"),
    "an empty sheet": (
        "trong.xlsx", _book(), "trong.xlsx: trang tính «Sheet» trống", "trong.xlsx: sheet «Sheet» is empty"),
    "a workbook without sheets": (
        "so.xlsx", _book(without_sheets=True),
        "so.xlsx: sổ làm việc không có trang tính nào", "so.xlsx: the workbook has no sheet"),
}


def assert_both_languages(error: Exception, vietnamese: str, english: str) -> None:
    message = error.args[0]
    assert isinstance(message, Message)
    assert str(error) == str(message) == vietnamese
    assert reader("vi")(message) == vietnamese
    assert reader("en")(message) == english
    assert not VIETNAMESE.search(english)


@pytest.mark.parametrize("case", UPLOADS)
def test_an_unreadable_upload_is_refused_in_vietnamese_and_in_english(case):
    name, data, vietnamese, english = UPLOADS[case]
    with pytest.raises(ReadError) as refused:
        read_upload(data, name)
    assert_both_languages(refused.value, vietnamese, english)


def test_a_file_the_system_cannot_open_names_the_reason_in_both_languages(tmp_path):
    (tmp_path / "thu-muc.csv").mkdir()
    with pytest.raises(ReadError) as refused:
        read_table(tmp_path / "thu-muc.csv")
    assert_both_languages(refused.value, "thu-muc.csv: không đọc được tệp (Is a directory)",
                          "thu-muc.csv: the file cannot be read (Is a directory)")


def test_the_refusals_of_an_export_speak_both_languages(tmp_path):
    with pytest.raises(CfcError) as refused:
        output_format(tmp_path / "ket-qua.ods")
    assert_both_languages(refused.value, "ket-qua.ods: hãy ghi ra tệp .xlsx hoặc .csv",
                          "ket-qua.ods: write to a .xlsx or .csv file")
    with pytest.raises(CfcError) as refused:  # refused before the service is asked anything
        export_audit(None, "province1", tmp_path / "nhat-ky.xlsx")
    assert_both_languages(refused.value,
                          "hãy xuất nhật ký của một năm đánh giá (--round NĂM) hoặc của một hồ sơ (--dossier SỐ)",
                          "export the audit trail of a round (--round YEAR) or of a dossier (--dossier ID)")
    mixed = [Dossier(criteria_version="qd06-2019"), Dossier(criteria_version="qd06-2019-b")]
    with pytest.raises(CfcError) as refused:
        round_version(None, 2024, mixed)
    assert_both_languages(refused.value,
                          "hồ sơ năm đánh giá 2024 theo nhiều bộ tiêu chí (qd06-2019, qd06-2019-b): không xuất chung "
                          "một bảng được",
                          "the dossiers of round 2024 follow different criteria versions (qd06-2019, qd06-2019-b): "
                          "they cannot be exported in one table")
