"""Read a CSV or XLSX file into rows of cells, each cell knowing its spreadsheet row and column.

Cells keep what the file holds: text (stripped, Unicode NFC), or, from XLSX, an exact number (``int`` or
``Decimal``: a float cell 86.5 gives ``Decimal("86.5")``, never 86.4999…) or a boolean; empty cells are ``None``
(``table``).
Text is parsed later by ``engine.assessment.parse_text`` (Vietnamese number formats), numbers by ``coerce``.

CSV: UTF-8 with or without BOM (Excel's "CSV UTF-8"), UTF-16 with BOM (Excel's "Unicode text"), else Windows
Vietnamese (cp1258); the delimiter is the one of ``,`` ``;`` and tab that the header line uses most.
XLSX (``xlsx``, openpyxl in read-only mode): the first sheet laid out for import (A1 ``commune_code``, indicator
codes in row 1), so a results workbook imports from its values sheet; formulas give their last computed value.

Both are held to the limits of ``table`` (file size, rows, columns, cell length; for XLSX also the decompressed
size), checked before the file is read or while it is, and refused with a message that names the limit.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from engine.messages import N_

from .table import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    CellValue,
    ReadError,
    Row,
    Table,
    clean_text,
    column_letter,
    megabytes,
    quote,
    shown,
    strip_cells,
    trim_header,
)
from .xlsx import check_archive, read_xlsx

__all__ = ["CellValue", "ReadError", "Row", "Table", "check_file", "column_letter", "read_csv", "read_table",
           "read_upload", "read_xlsx", "shown"]

SUFFIXES = (".csv", ".xlsx", ".xlsm")


def _check_suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise ReadError(N_("%(file)s: tệp Excel định dạng cũ (.xls) không đọc được; hãy lưu tệp dưới dạng .xlsx hoặc "
                           ".csv", file=name))
    if suffix not in SUFFIXES:
        raise ReadError(N_("%(file)s: cần một tệp .csv hoặc .xlsx", file=name))
    return suffix


def _check_size(size: int, name: str) -> None:
    if size > MAX_FILE_BYTES:
        raise ReadError(N_("%(file)s: tệp %(size)s MB, vượt giới hạn %(limit)s MB", file=name, size=megabytes(size),
                           limit=megabytes(MAX_FILE_BYTES)))


def read_upload(data: bytes, name: str) -> Table:
    """A file's content (e.g. an upload), read as CSV or XLSX by its name."""
    suffix = _check_suffix(name)
    _check_size(len(data), name)
    if suffix == ".csv":
        return read_csv(data, name)
    return read_xlsx(data, name)


def _read_bytes(path: Path) -> bytes:
    _check_suffix(path.name)
    try:
        _check_size(path.stat().st_size, path.name)
        return path.read_bytes()
    except OSError as exc:
        raise ReadError(N_("%(file)s: không đọc được tệp (%(error)s)", file=path.name,
                           error=exc.strerror or str(exc))) from None


def read_table(path: Path | str) -> Table:
    path = Path(path)
    return read_upload(_read_bytes(path), path.name)


def check_file(path: Path | str) -> None:
    """Refuse a file beyond the size limits (for XLSX, also the number and decompressed size of its parts)
    without decompressing anything: what ``read_table`` checks first, for a caller that wants to know before
    it starts anything."""
    path = Path(path)
    data = _read_bytes(path)
    if _check_suffix(path.name) != ".csv":
        check_archive(data, path.name, sizes_only=True)


# ------------------------------------------------------------------------------------------------------ CSV
def decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258")
    except UnicodeDecodeError:
        raise ReadError(N_("%(file)s: tệp không phải văn bản UTF-8 hay Windows-1258; hãy lưu tệp dưới dạng «CSV UTF-8»",
                           file=name)) from None


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes, name: str = "data.csv") -> Table:
    _check_size(len(data), name)
    text = decode(data, name)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first))
    header: list[str] | None = None
    rows = []
    try:
        for number, line in enumerate(reader, start=1):
            cells = _csv_cells(line, number, name)
            if header is None:
                header = [c or "" for c in cells]
            elif any(c is not None for c in cells):
                rows.append(Row(number, cells))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # csv's own limit (131,072), above ours
            raise ReadError(N_("%(file)s: dòng %(row)s có một ô dài hơn %(limit)s ký tự, vượt giới hạn của một ô",
                               file=name, row=str(reader.line_num), limit=MAX_CELL_CHARS)) from None
        raise ReadError(N_("%(file)s: không phải tệp CSV hợp lệ (%(error)s)", file=name, error=quote(str(exc)))) from None
    if header is None:
        raise ReadError(N_("%(file)s: tệp trống, không có dòng nào", file=name))
    return Table(name, trim_header(header), rows)


def _csv_cells(line: list[str], number: int, name: str) -> list[str | None]:
    """The cells of a CSV record, within the limits of rows, columns and cell length."""
    if number > MAX_ROWS:
        raise ReadError(N_("%(file)s: tệp có hơn %(limit)s dòng, vượt giới hạn; hãy xóa các dòng thừa ở cuối bảng",
                           file=name, limit=MAX_ROWS))
    cells = strip_cells([clean_text(c) for c in line])
    if len(cells) > MAX_COLUMNS:
        raise ReadError(N_("%(file)s: dòng %(row)s có dữ liệu ở cột %(column)s, vượt giới hạn %(limit)s cột",
                           file=name, row=str(number), column=column_letter(len(cells)), limit=str(MAX_COLUMNS)))
    for column, text in enumerate(cells, start=1):
        if text is not None and len(text) > MAX_CELL_CHARS:
            raise ReadError(N_("%(file)s: ô %(cell)s dài %(length)s ký tự, vượt giới hạn %(limit)s ký tự của một "
                               "ô: «%(text)s»", file=name, cell=f"{column_letter(column)}{number}", length=len(text),
                               limit=MAX_CELL_CHARS, text=quote(text)))
    return cells

