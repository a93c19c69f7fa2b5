"""Tables read from a CSV or XLSX file: rows of cells, each cell knowing its spreadsheet row and column.

Cells keep what the file holds: text (stripped, Unicode NFC), or, from XLSX, an exact number (``int`` or
``Decimal``) or a boolean; empty cells are ``None``.

The limits of a file, each refused with a message that names it (``ReadError``), so that no file can take a
process to gigabytes or minutes (each is 3× to 10× what a file of all 3,321 communes of the country needs):

* ``MAX_FILE_BYTES`` 20 MB: the file as sent (the web upload limit too); a CSV is read whole.
* ``MAX_UNPACKED_BYTES`` 40 MB: an XLSX decompressed, every part (all 3,321 communes: 4.6 MB).
* ``MAX_PART_BYTES`` 5 MB: any part of an XLSX but its worksheets (shared strings, styles…): openpyxl reads
  them whole.
* ``MAX_PARTS`` 1,000: parts (files) of an XLSX (a workbook has about 10, a few more with pictures).
* ``MAX_XML_ELEMENTS`` 1,000,000: XML elements of an XLSX in all, for time: openpyxl takes about 5 µs for each
  (all 3,321 communes: 280,000).
* ``MAX_HELD_ELEMENTS`` 100,000: XML elements a parser holds at once, for memory: those outside the rows of a
  sheet and the strings of the shared strings (which openpyxl streams), or those within one row or string.
* ``MAX_ROWS`` 20,000: rows of the sheet, header included (the country had 10,599 communes before 2025).
* ``MAX_COLUMNS`` 500: columns (a criteria version has about 50 indicators).
* ``MAX_CELL_CHARS`` 32,767: characters in one cell, Excel's own limit.

Reports quote at most ``QUOTE_CHARS`` (100) characters of a cell (``quote``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from engine.errors import CfcError
from engine.numbers import format_number

CellValue = str | int | Decimal | bool | None

MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB
MAX_UNPACKED_BYTES = 40 * MB
MAX_PART_BYTES = 5 * MB
MAX_PARTS = 1_000
MAX_XML_ELEMENTS = 1_000_000
MAX_HELD_ELEMENTS = 100_000
MAX_ROWS = 20_000
MAX_COLUMNS = 500
MAX_CELL_CHARS = 32_767
QUOTE_CHARS = 100


class ReadError(CfcError):
    """The file cannot be read as a table (wrong type, broken file, unknown encoding)."""


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` as a report quotes it: at most ``limit`` characters, then how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({format_number(len(text))} ký tự)"


def megabytes(size: int) -> str:
    """A size in MB as a message shows it, rounded up to 0.1 MB (so that a size above a limit never shows as
    the limit itself), with the Vietnamese decimal comma."""
    return format_number(Decimal(-(-size * 10 // MB)) / 10, 1)


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


def clean_text(value: str) -> str | None:
    """A text cell: NFC, without a byte-order mark, stripped; None when nothing is left."""
    text = unicodedata.normalize("NFC", value.replace("\ufeff", "")).strip()
    return text or None


def strip_cells(cells: list) -> list:
    """The cells without the empty ones at the end of the row."""
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def trim_header(header: list[str]) -> list[str]:
    """The header without the empty cells at its end."""
    while header and not header[-1]:
        header.pop()
    return header
