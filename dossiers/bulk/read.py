"""Read a CSV or XLSX file into rows of cells, each cell knowing its spreadsheet row and column.

Cells keep what the file holds: text (stripped, Unicode NFC), or, from XLSX, an exact number (``int`` or
``Decimal``: a float cell 86.5 gives ``Decimal("86.5")``, never 86.4999…) or a boolean; empty cells are ``None``
(``table``).
Text is parsed later by ``engine.assessment.parse_text`` (Vietnamese number formats), numbers by ``coerce``.

CSV: UTF-8 with or without BOM (Excel's "CSV UTF-8"), UTF-16 with BOM (Excel's "Unicode text"), else Windows
Vietnamese (cp1258); the delimiter is the one of ``,`` ``;`` and tab that the header line uses most.
XLSX (``xlsx``): the first sheet laid out for import (A1 ``commune_code``, indicator codes in row 1), so a
results workbook imports from its values sheet; formulas give their last computed value.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .table import CellValue, ReadError, Row, Table, clean_text, column_letter, shown, trim_header
from .xlsx import read_xlsx

__all__ = ["CellValue", "ReadError", "Row", "Table", "column_letter", "read_csv", "read_table", "read_upload",
           "read_xlsx", "shown"]

SUFFIXES = (".csv", ".xlsx", ".xlsm")


def _check_suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise ReadError(f"{name}: old Excel format (.xls) is not read; save the file as .xlsx or .csv")
    if suffix not in SUFFIXES:
        raise ReadError(f"{name}: expects a .csv or .xlsx file")
    return suffix


def read_upload(data: bytes, name: str) -> Table:
    """A file's content (e.g. an upload), read as CSV or XLSX by its name."""
    if _check_suffix(name) == ".csv":
        return read_csv(data, name)
    return read_xlsx(data, name)


def read_table(path: Path | str) -> Table:
    path = Path(path)
    _check_suffix(path.name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path.name}: {exc.strerror or exc}") from None
    return read_upload(data, path.name)


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
        raise ReadError(f"{name}: the file is neither UTF-8 nor Windows-1258 text; save it as 'CSV UTF-8'") from None


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes, name: str = "data.csv") -> Table:
    text = decode(data, name)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first))
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise ReadError(f"{name}: not a valid CSV file ({exc})") from None
    if not lines:
        raise ReadError(f"{name}: the file is empty")
    header = [clean_text(c) or "" for c in lines[0]]
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        row = Row(number, [clean_text(c) for c in line])
        if not row.empty:
            rows.append(row)
    return Table(name, trim_header(header), rows)

