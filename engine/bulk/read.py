"""Read a CSV or XLSX file into rows of cells, each cell knowing its spreadsheet row and column.

Cells keep what the file holds: text (stripped, Unicode NFC), or, from XLSX, an exact number (``int`` or
``Decimal``: a float cell 86.5 gives ``Decimal("86.5")``, never 86.4999…) or a boolean; empty cells are ``None``.
Text is parsed later by ``engine.assessment.parse_text`` (Vietnamese number formats), numbers by ``coerce``.

CSV: UTF-8 with or without BOM (Excel's "CSV UTF-8"), UTF-16 with BOM (Excel's "Unicode text"), else Windows
Vietnamese (cp1258); the delimiter is the one of ``,`` ``;`` and tab that the header line uses most.
XLSX: the first sheet laid out for import (A1 ``commune_code``, indicator codes in row 1), so a results workbook
imports from its values sheet; formulas give their last computed value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..errors import CfcError

CellValue = str | int | Decimal | bool | None
INDICATOR = re.compile(r"TC\d{2}\.", re.IGNORECASE)  # how indicator codes start (engine.models.Indicator)
SUFFIXES = (".csv", ".xlsx", ".xlsm")


class ReadError(CfcError):
    """The file cannot be read as a table (wrong type, broken file, unknown encoding)."""


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Row:
    number: int  # 1-based row of the spreadsheet (the header is row 1)
    cells: list[CellValue]

    def get(self, column: int) -> CellValue:
        """The cell of a 1-based column (None beyond the row's end)."""
        return self.cells[column - 1] if column - 1 < len(self.cells) else None

    @property
    def empty(self) -> bool:
        return all(c is None for c in self.cells)


@dataclass
class Table:
    source: str  # the file name, for reports
    header: list[str]  # row 1, as text ("" for an empty header cell)
    rows: list[Row] = field(default_factory=list)  # the rows after the header that hold anything
    sheet: str | None = None  # the XLSX sheet read


def shown(value: CellValue) -> str:
    """A cell as a report prints it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _text(value: str) -> str | None:
    text = unicodedata.normalize("NFC", value.replace("\ufeff", "")).strip()
    return text or None


def read_table(path: Path | str) -> Table:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ReadError(f"{path.name}: old Excel format (.xls) is not read; save the file as .xlsx or .csv")
    if suffix not in SUFFIXES:
        raise ReadError(f"{path.name}: expects a .csv or .xlsx file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path.name}: {exc.strerror or exc}") from None
    if suffix == ".csv":
        return read_csv(data, path.name)
    return read_xlsx(data, path.name)


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
    header = [_text(c) or "" for c in lines[0]]
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        row = Row(number, [_text(c) for c in line])
        if not row.empty:
            rows.append(row)
    return Table(name, _trim(header), rows)


# ----------------------------------------------------------------------------------------------------- XLSX
def _cell(value) -> CellValue:
    if value is None:
        return None
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return _text(str(value))


def read_xlsx(data: bytes, name: str = "data.xlsx") -> Table:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about Excel extensions it drops; nothing we read
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError(f"{name}: not a valid .xlsx file ({exc})") from None
    try:
        sheets = book.worksheets
        if not sheets:
            raise ReadError(f"{name}: the workbook has no sheet")
        chosen = _choose(sheets)
        lines = chosen.iter_rows(values_only=True)
        head = next(lines, None)
        if head is None:
            raise ReadError(f"{name}: sheet {chosen.title!r} is empty")
        header = [shown(_cell(c)) for c in head]
        rows = []
        for number, line in enumerate(lines, start=2):
            row = Row(number, [_cell(c) for c in line])
            if not row.empty:
                rows.append(row)
        return Table(name, _trim(header), rows, chosen.title)
    finally:
        book.close()


def _choose(sheets):
    """The first sheet laid out for import (A1 commune_code, indicator codes in row 1), else the first whose A1
    is commune_code (a results sheet), else the first sheet."""
    starts = []
    for sheet in sheets:
        head = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        if head and isinstance(head[0], str) and head[0].strip().lower() == "commune_code":
            if any(isinstance(c, str) and INDICATOR.match(c.strip()) for c in head[1:]):
                return sheet
            starts.append(sheet)
    return (starts or sheets)[0]


def _trim(header: list[str]) -> list[str]:
    while header and not header[-1]:
        header.pop()
    return header
